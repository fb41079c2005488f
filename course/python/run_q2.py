"""Q2: the course's checks of nn.py on a small random problem (shapes, loss, training, gradients)."""

import _setup  # noqa: F401  (relative data path)
import numpy as np
from nn import (
    backwards,
    compute_loss_and_acc,
    forward,
    get_random_batches,
    initialize_weights,
    sigmoid_deriv,
    softmax,
)
from util import linear_deriv

from lib.nn.gradcheck import check_gradients

rng = np.random.default_rng(0)
# Four Gaussian blobs in 2-D, one class each (the course's toy problem).
centres = np.array([[3.6, 40.0], [3.9, 10.0], [3.4, 30.0], [2.0, 20.0]])
x = np.vstack([rng.normal(c, [0.2, 3.0], size=(10, 2)) for c in centres])
x = (x - x.mean(axis=0)) / x.std(axis=0)  # standardised, so the sigmoids do not saturate
y = np.eye(4)[np.repeat(np.arange(4), 10)]

params = {}
# Q2.1.2
initialize_weights(2, 25, params, "layer1")
initialize_weights(25, 4, params, "output")
assert params["Wlayer1"].shape == (2, 25) and params["blayer1"].shape == (25,)
print(f"Q2.1.2 Wlayer1 variance {params['Wlayer1'].var():.4f}, Xavier {2 / (2 + 25):.4f}")

# Q2.2.1-Q2.2.3
h1 = forward(x, params, "layer1")
probs = forward(h1, params, "output", softmax)
assert h1.shape == (40, 25) and probs.shape == (40, 4)
assert np.allclose(probs.sum(axis=1), 1.0)
loss, acc = compute_loss_and_acc(y, probs)
print(f"Q2.2.3 initial loss {loss:.3f}, accuracy {acc:.2f} (chance 0.25)")

# Q2.3.1: softmax + cross-entropy gradient is probs - y; the output layer is then linear
delta1 = probs - y
delta2 = backwards(delta1, params, "output", linear_deriv)
backwards(delta2, params, "layer1", sigmoid_deriv)
for name in ("Wlayer1", "blayer1", "Woutput", "boutput"):
    assert params["grad_" + name].shape == params[name].shape, name

# Q2.4.1: a training loop over random batches
batches = get_random_batches(x, y, 5)
assert sum(len(bx) for bx, _ in batches) == len(x)
for epoch in range(500):
    total_loss, total_acc = 0.0, 0.0
    for bx, by in get_random_batches(x, y, 5):
        h1 = forward(bx, params, "layer1")
        probs = forward(h1, params, "output", softmax)
        batch_loss, batch_acc = compute_loss_and_acc(by, probs)
        total_loss += batch_loss
        total_acc += batch_acc * len(bx)
        delta = backwards(probs - by, params, "output", linear_deriv)
        backwards(delta, params, "layer1", sigmoid_deriv)
        for name in ("Wlayer1", "blayer1", "Woutput", "boutput"):
            params[name] -= 1e-2 * params["grad_" + name]
    if epoch % 100 == 0:
        print(f"Q2.4.1 epoch {epoch:3d} loss {total_loss:8.3f} accuracy {total_acc / len(x):.2f}")


# Q2.5.1: central differences for every scalar of every weight
def loss_of(p):
    h = forward(x, p, "layer1")
    return compute_loss_and_acc(y, forward(h, p, "output", softmax))[0]


h1 = forward(x, params, "layer1")
probs = forward(h1, params, "output", softmax)
delta = backwards(probs - y, params, "output", linear_deriv)
backwards(delta, params, "layer1", sigmoid_deriv)
weights = {k: params[k] for k in ("Wlayer1", "blayer1", "Woutput", "boutput")}
grads = {k: params["grad_" + k] for k in weights}
result = check_gradients(loss_of, weights, grads, eps=1e-6)
for name, err in result.errors.items():
    print(f"Q2.5.1 {name:8s} max relative error {err:.2e}")
assert result.max_error < 1e-6, result.errors
print("Q2 checks passed")
