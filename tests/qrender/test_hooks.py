"""The project's pre-render and post-render scripts, run the way Quarto runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_hook(name: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "qrender" / "hooks" / name)], cwd=ROOT,
                          env=dict(os.environ, **env), capture_output=True, text=True, timeout=120)


def test_pre_render_of_a_chapter_without_pipeline_runs_nothing() -> None:
    proc = run_hook("pre_render.py", QUARTO_PROJECT_RENDER_ALL="",
                    QUARTO_PROJECT_INPUT_FILES="report/appendix-data.qmd")
    assert proc.returncode == 0, proc.stderr
    assert "no pipeline belongs to the rendered chapters" in proc.stderr


def test_post_render_writes_results_json(tmp_path: Path) -> None:
    proc = run_hook("post_render.py", QUARTO_PROJECT_OUTPUT_DIR=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert isinstance(json.loads((tmp_path / "results.json").read_text()), dict)


def test_quarto_yml_declares_the_hooks_and_the_book_layout() -> None:
    from qrender.project import load

    project = load(ROOT, profiles=[])
    assert project.scripts("pre-render") == ["qrender/hooks/pre_render.py"]
    assert project.scripts("post-render") == ["qrender/hooks/post_render.py"]
    chapters = project.chapters()
    assert chapters[0].rel == "index.qmd" and chapters[0].kind == "index"
    assert [c.name for c in chapters if c.kind == "chapter"] == [
        "01-theory", "02-network", "03-training", "04-text-extraction", "05-autoencoder", "06-pca", "07-pytorch"]
    assert [c.number for c in chapters if c.kind == "chapter"] == [str(n) for n in range(1, 8)]
    assert [(c.name, c.number) for c in chapters if c.kind == "appendix"] == [("appendix-data", "A")]
    assert project.freeze == "auto" and project.project["execute-dir"] == "project"
    assert project.format("html")["html-math-method"] == "mathml"
    assert set(project.project["render"]) == {c.rel for c in chapters}
    assert load(ROOT, profiles=["quick"]).freeze is False
