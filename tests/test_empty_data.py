"""Issue 11: with an empty data folder and no network every pipeline still completes.

``python -m lib.pipelines`` runs in the quick profile with HW5_DATA pointing at an empty
folder (and its own cache and figures folders): NIST36 comes from the synthetic generator and
every result made from it says so; questions whose data (sample photos, MNIST, EMNIST,
Flowers-17) are missing are recorded as "not run", never with a made-up value. Torchvision's
downloads fail offline; on a connected machine they would go to the temporary cache instead, so
the MNIST/EMNIST assertions only hold when they did fail (checked through the recorded data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.pipelines import PIPELINES
from lib.questions import QUESTIONS

ROOT = Path(__file__).resolve().parent.parent

#: Questions answered from NIST36 (real or synthetic) by the pipelines.
NIST36_QUESTIONS = ("Q2.1.1", "Q2.2.3", "Q2.4.1", "Q2.5.1", "Q3.1.1", "Q3.1.2", "Q3.1.5", "Q5.1.1", "Q5.2",
                    "Q5.3.2", "Q6.1", "Q6.3", "Q6.4", "Q7.1.1", "Q7.1.3")
#: Questions that need files an empty data folder lacks (and that cannot be made up).
NEEDS_FILES = ("Q4.3", "Q4.4", "Q7.2.1")


@pytest.fixture(scope="module")
def empty_run(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("empty")
    (root / "data").mkdir()
    env = dict(os.environ, HW5_DATA=str(root / "data"), HW5_CACHE=str(root / "cache"),
               HW5_FIGURES=str(root / "figures"), QUARTO_PROFILE="quick", HW5_QUIET="1",
               OMP_NUM_THREADS="1")
    out = root / "results.json"
    proc = subprocess.run([sys.executable, "-m", "lib.pipelines", "--results", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert not any((root / "data").iterdir()), "a pipeline wrote into the data directory"
    return {"results": json.loads(out.read_text()), "stderr": proc.stderr}


@pytest.mark.slow
def test_every_pipeline_completes(empty_run):
    for name in PIPELINES:
        assert f"] {name}:" in empty_run["stderr"], f"pipeline {name} did not report"


@pytest.mark.slow
def test_nist36_results_say_synthetic(empty_run):
    res = empty_run["results"]
    for qid in NIST36_QUESTIONS:
        assert qid in res, f"{qid} not recorded"
        assert "SYNTHETIC" in res[qid]["data"].upper(), (qid, res[qid]["data"])


@pytest.mark.slow
def test_questions_without_their_files_are_not_run(empty_run):
    res = empty_run["results"]
    for qid in NEEDS_FILES:
        entry = res[qid]
        assert entry["value"] is None and entry["pass"] is None, (qid, entry)
        assert entry["display"].startswith("not run:"), (qid, entry["display"])
        assert "make data" in entry["display"]
        assert entry["data"].startswith("not available"), (qid, entry["data"])
    for qid in ("Q7.1.2", "Q7.1.4"):  # MNIST/EMNIST: not run, unless torchvision could download them
        entry = res[qid]
        if "not available" in entry["data"]:
            assert entry["value"] is None and entry["display"].startswith("not run:"), (qid, entry)


@pytest.mark.slow
def test_chapter_4_still_measures_the_method_on_generated_pages(empty_run):
    res = empty_run["results"]
    assert "generated pages" in res["Q4.1"]["data"]
    q42 = res["Q4.2"]
    assert 0 < q42["value"] <= 1 and "sample photos are not available" in q42["data"]
    assert any(k.startswith("generated_cer_") for k in res["Q4.4"])


@pytest.mark.slow
def test_every_question_is_recorded(empty_run):
    missing = [q.qid for q in QUESTIONS if q.qid not in empty_run["results"]]
    assert not missing, f"no result recorded for {missing}"
