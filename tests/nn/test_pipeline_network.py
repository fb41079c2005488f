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
    for q in questions:  # every check holds; no goal of ours is missed
        assert recorded[q]["pass"] is not False and recorded[q]["goal_met"] is not False, (q, recorded[q])
    assert recorded["Q2.5.1"]["pass"] and recorded["Q2.2.1"]["pass"]
    assert r.gradcheck_info["max_error"] < network.GRAD_TOL
    assert r.init["zero_w1_spread"] == 0.0
    assert r.ae_terms["terms_error"] < r.ae_terms["sum_error"]


def test_full_profile_checks_all_67940_parameters(monkeypatch):
    """Q2.5.1: the book's check covers every coordinate of the Q3 network, not a sample."""
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    from lib.nn import NetworkSpec, init_params
    from lib.pipelines import network

    assert network.gradcheck_config().max_coords is None
    assert sum(p.size for p in init_params(NetworkSpec.classifier(), 0).values()) == 67_940
