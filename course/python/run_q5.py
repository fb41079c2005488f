"""Q5: the 1024-32-32-32-1024 autoencoder (ReLU, sigmoid output, momentum), loss, PSNR.

Q5.1.1/Q5.1.2 are ``lib.autoencoder`` (the ``lib.nn`` layers with ``NetworkSpec.autoencoder``,
total squared error, ``lib.nn.Momentum``: M = 0.9 M - lr dJ/dW, W = W + M). This script trains
it with the handout's defaults (Q5.2: those of the starter run_q5.py: batch 36, learning rate
3e-5 times 0.9 after every 20th epoch, batches drawn once, 100 epochs; cached in HW5_CACHE,
default ./.cache) and writes into the current folder:

* ``q5_2_loss.png``: training (and validation) loss per epoch;
* ``q5_3_1_reconstructions.png``: two validation images of five classes and their
  reconstructions (Q5.3.1);
* ``q5_weights.npz``: the trained parameters W1..b4 (used by run_q6.py for the comparison).

It prints the average PSNR over the validation images (Q5.3.2). ``QUARTO_PROFILE=quick``
trains 8 epochs on 1800 images.
"""

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt
from book import SHOW_CLASSES, ae_config, example_indices

from lib import config
from lib.autoencoder import n_parameters, params_of, reconstruct, train_autoencoder
from lib.data import CLASSES, load_nist36, nist36_source, to_image
from lib.metrics import psnr_per_image
from lib.nn import save_params

cfg = ae_config()
print(f"Q5 on {nist36_source()} ({config.profile()} profile): {cfg}")
result = train_autoencoder(cfg)
params = params_of(result)
print(f"Q5.1.1 layers {', '.join(f'{k} {v.shape}' for k, v in params.items())}; "
      f"{n_parameters(params)} parameters; trained in {result['seconds']:.0f} s")

# Q5.2: the training loss per epoch
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(result["epoch"][1:], result["train_loss"][1:], label="training")
ax.plot(result["epoch"][1:], result["valid_loss"][1:], ls="--", label="validation")
ax.set_xlabel("epoch")
ax.set_ylabel("total squared error per image")
ax.legend()
fig.tight_layout()
fig.savefig("q5_2_loss.png", dpi=120)
plt.close(fig)
print(f"Q5.2 final training loss {result['train_loss'][-1]:.2f} per image; wrote q5_2_loss.png")

# Q5.3.1: two validation images of each of five classes, and their reconstructions
x_valid, y_valid, _ = load_nist36("valid")
recon = reconstruct(params, x_valid)
idx = example_indices(y_valid)
fig, axes = plt.subplots(2, len(idx), figsize=(len(idx) * 1.0, 2.4))
for col, i in enumerate(idx):
    for row, (images, title) in enumerate(((x_valid, "valid"), (recon, "recon."))):
        axes[row, col].imshow(to_image(images[i]), cmap="gray", vmin=0, vmax=1)
        axes[row, col].set_title(f"{CLASSES[y_valid[i]]} {title}", fontsize=7)
        axes[row, col].axis("off")
fig.savefig("q5_3_1_reconstructions.png", dpi=120, bbox_inches="tight")
plt.close(fig)
print(f"Q5.3.1 classes {', '.join(SHOW_CLASSES)}; wrote q5_3_1_reconstructions.png")

# Q5.3.2: average PSNR over the validation images
psnr = psnr_per_image(x_valid, recon, 1.0)
print(f"Q5.3.2 average PSNR on {len(x_valid)} validation images: {psnr.mean():.2f} dB")

save_params("q5_weights.npz", params)
print("wrote q5_weights.npz")
