"""PCA by SVD of the mean-centred training data (Q6), the autoencoder's linear baseline.

With the training rows centred, ``X - mu = U S V^T`` (thin SVD). The first ``k`` rows of
``V^T`` are the principal directions; an image ``x`` is encoded by ``z = (x - mu) V_k`` (k
numbers) and reconstructed by ``x_hat = mu + z V_k^T``. The projection matrix
``P = V_k V_k^T`` (D x D) has rank ``k``. On the training data the squared reconstruction
error is exactly the energy of the discarded singular values, ``sum_{i > k} s_i^2``
(Eckart-Young), which ``tests/test_pca.py`` checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PCA:
    """A fitted PCA model. Arrays are float64.

    mean:            (D,) training mean
    components:      (k, D) principal directions, orthonormal rows, most important first
    singular_values: every singular value of the centred training data, descending
    """

    mean: np.ndarray
    components: np.ndarray
    singular_values: np.ndarray

    @property
    def n_components(self) -> int:
        return self.components.shape[0]

    @property
    def basis(self) -> np.ndarray:
        """V_k, (D, k): columns are the principal directions (encode with ``(x - mu) @ basis``)."""
        return self.components.T

    def projection_matrix(self) -> np.ndarray:
        """P = V_k V_k^T, (D, D): projects centred images onto the principal subspace."""
        return self.basis @ self.components

    def encode(self, X: np.ndarray) -> np.ndarray:
        """(N, D) images -> (N, k) codes."""
        X = _as_2d(X, self.mean.shape[0], "encode")
        return (X - self.mean) @ self.basis

    def decode(self, Z: np.ndarray) -> np.ndarray:
        """(N, k) codes -> (N, D) reconstructed images."""
        return np.asarray(Z, dtype=np.float64) @ self.components + self.mean

    def reconstruct(self, X: np.ndarray) -> np.ndarray:
        """Project onto the principal subspace and back: (N, D) -> (N, D)."""
        return self.decode(self.encode(X))

    def discarded_energy(self) -> float:
        """sum of s_i^2 over the discarded singular values: the training reconstruction error."""
        return float(np.sum(self.singular_values[self.n_components :] ** 2))

    def explained_variance_ratio(self) -> float:
        """Fraction of the training data's variance that the kept components explain."""
        energy = self.singular_values**2
        return float(energy[: self.n_components].sum() / energy.sum())

    def n_parameters(self, include_mean: bool = True) -> int:
        """Numbers learned from the training data: the k x D components (+ the D-vector mean)."""
        return int(self.components.size + (self.mean.size if include_mean else 0))


def fit_pca(X: np.ndarray, n_components: int = 32) -> PCA:
    """PCA of the rows of ``X`` (N, D) by the thin SVD of the mean-centred data, in float64."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"fit_pca: X must be (N, D) with one image per row, got shape {X.shape}")
    if not 1 <= n_components <= min(X.shape):
        raise ValueError(f"fit_pca: n_components={n_components} must lie in [1, {min(X.shape)}] for X of shape {X.shape}")
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    # Fix each direction's sign (largest-magnitude entry positive) so reruns agree exactly.
    signs = np.sign(vt[np.arange(vt.shape[0]), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1.0
    vt = vt * signs[:, None]
    return PCA(mean=mean, components=np.ascontiguousarray(vt[:n_components]), singular_values=s)


def _as_2d(X: np.ndarray, dim: int, where: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != dim:
        raise ValueError(f"PCA.{where}: expected (N, {dim}) images, got shape {X.shape}")
    return X
