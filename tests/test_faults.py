"""Issue 21: faults injected where users meet them; each ends in a clear line and a correct rebuild.

* Caches (a real build in the quick profile, own HW5_CACHE, empty data folder): a truncated and
  an empty ``.npz`` entry, a garbage ``state_dict`` checkpoint, an empty ``Q*.json`` result and a
  garbage ``timings.json``, plus the temporary file of a killed run. The rebuild names each
  damaged file once, keeps it aside, recomputes it, and writes the same results as before
  (timings apart); the build after that is quiet. Two builds at once do not disturb each other.
* Data: a partial NIST36 stops the build with one line naming the missing file and both ways out.
* Make and CLI arguments: an injection attempt through NAME or CH runs nothing; argument errors
  are one line with exit code 2.
* Getting data with the network blocked: one line per missing dataset, within seconds.

Photos (EXIF-rotated, CMYK, thin strip, empty file, directory) are made and checked in
``tests/data/test_images.py``; downloads (checksums, resume, never overwrite) in
``tests/data/test_fetch.py``; the cache helper itself in ``tests/test_cache.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lib import cache as lib_cache
from tests import tiny_nist36

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = ("pca", "pytorch")  # npz entries, state_dict checkpoints and result files, in about a minute


def _env(data: Path, cache: Path, **extra) -> dict[str, str]:
    return dict(os.environ, HW5_DATA=str(data), HW5_CACHE=str(cache), HW5_FIGURES=str(cache.parent / "figures"),
                QUARTO_PROFILE="quick", HW5_QUIET="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                HW5_TORCH_THREADS="1", HW5_OFFLINE="1", **extra)


def build(data: Path, cache: Path, out: Path, names=PIPELINES) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.pipelines", *names, "--results", str(out)], cwd=ROOT,
                          env=_env(data, cache), capture_output=True, text=True, timeout=900)


def without_timings(results: dict) -> dict:
    """The results with every duration and clock time left out (they differ from run to run)."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not any(t in k for t in ("second", "when", "time"))}
        return value

    return clean(results)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("faults")
    data, cache = root / "data", root / "cache"
    data.mkdir()
    proc = build(data, cache, root / "before.json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {"root": root, "data": data, "cache": cache, "results": json.loads((root / "before.json").read_text())}


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert found, f"no {pattern} in {folder}"
    return found[0]


@pytest.mark.slow
def test_corrupt_cache_entries_heal_and_the_rebuild_gives_the_same_results(first_build):
    data, cache, root = first_build["data"], first_build["cache"], first_build["root"]
    results_dir = cache / "results" / "quick"
    damaged = {
        _one(cache / "pca", "*.npz"): lambda b: b[: len(b) // 2],  # truncated
        _one(cache / "mlp", "*.npz"): lambda b: b"",  # empty
        _one(cache / "nist36-fc", "*.pt"): lambda b: b"\x80\x02garbage, not a checkpoint" * 10,
        results_dir / "Q6.1.json": lambda b: b"",
        results_dir / "timings.json": lambda b: b'{"pca": {"seconds": 1.0',
    }
    bad_bytes = {}
    for path, damage in damaged.items():
        bad_bytes[path] = damage(path.read_bytes())
        path.write_bytes(bad_bytes[path])
    killed = cache / "pca" / f".x.npz.{lib_cache._HOST}.{_dead_pid()}.0123abcd.tmp"  # a writer killed mid-write
    killed.write_bytes(b"half an entry")

    # the scorecard read alone first (as `make chapter` does), then the whole rebuild
    scorecard = subprocess.run([sys.executable, "-c", COLLECT, str(root / "partial.json")], cwd=ROOT,
                               env=_env(data, cache), capture_output=True, text=True, timeout=300)
    assert scorecard.returncode == 0, scorecard.stderr[-4000:]
    assert "Q6.1" not in json.loads((root / "partial.json").read_text())  # left out until recomputed
    proc = build(data, cache, root / "after.json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    stderr = scorecard.stderr + proc.stderr
    assert "Traceback" not in stderr
    for path, bad in bad_bytes.items():
        lines = [line for line in stderr.splitlines() if str(path) in line]
        assert len(lines) == 1, (path, stderr[-3000:])  # reported once ...
        assert "cannot be read" in lines[0] and "moved aside" in lines[0]
        assert path.with_name(path.name + ".unreadable").read_bytes() == bad  # ... kept, not deleted ...
        assert path.is_file()  # ... and recomputed
    assert not killed.exists()  # the killed run's temporary file is gone
    after = json.loads((root / "after.json").read_text())
    assert without_timings(after) == without_timings(first_build["results"])

    again = build(data, cache, root / "again.json")
    assert again.returncode == 0 and "cannot be read" not in again.stderr  # healed: quiet from now on


@pytest.mark.slow
def test_two_builds_at_once_do_not_corrupt_each_other(first_build):
    """Both recompute the same entry and record the same results at the same time: no lock,
    atomic renames; neither sees half a file, nothing is set aside, the results agree."""
    cache = first_build["root"] / "cache-concurrent"
    shutil.copytree(first_build["cache"], cache, ignore=shutil.ignore_patterns("*.unreadable*"))
    for entry in (cache / "pca").glob("*.npz"):
        entry.unlink()  # both builds must compute and write it
    env = _env(first_build["data"], cache)
    procs = [subprocess.Popen([sys.executable, "-m", "lib.pipelines", "pca", "--results",
                               str(first_build["root"] / f"concurrent-{i}.json")], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    errs = [p.communicate(timeout=600)[1] for p in procs]
    for p, err in zip(procs, errs, strict=True):
        assert p.returncode == 0 and "Traceback" not in err and "cannot be read" not in err, err[-3000:]
    assert not list(cache.rglob("*.unreadable*")) and not list(cache.rglob(".*.tmp"))
    a, b = (json.loads((first_build["root"] / f"concurrent-{i}.json").read_text()) for i in range(2))
    assert without_timings(a) == without_timings(b)
    assert {k: v for k, v in without_timings(a).items() if k.startswith("Q6")} == \
        {k: v for k, v in without_timings(first_build["results"]).items() if k.startswith("Q6")}


COLLECT = "import sys\nfrom lib import results\nresults.write(sys.argv[1])\n"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ----------------------------------------------------------------------------- data
def test_partial_nist36_stops_the_build_with_one_line(tmp_path):
    data = tiny_nist36.write(tmp_path / "data")
    (data / "nist36_valid.mat").unlink()
    proc = subprocess.run([sys.executable, "-m", "lib.pipelines", "network"], cwd=ROOT,
                          env=_env(data, tmp_path / "cache"), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "nist36_valid.mat" in lines[0] and "make data" in lines[0] and "remove the other" in lines[0]
    assert not (tmp_path / "cache" / "results").exists() or not list((tmp_path / "cache" / "results").rglob("Q*"))


# ----------------------------------------------------------------------------- make and CLI
@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")
@pytest.mark.parametrize("target, variable", [("submission", "NAME"), ("chapter", "CH")])
@pytest.mark.parametrize("payload", ["x; touch {marker}", "x$$(touch {marker})", "$(shell touch {marker})",
                                     "x`touch {marker}`", "x' ; touch {marker}; '"])
def test_make_arguments_cannot_inject_commands(tmp_path, target, variable, payload):
    marker = tmp_path / "INJECTED"
    value = payload.format(marker=marker)
    proc = subprocess.run(["make", "--no-print-directory", target, f"{variable}={value}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert not marker.exists(), "the injected command ran"
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{variable}=" in lines[0] and "letters, digits" in lines[0], proc.stderr
    assert proc.stdout == ""  # nothing ran, not even the setup step


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")
def test_make_chapter_without_ch_is_a_usage_line():
    proc = subprocess.run(["make", "--no-print-directory", "chapter"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "usage: make chapter CH=" in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--name", "x; echo INJECTED"], "not a plain name"),
    (["--name", "../escape"], "not a plain name"),
    (["--name"], "expected one argument"),
    (["--bogus"], "unrecognized arguments"),
])
def test_course_build_argument_errors_are_one_line_with_exit_code_2(args, message):
    proc = subprocess.run([sys.executable, "-m", "course.build", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr, proc.stderr


# ----------------------------------------------------------------------------- getting data
BLOCKED = """
import socket, sys
def blocked(*args, **kwargs):
    raise OSError(101, "Network is unreachable")
socket.create_connection = socket.getaddrinfo = blocked
from lib.data.fetch import main
sys.exit(main([]))
"""


def test_make_data_with_the_network_blocked_falls_back_within_seconds(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env = _env(data, tmp_path / "cache")
    env.pop("HW5_OFFLINE")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", BLOCKED], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    took = time.monotonic() - start
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 6 and all("not fetched" in line and "unreachable" in line for line in lines), lines
    assert any("synthetic NIST36 stand-in" in line for line in lines)
    assert took < 30, f"took {took:.1f} s"  # python start-up included, on a loaded machine
    assert list(data.iterdir()) == []
