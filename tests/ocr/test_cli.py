"""``python -m lib.ocr``: text, JSON, the boxes figure, and every input checked before a model loads."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
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


@pytest.fixture
def stub_models(monkeypatch):
    for kind in classify.MODELS:
        monkeypatch.setitem(classify._SCORERS, kind, stub_scores)


@pytest.fixture
def no_model(monkeypatch):
    """Fail the test if any model is loaded."""
    def refuse(kind):
        raise AssertionError(f"model {kind!r} loaded before the inputs were checked")

    monkeypatch.setattr(cli, "load_model", refuse)


def test_cli_prints_text_and_saves_boxes(tmp_path, stub_models, capsys):
    page = _png(tmp_path / "page.png", "OIL IO\nLO")
    out = tmp_path / "boxes.png"
    assert cli.main([str(page), "--boxes", str(out)]) == 0
    assert capsys.readouterr().out.strip() == "OIL IO\nLO"
    assert out.is_file() and skimage.io.imread(out).ndim == 3


def test_cli_reads_several_images_in_one_call(tmp_path, stub_models, capsys, monkeypatch):
    loads = []
    real = cli.load_model
    monkeypatch.setattr(cli, "load_model", lambda kind: loads.append(kind) or real(kind))
    a, b = _png(tmp_path / "a.png", "OI"), _png(tmp_path / "b.png", "LL")
    assert cli.main([str(a), str(b), "--boxes", str(tmp_path / "x.png")]) == 0
    out = capsys.readouterr().out
    assert f"== {a}\nOI" in out and f"== {b}\nLL" in out
    assert loads == ["reader"]  # the model is loaded once
    assert (tmp_path / "x-a.png").is_file() and (tmp_path / "x-b.png").is_file()


def test_cli_json(tmp_path, stub_models, capsys):
    page = _png(tmp_path / "page.png", "OIL IO")
    assert cli.main([str(page), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"] == "reader" and "y1, x1, y2, x2" in doc["box_format"]
    photo = doc["photos"][0]
    assert photo["file"] == str(page) and photo["text"] == "OIL IO"
    line = photo["lines"][0]
    assert [w["text"] for w in line["words"]] == ["OIL", "IO"]
    char = line["words"][0]["chars"][0]
    assert char["char"] == "O" and 0.5 < char["confidence"] <= 1.0
    assert len(char["alternatives"]) == 3 and char["alternatives"][0][0] == "O"
    y1, x1, y2, x2 = char["box"]
    assert 0 <= y1 < y2 and 0 <= x1 < x2
    assert any(c["chosen"] for c in line["candidates"])
    assert set(photo["seconds"]) == {"load", "detect", "read"}


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.jpg", "not found"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "notes.jpg").write_text("hello") and d / "notes.jpg", "not an image"),
    (lambda d: (d / "empty.png").write_bytes(b"") or d / "empty.png", "is empty"),
])
def test_bad_inputs_are_usage_errors_before_any_model(tmp_path, no_model, capsys, make, message):
    good = _png(tmp_path / "good.png", "OI")
    bad = make(tmp_path)
    assert cli.main([str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and str(bad) in err and "\n" not in err


def test_boxes_never_overwrites_a_photo(tmp_path, no_model, capsys):
    page = _png(tmp_path / "page.png", "OI")
    before = page.read_bytes()
    assert cli.main([str(page), "--boxes", str(page), "--force"]) == 2
    assert "overwrite the photo" in capsys.readouterr().err
    assert page.read_bytes() == before


def test_boxes_replaces_a_file_only_with_force(tmp_path, stub_models, capsys):
    page = _png(tmp_path / "page.png", "OI")
    out = tmp_path / "out.png"
    out.write_bytes(b"keep me")
    assert cli.main([str(page), "--boxes", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"keep me"
    assert cli.main([str(page), "--boxes", str(out), "--force"]) == 0
    assert skimage.io.imread(out).ndim == 3


def test_boxes_creates_missing_folders_or_says_why_not(tmp_path, stub_models, capsys):
    page = _png(tmp_path / "page.png", "OI")
    out = tmp_path / "new" / "deeper" / "boxes.pdf"
    assert cli.main([str(page), "--boxes", str(out)]) == 0
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    capsys.readouterr()
    assert cli.main([str(page), "--boxes", str(blocker / "boxes.png")]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["boxes.txt", "boxes"])
def test_boxes_unknown_format_is_a_usage_error(tmp_path, no_model, capsys, name):
    page = _png(tmp_path / "page.png", "OI")
    assert cli.main([str(page), "--boxes", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err.strip()
    assert "png" in err and "\n" not in err
    assert not (tmp_path / name).exists()


def test_argument_errors_are_one_line_with_exit_code_2():
    result = subprocess.run([sys.executable, "-m", "lib.ocr", "x.jpg", "--model", "svm"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "svm" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "lib.ocr"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_cli_help_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "lib.ocr", "--help"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--model", "--boxes", "--json", "--force", "--lexicon", "--raw"):
        assert option in result.stdout


def test_raw_prints_the_networks_own_transcription(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(classify._SCORERS, "mlp", lambda rows: stub_scores(rows, digits=True))
    page = _png(tmp_path / "page.png", "OLL LOL")
    assert cli.main([str(page), "--model", "mlp", "--raw"]) == 0
    assert capsys.readouterr().out.strip() == "0LL L0L"
    assert cli.main([str(page), "--model", "mlp"]) == 0
    assert capsys.readouterr().out.strip() == "OLL LOL"


def test_photos_are_decoded_one_ahead_in_order_and_errors_stay_with_their_photo():
    import threading
    from pathlib import Path

    from lib.data.errors import DataError

    started = []
    first_started = threading.Event()

    def load(path):
        started.append(path.name)
        first_started.set()
        if path.name == "bad":
            raise DataError(f"{path} is not an image")
        return path.name.upper()

    paths = [Path("a"), Path("bad"), Path("c")]
    results = []
    with cli._prefetched(paths, load) as pending:
        assert first_started.wait(5)  # the first photo decodes at once, while the model loads
        for k, future in enumerate(pending):
            assert len(started) <= k + 2  # never more than one photo ahead
            try:
                results.append(future.result())
            except DataError as exc:
                results.append(str(exc))
    assert results == ["A", "bad is not an image", "C"]
    with cli._prefetched([], load) as pending:
        assert list(pending) == []
