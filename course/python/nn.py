"""The course's nn.py interface, as thin adapters over lib.nn.

The graders call these names with the course's conventions: a ``params`` dict holding
``W<name>`` (in, out), ``b<name>`` (out,), the forward cache ``cache_<name>`` = (X, pre_act,
post_act), and the gradients ``grad_W<name>``, ``grad_b<name>``. Underneath, every computation
is lib.nn's layer pairs (``linear_forward``/``linear_backward``), so there is one
implementation of each layer.
"""

import numpy as np

from lib.nn.init import xavier_uniform
from lib.nn.layers import linear_backward, linear_forward
from lib.nn.layers import sigmoid as _sigmoid
from lib.nn.losses import accuracy, cross_entropy
from lib.nn.losses import softmax as _softmax
from lib.nn.train import minibatches

_rng = np.random.default_rng(0)


# Q2.1.2
def initialize_weights(in_size, out_size, params, name=""):
    """Xavier-uniform W (in_size, out_size) and zero b (out_size,) into params."""
    W, b = xavier_uniform(in_size, out_size, _rng, dtype=np.float64)
    params["W" + name] = W
    params["b" + name] = b


# Q2.2.1
def sigmoid(x):
    return _sigmoid(x)


def forward(X, params, name="", activation=sigmoid):
    """post_act = activation(X @ W + b); caches (X, pre_act, post_act) in params."""
    pre_act, _ = linear_forward(X, params["W" + name], params["b" + name])
    post_act = activation(pre_act)
    params["cache_" + name] = (X, pre_act, post_act)
    return post_act


# Q2.2.2
def softmax(x):
    return _softmax(x)


# Q2.2.3
def compute_loss_and_acc(y, probs):
    """Cross-entropy summed over the examples, and accuracy; y is one-hot (N, C)."""
    return cross_entropy(probs, y, reduction="sum"), accuracy(probs, y.argmax(axis=1))


def sigmoid_deriv(post_act):
    return post_act * (1.0 - post_act)


# Q2.3.1
def backwards(delta, params, name="", activation_deriv=sigmoid_deriv):
    """Gradient through the activation, then the linear layer; returns dJ/dX."""
    X, _, post_act = params["cache_" + name]
    d_pre = delta * activation_deriv(post_act)
    grad_X, grad_W, grad_b = linear_backward(d_pre, (X, params["W" + name]))
    params["grad_W" + name] = grad_W
    params["grad_b" + name] = grad_b
    return grad_X


# Q2.4.1
def get_random_batches(x, y, batch_size):
    """One epoch of (x_batch, y_batch) pairs: a random permutation, every example once."""
    return [(x[idx], y[idx]) for idx in minibatches(len(x), batch_size, _rng)]
