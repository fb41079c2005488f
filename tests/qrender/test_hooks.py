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


def test_post_render_publishes_the_newest_kept_notebook_and_links_it(tmp_path: Path, monkeypatch) -> None:
    """After a render by Quarto: the newest `<chapter>.quarto_ipynb[_N]` becomes `_book/.../<chapter>.ipynb`."""
    import importlib.util
    import os
    import time

    spec = importlib.util.spec_from_file_location("post_render", ROOT / "qrender" / "hooks" / "post_render.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    (tmp_path / "report").mkdir()
    old, newer = tmp_path / "report" / "01-a.quarto_ipynb", tmp_path / "report" / "01-a.quarto_ipynb_1"
    old.write_text('{"old": true}')
    newer.write_text('{"new": true}')
    os.utime(old, (time.time() - 100, time.time() - 100))
    out = tmp_path / "_book"
    (out / "report").mkdir(parents=True)
    page = out / "report" / "01-a.html"
    page.write_text('<div class="sidebar-tools-main">\n<a href="../book.pdf" title="Download PDF" '
                    'class="quarto-navigation-tool px-1" aria-label="Download PDF"><i class="bi bi-file-pdf"></i></a>\n</div>')
    assert hook.publish_notebooks(out, [page]) == [out / "report" / "01-a.ipynb"]
    assert (out / "report" / "01-a.ipynb").read_text() == '{"new": true}'
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["01-a.quarto_ipynb"]  # the newest, renamed
    html = page.read_text()
    assert html.index('title="Download PDF"') < html.index('href="01-a.ipynb"')  # beside "Download PDF"
    hook.publish_notebooks(out, [page])  # a frozen chapter next time: still published, linked once
    assert page.read_text().count("qrender-notebook") == 1
