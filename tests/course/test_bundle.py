"""``make submission``: the zip follows the course's rules, and its scripts run from python/.

The bundle is built into a temporary folder, unzipped, given a ``data`` link to the configured
data directory (as the course's layout has ``data/`` next to ``python/``), and ``run_q2.py``
and ``run_q4.py`` are run from inside ``python/`` in the quick profile with a fresh cache and
no HW5_DATA, so only the relative ``../data`` can find the data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course import build
from lib import config
from lib.data import SAMPLE_IMAGES

COURSE_FILES = {"nn.py", "q4.py", "util.py", "run_q2.py", "run_q3.py", "run_q4.py", "run_q5.py", "run_q6.py",
                "run_q7_1_1.py", "run_q7_1_2.py", "run_q7_1_3.py", "run_q7_1_4.py", "run_q7_2_1.py"}


def _data_available() -> bool:
    data = config.data_dir()
    return (all((data / f"nist36_{s}.mat").is_file() for s in ("train", "valid", "test"))
            and all((data / "images" / f"{n}.jpg").is_file() for n in SAMPLE_IMAGES))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The zip, built with an empty cache (so without weights: run_q4 must train its own)."""
    out = tmp_path_factory.mktemp("submission")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HW5_CACHE", str(out / "empty-cache"))
        return build.build("andrewid", out_dir=out)


def test_zip_holds_the_course_layout(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
    assert all(n.startswith("python/") for n in names), names
    assert COURSE_FILES <= {n.removeprefix("python/") for n in names}
    lib = {n.removeprefix("python/") for n in names if n.startswith("python/lib/")}
    for needed in ("lib/nn/network.py", "lib/ocr/detect.py", "lib/mlp.py", "lib/mlp_search.py", "lib/pca.py",
                   "lib/autoencoder.py", "lib/data/nist36.py", "lib/deep/recipes.py", "lib/config.py"):
        assert needed in lib
    for excluded in ("lib/pipelines/", "lib/plots.py", "lib/results.py", "lib/scorecard.py", "lib/data/fetch.py",
                     "lib/data/synthetic/", "lib/ocr/__main__.py"):
        assert not any(n.startswith(excluded) for n in lib), excluded
    assert "python/q3_weights.npz" not in names  # the cache was empty and the build never trains


def test_zip_has_no_data_caches_absolute_paths_or_large_files(bundle):
    build.check(bundle)  # the builder's own check
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            parts = Path(info.filename).parts
            assert not info.filename.startswith("/") and ".." not in parts
            assert "data" not in parts[:2] and ".cache" not in parts and "__pycache__" not in parts
            assert not info.filename.endswith((".mat", ".jpg", ".pyc", ".pickle", ".pth"))
            assert info.file_size <= 10 * 1024 * 1024
            if info.filename.endswith(".py"):
                text = zf.read(info).decode()
                assert str(config.PROJECT_ROOT) not in text and str(config.data_dir()) not in text
    assert (bundle.parent / "andrewid.zip").is_file()
    for pdf in (config.PROJECT_ROOT / "_book").glob("*.pdf"):  # the writeup goes beside the zip
        assert (bundle.parent / pdf.name).is_file()
    assert bundle.stat().st_size < 10 * 1024 * 1024


@pytest.mark.parametrize("name, content, message", [
    ("python/data/nist36_train.mat", b"x", "data"),
    ("data/images/01_list.jpg", b"x", "data"),
    ("python/.cache/mlp/abc.npz", b"x", "cache"),
    ("python/lib/__pycache__/config.cpython-311.pyc", b"x", "cache"),
    ("python/q3_weights.pickle", b"x", "pickle"),
    ("python/big.npz", b"\0" * (10 * 1024 * 1024 + 1), "10 MB"),
    ("python/run_q9.py", f"DATA = '{config.PROJECT_ROOT}/data'".encode(), "absolute path"),
    ("/python/run_q2.py", b"", "relative"),
])
def test_check_rejects_what_the_course_forbids(tmp_path, name, content, message):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("python/run_q2.py", "print('ok')\n")
        zf.writestr(name, content)
    with pytest.raises(ValueError, match=message):
        build.check(path)


def test_a_script_importing_report_code_is_refused(tmp_path):
    script = tmp_path / "run_q3.py"
    script.write_text("from lib.pipelines import training\n")
    with pytest.raises(ValueError, match="not submitted"):
        build.lib_files(config.PROJECT_ROOT, [script])


def _unpacked(bundle: Path, tmp_path: Path) -> Path:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "hw")
    (tmp_path / "hw" / "data").symlink_to(config.data_dir(), target_is_directory=True)
    return tmp_path / "hw" / "python"


def _run(script: str, folder: Path, cache: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HW5_DATA", "PYTHONPATH", "HW5_FIGURES")}
    env.update(QUARTO_PROFILE="quick", HW5_CACHE=str(cache), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
               OMP_NUM_THREADS="1", HW5_QUIET="1")
    return subprocess.run([sys.executable, script, *args], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _outside(folder: Path) -> set[str]:
    """Every path of the unpacked tree outside python/ (the data link is not followed)."""
    root = folder.parent
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_relative_to(folder)}


needs_data = pytest.mark.skipif(not _data_available(), reason="NIST36 files and sample photos not in the data dir")


@pytest.mark.slow
@needs_data
def test_run_q2_and_run_q4_work_from_inside_python(bundle, tmp_path):
    folder = _unpacked(bundle, tmp_path)
    before = _outside(folder)
    where = subprocess.run([sys.executable, "-c", "import lib; print(lib.__file__)"], cwd=folder,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert Path(where.stdout.strip()).is_relative_to(folder), where  # the bundled lib, not ours

    q2 = _run("run_q2.py", folder, tmp_path / "cache")
    assert q2.returncode == 0, q2.stderr[-3000:]
    assert "Q2 checks passed" in q2.stdout

    q4 = _run("run_q4.py", folder, tmp_path / "cache")
    assert q4.returncode == 0, q4.stderr[-3000:]
    assert "no q3_weights.npz here: training" in q4.stdout and "QUICK PROFILE" in q4.stdout
    for name in SAMPLE_IMAGES:
        assert f"{name}.jpg:" in q4.stdout
        assert (folder / f"q4_3_{name}.png").stat().st_size > 1000
    assert q4.stdout.count("characters found") == len(SAMPLE_IMAGES)
    assert _outside(folder) == before  # wrote only into python/ (and the configured cache)


@pytest.mark.slow
@needs_data
def test_run_q4_uses_q3_weights_npz_when_present(bundle, tmp_path):
    """With q3_weights.npz in python/ nothing is trained; the weights are read without pickle."""
    from lib.nn import save_params

    folder = _unpacked(bundle, tmp_path)
    rng = np.random.default_rng(0)
    save_params(folder / "q3_weights.npz", {"W1": rng.normal(size=(1024, 8)).astype(np.float32),
                                            "b1": np.zeros(8, np.float32),
                                            "W2": rng.normal(size=(8, 36)).astype(np.float32),
                                            "b2": np.zeros(36, np.float32)})
    q4 = _run("run_q4.py", folder, tmp_path / "cache", "02_letters")
    assert q4.returncode == 0, q4.stderr[-3000:]
    assert "1024-8-36 network, loaded q3_weights.npz" in q4.stdout
    assert "02_letters.jpg:" in q4.stdout and "01_list.jpg" not in q4.stdout
    assert not (tmp_path / "cache" / "mlp").exists() or not any((tmp_path / "cache" / "mlp").iterdir())
