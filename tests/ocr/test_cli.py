"""``python -m lib.ocr``: prints the text, saves the boxes figure, reports bad files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import skimage.io

from lib.config import PROJECT_ROOT
from lib.ocr import __main__ as cli
from lib.ocr import classify
from tests.ocr.drawn import draw_page
from tests.ocr.stub import stub_scores


def _png(path, text):
    image, _ = draw_page(text)
    skimage.io.imsave(path, np.round(image * 255).astype(np.uint8), check_contrast=False)
    return path


def test_cli_prints_text_and_saves_boxes(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(classify._SCORERS, "mlp", stub_scores)
    page = _png(tmp_path / "page.png", "OIL IO\nLO")
    out = tmp_path / "boxes.png"
    assert cli.main([str(page), "--boxes", str(out)]) == 0
    assert capsys.readouterr().out.strip() == "OIL IO\nLO"
    assert out.is_file() and skimage.io.imread(out).ndim == 3


def test_cli_several_images_and_a_missing_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(classify._SCORERS, "mlp", stub_scores)
    a = _png(tmp_path / "a.png", "OI")
    b = _png(tmp_path / "b.png", "LL")
    status = cli.main([str(a), str(tmp_path / "missing.jpg"), str(b), "--boxes", str(tmp_path / "x.png")])
    captured = capsys.readouterr()
    assert status == 1
    assert "OI" in captured.out and "LL" in captured.out
    assert "missing.jpg" in captured.err
    assert (tmp_path / "x-a.png").is_file() and (tmp_path / "x-b.png").is_file()


def test_cli_help_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "lib.ocr", "--help"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "--model" in result.stdout and "--boxes" in result.stdout
