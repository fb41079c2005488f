"""Chapter 6 pipeline (quick profile, tiny data): PCA and the autoencoder on the same images."""

from __future__ import annotations

import numpy as np
import pytest

from lib import results
from lib.autoencoder import params_of, reconstruct
from lib.data import load_nist36
from lib.metrics import psnr_per_image
from lib.pipelines import autoencoder, pca


@pytest.fixture(scope="module")
def chapter(tiny_quick):
    return pca.run()


def test_projection_matrix(chapter):
    assert chapter.projection_shape == (1024, 1024)
    assert chapter.projection_rank == pca.N_COMPONENTS
    assert chapter.basis_shape == (1024, pca.N_COMPONENTS)


def test_pca_is_exact_on_training_data(chapter):
    assert chapter.energy_gap < 1e-8


def test_both_methods_on_the_same_images(chapter):
    X, _, _ = load_nist36("test")
    ae = psnr_per_image(X, reconstruct(params_of(autoencoder.trained()), X))
    np.testing.assert_allclose(chapter.psnr_test_ae, ae)
    assert chapter.psnr_test_pca.shape == chapter.psnr_test_ae.shape == (len(X),)
    assert chapter.psnr.loc["PCA", "test"] == pytest.approx(chapter.psnr_test_pca.mean())
    assert chapter.examples.shape == (10, 3, 32, 32)


def test_parameter_counts_from_the_objects(chapter):
    assert chapter.n_params_ae == 1024 * 32 + 32 + 2 * (32 * 32 + 32) + 32 * 1024 + 1024
    assert chapter.n_params_pca == 32 * 1024 + 1024
    assert chapter.n_params_pca_no_mean == 32 * 1024


def test_records(chapter):
    got = results.collect()
    for qid in ("Q6.1", "Q6.2", "Q6.3", "Q6.4"):
        assert qid in got
    assert got["Q6.1"]["value"] == pca.N_COMPONENTS
