"""lib.pca: exact PCA by SVD (Q6)."""

import numpy as np
import pytest

from lib.pca import fit_pca


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    # Low-rank-ish data plus noise, so the spectrum decays but nothing is exactly zero.
    X = rng.normal(size=(300, 8)) @ rng.normal(size=(8, 64)) + 0.1 * rng.normal(size=(300, 64)) + 3.0
    return X


def test_training_error_equals_discarded_energy(data):
    pca = fit_pca(data, n_components=5)
    err = np.sum((data - pca.reconstruct(data)) ** 2)
    assert pca.discarded_energy() > 1.0  # a non-trivial amount is discarded
    np.testing.assert_allclose(err, pca.discarded_energy(), rtol=1e-10)


def test_is_the_best_rank_k_approximation(data):
    """Any other k-dimensional subspace (here: a perturbed one) reconstructs worse."""
    pca = fit_pca(data, n_components=5)
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(pca.basis + 0.05 * rng.normal(size=pca.basis.shape))
    centred = data - pca.mean
    other = np.sum((centred - centred @ q @ q.T) ** 2)
    assert other > pca.discarded_energy()


def test_projection_matrix_size_rank_and_idempotent(data):
    pca = fit_pca(data, n_components=7)
    P = pca.projection_matrix()
    assert P.shape == (64, 64)
    assert np.linalg.matrix_rank(P) == 7
    np.testing.assert_allclose(P @ P, P, atol=1e-10)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(7), atol=1e-10)


def test_all_components_reconstruct_exactly(data):
    pca = fit_pca(data, n_components=64)
    np.testing.assert_allclose(pca.reconstruct(data), data, atol=1e-9)
    assert pca.discarded_energy() == 0.0
    assert pca.explained_variance_ratio() == pytest.approx(1.0)


def test_parameters_and_codes(data):
    pca = fit_pca(data, n_components=4)
    assert pca.encode(data[:10]).shape == (10, 4)
    assert pca.n_parameters() == 4 * 64 + 64
    assert pca.n_parameters(include_mean=False) == 4 * 64


def test_deterministic_signs(data):
    a, b = fit_pca(data, 3), fit_pca(data.copy(), 3)
    np.testing.assert_array_equal(a.components, b.components)


def test_errors_name_the_problem(data):
    with pytest.raises(ValueError, match="n_components"):
        fit_pca(data, n_components=65)
    with pytest.raises(ValueError, match="expected"):
        fit_pca(data, 3).encode(data[:, :10])
