"""Reading's scores are ``scipy.special.log_softmax`` of the logits (overflowing and all-equal
rows included), and probabilities are only logged."""

from __future__ import annotations

import numpy as np
import scipy.special

from lib.ocr.recognize import log_probabilities


def test_logits_are_log_softmaxed_as_scipy_does():
    rng = np.random.default_rng(0)
    for columns in (36, 37):
        logits = rng.normal(0, 8, (50, columns))
        logits[0] = 0.0                      # all equal
        logits[1, 3] = 800.0                 # one that would overflow np.exp without the shift
        logits[2] -= 1000.0                  # all far below zero
        got = log_probabilities(logits.astype(np.float32))
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, scipy.special.log_softmax(logits.astype(np.float32).astype(np.float64), axis=1),
                                   rtol=0, atol=1e-12)


def test_probabilities_are_only_logged():
    p = scipy.special.softmax(np.random.default_rng(1).normal(size=(5, 36)), axis=1)
    np.testing.assert_allclose(log_probabilities(p), np.log(p), rtol=1e-12)

