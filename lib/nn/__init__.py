"""The numpy fully connected network of chapter 2 (Q2), used by chapters 3, 4 and 5.

Layers are pairs of pure functions (``forward -> (out, cache)``, ``backward(dout, cache)``);
a network is a plain dict of arrays ``{"W1", "b1", ...}`` plus a frozen ``NetworkSpec``.

* ``lib.nn.layers``: linear, sigmoid/tanh/relu/identity/softmax, dense = linear + activation.
* ``lib.nn.losses``: softmax, cross-entropy, accuracy, fused softmax-CE, squared error.
* ``lib.nn.init``: Xavier-uniform initialisation.
* ``lib.nn.network``: ``NetworkSpec``, ``init_params``, ``forward``, ``backward``,
  ``loss_and_grads``, ``predict``, ``evaluate``.
* ``lib.nn.optim``: ``SGD``, ``Momentum``.
* ``lib.nn.train``: ``minibatches``, ``TrainConfig``, ``train``.
* ``lib.nn.gradcheck``: ``check_gradients``, ``numerical_gradient``, ``relative_error``,
  ``rounding_noise``.
* ``lib.nn.io``: ``save_params``, ``load_params``.
"""

from lib.nn.gradcheck import GradCheck, check_gradients, numerical_gradient, relative_error, rounding_noise
from lib.nn.init import xavier_bound, xavier_uniform
from lib.nn.io import load_params, save_params
from lib.nn.layers import (
    ACTIVATIONS,
    dense_backward,
    dense_forward,
    identity_backward,
    identity_forward,
    linear_backward,
    linear_forward,
    relu,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from lib.nn.losses import (
    accuracy,
    cross_entropy,
    log_softmax,
    one_hot,
    softmax,
    softmax_cross_entropy,
    squared_error,
)
from lib.nn.network import (
    NetworkSpec,
    as_dtype,
    backward,
    evaluate,
    forward,
    init_params,
    loss_and_grads,
    loss_terms,
    param_names,
    predict,
    relu_margin,
)
from lib.nn.optim import SGD, Momentum, make_optimizer
from lib.nn.train import TrainConfig, minibatches, train, train_epoch

__all__ = [
    "ACTIVATIONS", "GradCheck", "Momentum", "NetworkSpec", "SGD", "TrainConfig", "accuracy",
    "as_dtype", "backward", "check_gradients", "cross_entropy", "dense_backward", "dense_forward",
    "evaluate", "forward", "identity_backward", "identity_forward", "init_params", "linear_backward",
    "linear_forward", "load_params", "log_softmax", "loss_and_grads", "loss_terms", "make_optimizer", "minibatches",
    "numerical_gradient", "one_hot", "param_names", "predict", "relative_error", "relu_margin", "relu",
    "rounding_noise",
    "relu_backward", "relu_forward", "save_params", "sigmoid", "sigmoid_backward", "sigmoid_forward",
    "softmax", "softmax_backward", "softmax_cross_entropy", "softmax_forward", "squared_error",
    "tanh_backward", "tanh_forward", "train", "train_epoch", "xavier_bound", "xavier_uniform",
]
