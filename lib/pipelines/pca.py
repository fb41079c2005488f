"""Chapter 6 (Comparing against PCA, Q6.1-Q6.4), fairly: both methods on the same images.

``run()`` fits PCA with 32 components to the NIST36 training images (``lib.pca``, cached),
reports the projection matrix's size and rank, reconstructs the same five classes x two
test images as chapter 5's autoencoder (whose trained network it loads from the cache),
computes the average PSNR of **both** methods on the validation and the test split, counts
both models' learned parameters from the objects, and records Q6.1 ... Q6.4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib import cache, fmt, results
from lib.autoencoder import n_parameters, params_of, reconstruct
from lib.data import CLASSES, load_nist36, nist36_fingerprint, nist36_source, to_image
from lib.metrics import psnr_per_image
from lib.pca import PCA, fit_pca
from lib.pipelines import autoencoder as ae

#: As many components as the autoencoder's bottleneck has units.
N_COMPONENTS = 32


@cache.cached("pca", code=("lib.pca",), data=(nist36_fingerprint,))
def _fit(n_components: int) -> dict:
    pca = fit_pca(load_nist36("train")[0], n_components)
    return {"mean": pca.mean, "components": pca.components, "singular_values": pca.singular_values}


def fitted(n_components: int = N_COMPONENTS) -> PCA:
    """PCA of all training images (cached: the SVD of a 10800 x 1024 matrix takes seconds)."""
    d = _fit(n_components)
    return PCA(mean=d["mean"], components=d["components"], singular_values=d["singular_values"])


@dataclass
class PCAResults:
    source: str
    pca: PCA
    projection_shape: tuple[int, int]
    projection_rank: int
    basis_shape: tuple[int, int]
    explained: float  # fraction of training variance kept
    train_error: float  # squared reconstruction error of the training set
    psnr: pd.DataFrame  # method x split -> mean PSNR (dB)
    psnr_test_pca: np.ndarray  # per test image
    psnr_test_ae: np.ndarray
    examples: np.ndarray  # (10, 3, 32, 32): test image, PCA, autoencoder (upright)
    example_labels: list[str]
    params: pd.DataFrame  # learned parameters per model
    n_params_ae: int
    n_params_pca: int
    n_params_pca_no_mean: int
    n_test: int
    n_valid: int
    errors: pd.DataFrame  # where each method's errors are, on the test set

    @property
    def energy_gap(self) -> float:
        """|training error - discarded singular values' energy| / discarded energy (exactness)."""
        return abs(self.train_error - self.pca.discarded_energy()) / self.pca.discarded_energy()


def run() -> PCAResults:
    pca = fitted()
    P = pca.projection_matrix()
    x_train = np.asarray(load_nist36("train")[0], np.float64)
    train_error = float(np.sum((x_train - pca.reconstruct(x_train)) ** 2))

    ae_params = params_of(ae.trained())
    splits = {"valid": load_nist36("valid"), "test": load_nist36("test")}
    rows, per_image = [], {}
    for split, (X, _, _) in splits.items():
        for method, recon in (("PCA", pca.reconstruct(X)), ("autoencoder", reconstruct(ae_params, X))):
            p = psnr_per_image(X, recon, ae.MAX_VALUE)
            per_image[(method, split)] = p
            rows.append({"method": method, "split": split, "mean PSNR (dB)": float(p.mean())})
    table = pd.DataFrame(rows).pivot(index="method", columns="split", values="mean PSNR (dB)")
    table = table.loc[["autoencoder", "PCA"], ["valid", "test"]]
    table.columns.name = None

    x_test, y_test, _ = splits["test"]
    errors = error_table(x_test, {"autoencoder": reconstruct(ae_params, x_test), "PCA": pca.reconstruct(x_test)})
    idx = ae.example_indices(y_test)
    pca_recon = pca.reconstruct(x_test[idx])
    ae_recon = reconstruct(ae_params, x_test[idx])
    examples = np.stack(
        [[to_image(x_test[i]), to_image(pca_recon[k]), to_image(ae_recon[k])] for k, i in enumerate(idx)]
    )

    n_ae = n_parameters(ae_params)
    params = pd.DataFrame(
        [
            {"model": "autoencoder", "learned arrays": ", ".join(f"{k} {v.shape}" for k, v in ae_params.items()),
             "parameters": n_ae},
            {"model": "PCA", "learned arrays": f"components {pca.components.shape}, mean {pca.mean.shape}",
             "parameters": pca.n_parameters()},
        ]
    )
    out = PCAResults(
        source=nist36_source(),
        pca=pca,
        projection_shape=P.shape,
        projection_rank=int(np.linalg.matrix_rank(P, hermitian=True)),  # P = V V^T is symmetric
        basis_shape=pca.basis.shape,
        explained=pca.explained_variance_ratio(),
        train_error=train_error,
        psnr=table,
        psnr_test_pca=per_image[("PCA", "test")],
        psnr_test_ae=per_image[("autoencoder", "test")],
        examples=examples,
        example_labels=[CLASSES[int(y_test[i])] for i in idx],
        params=params,
        n_params_ae=n_ae,
        n_params_pca=pca.n_parameters(),
        n_params_pca_no_mean=pca.n_parameters(include_mean=False),
        n_test=len(x_test),
        n_valid=len(splits["valid"][0]),
        errors=errors,
    )
    _record(out)
    return out


def error_table(X: np.ndarray, recons: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per method: mean squared and absolute error per pixel, the share of pixels off by more
    than 0.5, the mean error on paper (original > 0.9) and ink (original < 0.2) pixels, and
    the share of reconstructed pixels outside [0, 1]."""
    X = np.asarray(X, np.float64)
    paper, ink = X > 0.9, X < 0.2
    rows = []
    for method, R in recons.items():
        e = np.asarray(R, np.float64) - X
        rows.append(
            {
                "method": method,
                "squared": float(np.mean(e**2)),
                "absolute": float(np.mean(np.abs(e))),
                "off by > 0.5": float(np.mean(np.abs(e) > 0.5)),
                "on paper": float(np.mean(np.abs(e[paper]))),
                "on ink": float(np.mean(np.abs(e[ink]))),
                "outside [0, 1]": float(np.mean((R < 0) | (R > 1))),
            }
        )
    return pd.DataFrame(rows).set_index("method")


def _record(r: PCAResults) -> None:
    results.record(
        "Q6.1", r.projection_rank, data=r.source,
        display=f"P = V V^T is {r.projection_shape[0]}x{r.projection_shape[1]}, rank {r.projection_rank} "
        f"(basis V {r.basis_shape[0]}x{r.basis_shape[1]})",
    )
    results.record("Q6.2", f"{len(r.example_labels)} test images: original, PCA, autoencoder", data=r.source)
    pca_t, ae_t = float(r.psnr.loc["PCA", "test"]), float(r.psnr.loc["autoencoder", "test"])
    results.record(
        "Q6.3", pca_t, data=r.source,
        display=f"PCA {pca_t:.2f} dB vs autoencoder {ae_t:.2f} dB (test)",
        autoencoder_test=ae_t,
    )
    results.record(
        "Q6.4", r.n_params_pca, data=r.source,
        display=f"PCA {fmt.count(r.n_params_pca)} (with mean) vs autoencoder {fmt.count(r.n_params_ae)}",
        autoencoder=r.n_params_ae,
    )
