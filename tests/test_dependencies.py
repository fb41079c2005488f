"""pyproject.toml declares what the code imports, with lower bounds; the lock pins all of it.

These fail when a package is imported but not declared, declared without a bound, or added to
pyproject.toml without `make lock` (the lock would no longer be what `make setup` installs).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]
LOCK = ROOT / "requirements-lock.txt"
#: the book's own top-level packages (and this test folder)
OWN = {"lib", "qrender", "course", "tests", "bench"}
_CODE_BLOCK = re.compile(r"^```\{python\}\n(.*?)^```", re.S | re.M)


def _imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party(names: set[str], folder: Path) -> set[str]:
    """Leave out the standard library, the book's packages and scripts' sibling modules."""
    return {n for n in names if n not in sys.stdlib_module_names and n not in OWN
            and not (folder / f"{n}.py").exists()}


def _imported(folders: tuple[str, ...], chapters: bool = False) -> dict[str, set[str]]:
    """Third-party top-level module -> files importing it, in ``folders`` (and the chapters' cells)."""
    found: dict[str, set[str]] = {}
    files = [f for folder in folders for f in (ROOT / folder).rglob("*.py")]
    for f in files:
        for name in _third_party(_imports(f.read_text(encoding="utf-8")), f.parent):
            found.setdefault(name, set()).add(str(f.relative_to(ROOT)))
    if chapters:
        for f in [*sorted((ROOT / "report").glob("*.qmd")), ROOT / "index.qmd"]:
            for block in _CODE_BLOCK.findall(f.read_text(encoding="utf-8")):
                for name in _third_party(_imports(block), f.parent):
                    found.setdefault(name, set()).add(str(f.relative_to(ROOT)))
    return found


@functools.cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()  # reads every installed distribution's file list: once


def _distributions(module: str) -> set[str]:
    dists = _providers().get(module)
    if not dists:
        pytest.fail(f"{module!r} is imported but no installed distribution provides it: run `make setup`")
    return {canonicalize_name(d) for d in dists}


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"{LOCK.name}: {line!r} is not an exact pin (name==version)"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_imported_package_is_declared():
    declared = {canonicalize_name(r.name) for r in RUNTIME}
    for module, files in sorted(_imported(("lib", "qrender", "course"), chapters=True).items()):
        assert _distributions(module) & declared, (
            f"{module} is imported by {sorted(files)} but pyproject.toml's dependencies do not declare it")
    dev = declared | {canonicalize_name(r.name) for r in DEV}
    for module, files in sorted(_imported(("tests", "bench")).items()):
        assert _distributions(module) & dev, (
            f"{module} is imported by {sorted(files)} but neither the dependencies nor the dev extra declare it")


def test_every_dependency_has_a_lower_bound_or_a_pin():
    for req in RUNTIME + DEV:
        assert any(spec.operator in (">=", "==", "~=") for spec in req.specifier), (
            f"pyproject.toml: {req} needs a lower bound (>=) naming the oldest release it works with")


def test_the_lock_pins_every_dependency_within_its_bounds():
    pins = _locked()
    for req in RUNTIME + DEV:
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in {LOCK.name}: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{LOCK.name} pins {req.name}=={pins[name]}, outside pyproject.toml's {req}: run `make lock`")

