"""lib.cache: computed once per key, reused after, recomputed when config or code change."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from lib import cache, config

ROOT = config.PROJECT_ROOT


@dataclasses.dataclass(frozen=True)
class Cfg:
    lr: float = 0.1
    epochs: int = 2


def test_fingerprint_is_stable_and_sensitive():
    a = np.arange(6.0)
    assert cache.fingerprint(Cfg(), a) == cache.fingerprint(Cfg(), a.copy())
    assert cache.fingerprint(Cfg(), a) != cache.fingerprint(Cfg(lr=0.2), a)
    assert cache.fingerprint(a) != cache.fingerprint(a.astype(np.float32))
    assert cache.fingerprint({"b": 1, "a": 2}) == cache.fingerprint({"a": 2, "b": 1})


def test_fingerprint_refuses_unknown_objects():
    with pytest.raises(TypeError, match="cannot fingerprint object"):
        cache.fingerprint(object())


def test_cached_computes_once_and_round_trips_arrays_and_metadata():
    calls = []

    @cache.cached("test-roundtrip")
    def compute(cfg: Cfg, x: np.ndarray):
        calls.append(cfg)
        return {"w": x * cfg.lr, "history": {"loss": [1.0, 0.5]}, "seconds": 1.25}

    x = np.arange(4, dtype=np.float32)
    first = compute(Cfg(), x)
    second = compute(Cfg(), x)
    assert len(calls) == 1
    assert np.array_equal(first["w"], second["w"]) and second["w"].dtype == np.float32
    assert second["history"] == {"loss": [1.0, 0.5]} and second["seconds"] == 1.25
    compute(Cfg(lr=0.5), x)
    assert len(calls) == 2
    assert compute.path(Cfg(), x).exists()


def test_data_fingerprints_enter_the_key_without_a_parameter(tmp_path, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    data, calls = {"fp": "v1"}, []

    @cache.cached("test-data", data=(lambda: data["fp"],))
    def compute(cfg: Cfg):
        calls.append(cfg)
        return {"x": np.full(2, cfg.lr)}

    compute(Cfg())
    compute(Cfg())
    assert len(calls) == 1
    first = compute.path(Cfg())
    data["fp"] = "v2"  # other data: another key, computed again
    assert compute.path(Cfg()) != first
    compute(Cfg())
    assert len(calls) == 2
    data["fp"] = "v1"
    compute(Cfg())
    assert len(calls) == 2  # the first entry is still there


def test_key_is_made_of_name_config_data_and_code():
    base = cache.key("k", Cfg(), data=("fp",), code=("lib.nn",))
    assert base == cache.key("k", Cfg(), data=("fp",), code=("lib.nn", "lib.nn"))
    others = {cache.key("other", Cfg(), data=("fp",), code=("lib.nn",)),
              cache.key("k", Cfg(lr=0.2), data=("fp",), code=("lib.nn",)),
              cache.key("k", Cfg(), data=("fp2",), code=("lib.nn",)),
              cache.key("k", Cfg(), data=("fp",), code=("lib.nn", "lib.pca"))}
    assert base not in others and len(others) == 4


def test_source_hash_reads_the_files_without_importing_them(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('never imported')\n")
    (package / "mod.py").write_text("x = 1\n")
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    whole, one = cache.source_hash("pkg"), cache.source_hash("pkg.mod")
    assert whole != one
    (package / "mod.py").write_text("x = 2\n")
    cache._source_hash.cache_clear()  # a process sees one version of the code
    assert cache.source_hash("pkg") != whole and cache.source_hash("pkg.mod") != one
    with pytest.raises(ValueError, match=r"'pkg.nope' is not a module of this project \(no pkg/nope.py"):
        cache.source_hash("pkg.nope")
    cache._source_hash.cache_clear()


def test_load_or_compute_computes_only_on_a_miss(tmp_path):
    path, calls = tmp_path / "r.npz", []

    def compute():
        calls.append(1)
        return {"x": np.arange(3), "note": "n"}

    first, second = cache.load_or_compute(path, compute), cache.load_or_compute(path, compute)
    assert calls == [1] and first["note"] == second["note"] == "n"
    assert np.array_equal(first["x"], second["x"])


def test_file_digest_is_remembered_until_the_file_changes(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"first")
    first = cache.file_digest(path)
    assert first == hashlib.sha256(b"first").hexdigest()[:16] == cache.file_hash(path)[:16]
    assert cache.file_digest(str(path)) == first
    path.write_bytes(b"second, longer")  # another size: read again
    assert cache.file_digest(path) == hashlib.sha256(b"second, longer").hexdigest()[:16]
    assert cache.file_hash(path, "md5") == hashlib.md5(b"second, longer").hexdigest()


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.txt"

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cache.atomic_write(target, broken)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_saved_results_load_without_pickle(tmp_path):
    path = tmp_path / "r.npz"
    cache.save_result(path, {"a": np.ones(3), "meta": "text"})
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {"a", "__meta__"}


# ----------------------------------------------------------------------------- faults heal
def _entry(tmp_path, monkeypatch):
    monkeypatch.setenv("HW5_CACHE", str(tmp_path))
    calls = []

    @cache.cached("test-heal")
    def compute(n: int):
        calls.append(n)
        return {"x": np.arange(n, dtype=np.float64), "note": "ok"}

    return compute, calls


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "not-an-entry"])
def test_unreadable_entry_is_reported_once_moved_aside_and_recomputed(tmp_path, monkeypatch, caplog, damage):
    compute, calls = _entry(tmp_path, monkeypatch)
    good = compute(5)
    path = compute.path(5)
    whole = path.read_bytes()
    bad = {"empty": b"", "garbage": b"\x80\x04this is not an npz" * 20, "truncated": whole[: len(whole) // 2],
           "not-an-entry": None}[damage]
    if bad is None:  # a valid npz without the metadata member
        with open(path, "wb") as f:
            np.savez(f, x=np.ones(2))
        bad = path.read_bytes()
    else:
        path.write_bytes(bad)
    with caplog.at_level("WARNING", logger="lib.cache"):
        again = compute(5)
        compute(5)
    assert calls == [5, 5]  # recomputed once, then a plain hit
    assert np.array_equal(again["x"], good["x"]) and again["note"] == "ok"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1, warnings
    assert str(path) in warnings[0] and "cannot be read" in warnings[0] and "unreadable" in warnings[0]
    aside = path.with_name(path.name + ".unreadable")
    assert aside.read_bytes() == bad  # kept for inspection, not deleted


def test_a_second_damage_does_not_overwrite_the_first_aside(tmp_path, monkeypatch):
    compute, _ = _entry(tmp_path, monkeypatch)
    compute(3)
    path = compute.path(3)
    for text in (b"first", b"second"):
        path.write_bytes(text)
        compute(3)
    asides = sorted(p.read_bytes() for p in path.parent.glob("*.unreadable*"))
    assert asides == [b"first", b"second"]


def test_read_json_heals_garbage_and_wrong_content(tmp_path, caplog):
    path = tmp_path / "r.json"
    for text in ("{", "[1, 2]", "\udcff"):
        path.write_text(text, errors="surrogateescape")
        with caplog.at_level("WARNING", logger="lib.cache"):
            assert cache.read_json(path) is None
        assert not path.exists()
    assert len(list(tmp_path.glob("r.json.unreadable*"))) == 3
    path.write_text('{"a": 1}')
    assert cache.read_json(path) == {"a": 1}


def test_missing_file_is_a_silent_miss(tmp_path, caplog):
    with caplog.at_level("WARNING", logger="lib.cache"):
        assert cache.read_or_heal(tmp_path / "none.npz", cache.load_result) is None
    assert not caplog.records


def test_files_are_written_with_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        cache.save_result(tmp_path / "a.npz", {"x": np.ones(2)})
        cache.atomic_write(tmp_path / "b.json", lambda tmp: tmp.write_text("{}"))
    finally:
        os.umask(old)
    for name in ("a.npz", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_files_of_killed_runs_are_cleaned_live_ones_kept(tmp_path):
    host = cache._HOST
    dead = tmp_path / f".k.npz.{host}.{_dead_pid()}.0123abcd.tmp"
    live = tmp_path / f".k.npz.{host}.{os.getpid()}.0123abcd.tmp"
    other_host = tmp_path / f".k.npz.elsewhere.{_dead_pid()}.0123abcd.tmp"
    legacy_old = tmp_path / ".k.ab_cd123.npz"
    legacy_new = tmp_path / ".k.zz_cd123.npz"
    keep = tmp_path / "k.npz"
    for p in (dead, live, other_host, legacy_old, legacy_new, keep):
        p.write_bytes(b"x")
    day_ago = time.time() - cache.STALE_AFTER_S - 60
    os.utime(legacy_old, (day_ago, day_ago))
    removed = cache.clean_stale_temps(tmp_path)
    assert set(removed) == {dead, legacy_old}
    assert live.exists() and other_host.exists() and legacy_new.exists() and keep.exists()
    os.utime(other_host, (day_ago, day_ago))
    assert cache.clean_stale_temps(tmp_path) == [other_host]


def test_next_run_cleans_the_temp_file_of_a_killed_writer(tmp_path):
    """A writer killed between creating its temporary file and renaming it leaves the file;
    the next process that uses the folder removes it."""
    env = dict(os.environ, HW5_CACHE=str(tmp_path))
    writer = (
        "import os, signal\n"
        "from lib import cache\n"
        "def write(tmp):\n"
        "    tmp.write_bytes(b'half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "cache.atomic_write(cache.cache_path('k', 'entry'), write)\n"
    )
    proc = subprocess.run([sys.executable, "-c", writer], cwd=ROOT, env=env)
    assert proc.returncode == -9
    folder = tmp_path / "k"
    assert [p.name.endswith(".tmp") for p in folder.iterdir()] == [True]
    subprocess.run([sys.executable, "-c", "from lib import cache; cache.cache_path('k', 'other')"],
                   cwd=ROOT, env=env, check=True)
    assert list(folder.iterdir()) == []


CONCURRENT_WRITER = """
import sys, numpy as np
from lib import cache
path = cache.cache_path("shared", "entry")
for i in range(int(sys.argv[1])):
    cache.save_result(path, {"x": np.full(20000, float(sys.argv[2])), "i": i})
    loaded = cache.load_result(path)   # never half a file: raises if it were
    assert loaded["x"].shape == (20000,) and len(set(loaded["x"].tolist())) == 1
print("ok")
"""


def test_two_concurrent_writers_never_corrupt_an_entry(tmp_path):
    """Two builds writing and reading the same entry at once: atomic renames, no lock needed."""
    env = dict(os.environ, HW5_CACHE=str(tmp_path), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, "150", str(v)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for v in (1, 2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    folder = tmp_path / "shared"
    assert [p.name for p in folder.iterdir()] == ["entry.npz"]  # no temp file, nothing set aside
    assert cache.load_result(folder / "entry.npz")["x"][0] in (1.0, 2.0)
