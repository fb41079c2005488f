"""Chapter 2's pipeline in the quick profile: it runs, and records Q2.1.1 ... Q2.5.1 as passed."""

from __future__ import annotations

import pytest

from lib import results


@pytest.mark.slow
def test_network_pipeline_records_every_question(monkeypatch):
    monkeypatch.setenv("QUARTO_PROFILE", "quick")
    from lib.pipelines import network

    r = network.run()
    recorded = results.collect()
    questions = ["Q2.1.1", "Q2.1.2", "Q2.1.3", "Q2.2.1", "Q2.2.2", "Q2.2.3", "Q2.3.1", "Q2.4.1", "Q2.5.1"]
    for q in questions:
        assert recorded[q]["pass"], (q, recorded[q])
    assert r.gradcheck_info["max_error"] < network.GRAD_TOL
    assert r.init["zero_w1_spread"] == 0.0
    assert r.ae_terms["terms_error"] < r.ae_terms["sum_error"]
