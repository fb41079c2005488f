"""Q6: PCA with 32 components (SVD of the centred training data) against the autoencoder.

``lib.pca.fit_pca`` takes the thin SVD ``X - mu = U S V^T`` of the training images; the first
32 rows of ``V^T`` are the principal directions, the projection matrix is ``P = V_k V_k^T``.
Prints the projection matrix's size and rank (Q6.1), writes ``q6_2_reconstructions.png``
(two test images of the five classes of Q5.3.1, PCA's reconstructions and, when
``q5_weights.npz`` from run_q5.py is here, the autoencoder's; Q6.2), prints the average test
PSNR (Q6.3) and the learned parameter counts (Q6.4). ``QUARTO_PROFILE=quick`` fits PCA on
1800 training images.
"""

import os

import _setup  # noqa: F401  (relative data path, cache in this folder)
import matplotlib.pyplot as plt
import numpy as np
from book import SHOW_CLASSES, example_indices

from lib import config
from lib.autoencoder import n_parameters, reconstruct
from lib.data import CLASSES, load_nist36, nist36_source, to_image
from lib.metrics import psnr_per_image
from lib.mlp import load_split
from lib.nn import load_params
from lib.pca import fit_pca

N_COMPONENTS = 32
print(f"Q6 on {nist36_source()} ({config.profile()} profile)")
x_train, _ = load_split("train", config.pick(full=None, quick=1800))
pca = fit_pca(x_train, N_COMPONENTS)

# Q6.1: size and rank of the projection matrix
P = pca.projection_matrix()
print(f"Q6.1 projection matrix P = V_k V_k^T: size {P.shape[0]} x {P.shape[1]}, rank "
      f"{np.linalg.matrix_rank(P)}; basis V_k {pca.basis.shape}; "
      f"{pca.explained_variance_ratio():.1%} of the training variance kept")

# Q6.2: test images and their reconstructions (PCA; the autoencoder when its weights are here)
x_test, y_test, _ = load_nist36("test")
recon_pca = pca.reconstruct(x_test)
rows = [(x_test, "test"), (recon_pca, "PCA")]
ae = load_params("q5_weights.npz") if os.path.isfile("q5_weights.npz") else None
if ae is not None:
    recon_ae = reconstruct(ae, x_test)
    rows.append((recon_ae, "AE"))
idx = example_indices(y_test)
fig, axes = plt.subplots(len(rows), len(idx), figsize=(len(idx) * 1.0, 1.2 * len(rows)))
for col, i in enumerate(idx):
    for row, (images, title) in enumerate(rows):
        axes[row, col].imshow(np.clip(to_image(images[i]), 0, 1), cmap="gray", vmin=0, vmax=1)
        axes[row, col].set_title(f"{CLASSES[y_test[i]]} {title}", fontsize=7)
        axes[row, col].axis("off")
fig.savefig("q6_2_reconstructions.png", dpi=120, bbox_inches="tight")
plt.close(fig)
print(f"Q6.2 classes {', '.join(SHOW_CLASSES)}; wrote q6_2_reconstructions.png"
      + ("" if ae is not None else " (no q5_weights.npz here: PCA only; run run_q5.py first)"))

# Q6.3: average PSNR on the test images
print(f"Q6.3 average PSNR on {len(x_test)} test images: PCA {psnr_per_image(x_test, recon_pca).mean():.2f} dB"
      + (f", autoencoder {psnr_per_image(x_test, recon_ae).mean():.2f} dB" if ae is not None else ""))

# Q6.4: learned parameters
print(f"Q6.4 learned parameters: PCA {pca.n_parameters()} ({pca.components.size} components + "
      f"{pca.mean.size} mean)" + (f", autoencoder {n_parameters(ae)}" if ae is not None else ""))
