"""The homework's import rules, checked on the source: who may import what.

* Q2-Q6 code ("core": lib/nn, lib/ocr, lib/autoencoder.py, lib/pca.py, lib/metrics.py, the
  numpy data loaders, config and cache) imports only the standard library, numpy, scipy,
  scikit-image, matplotlib and other core modules.
* torch / torchvision only in Q7 modules (lib/deep, the torch data modules) and report-facing
  code.
* pandas, tabulate, tqdm and the renderer only in report-facing code (lib/pipelines,
  lib/plots.py, lib/results.py, lib/scorecard.py, lib/environment.py).

Imports inside functions count too. A core function may cross into Q7 lazily only where
``LAZY_Q7`` names it (the OCR's CNN path, which Q7.1.4 asks for).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

CORE_THIRD_PARTY = {"numpy", "scipy", "skimage", "matplotlib"}
Q7_THIRD_PARTY = {"torch", "torchvision", "PIL"}
Q7_MODULES = ("lib/deep/", "lib/data/torch_datasets.py", "lib/data/flowers_torch.py", "lib/data/weights.py")
REPORT_MODULES = ("lib/pipelines/", "lib/plots.py", "lib/results.py", "lib/scorecard.py", "lib/progress.py", "lib/tables.py",
                  "lib/environment.py", "lib/questions.py")
# Tooling, not homework code: the synthetic-data generator (Pillow fonts) and `make data`.
TOOLING_MODULES = ("lib/data/synthetic", "lib/data/fetch.py")

#: (module path, function name) -> the Q7 modules it may import lazily, visible here.
LAZY_Q7 = {
    # lib.data's torch factories and weight resolver, imported only when asked for
    ("lib/data/__init__.py", "__getattr__"): {"lib.data.torch_datasets", "lib.data.weights"},
    # the OCR's CNN path: Q7.1.4 reads the photos with the EMNIST CNN
    ("lib/ocr/classify.py", "classifier"): {"lib.deep.ocr", "lib.deep.reader"},
    # ... and says before loading chapter 4's reader whether it must be trained first
    ("lib/ocr/classify.py", "will_train"): {"lib.deep.reader"},
}


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.rule}"


def kind_of(rel: str) -> str:
    if rel.startswith(REPORT_MODULES):
        return "report"
    if rel.startswith(Q7_MODULES):
        return "q7"
    if rel.startswith(TOOLING_MODULES):
        return "tooling"
    return "core"


def _module_path(name: str, root: Path) -> str | None:
    """'lib.nn.layers' -> 'lib/nn/layers.py' (or the package __init__), if it is ours."""
    if name != "lib" and not name.startswith("lib."):
        return None
    parts = name.split(".")
    as_file = root.joinpath(*parts).with_suffix(".py")
    if as_file.is_file():
        return str(as_file.relative_to(root))
    as_pkg = root.joinpath(*parts, "__init__.py")
    return str(as_pkg.relative_to(root)) if as_pkg.is_file() else str(Path(*parts)) + ".py"


def _imports(tree: ast.AST):
    """Yield (line, module name, enclosing function name or None) for every import."""

    def walk(node, func):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, func
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.lineno, child.module, func
                for alias in child.names:  # "from lib import deep" imports lib.deep
                    if child.module == "lib":
                        yield child.lineno, f"lib.{alias.name}", func
            yield from walk(child, inner)

    yield from walk(tree, None)


def check(root: Path) -> list[Violation]:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = []
    for path in sorted((root / "lib").rglob("*.py")):
        rel = str(path.relative_to(root))
        kind = kind_of(rel)
        if kind in ("report", "tooling"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for line, name, func in _imports(tree):
            top = name.split(".")[0]
            if top in stdlib:
                continue
            if top == "lib":
                target = _module_path(name, root)
                if target is None or name == "lib":
                    continue
                target_kind = kind_of(target)
                if target_kind == "report":
                    found.append(Violation(rel, line, name, f"{kind} code may not import report-facing modules"))
                elif kind == "core" and target_kind in ("q7", "tooling"):
                    if name in LAZY_Q7.get((rel, func), ()) or (target_kind == "tooling" and func is not None):
                        continue
                    found.append(Violation(rel, line, name, "Q2-Q6 code may not import Q7 (torch) modules"))
                continue
            allowed = CORE_THIRD_PARTY | (Q7_THIRD_PARTY if kind == "q7" else set())
            if top not in allowed:
                rule = ("Q2-Q6 code may import only numpy, scipy, scikit-image and matplotlib"
                        if kind == "core" else "Q7 code may import only numpy, scipy, scikit-image, matplotlib and torch")
                found.append(Violation(rel, line, name, rule))
    return found


# --- The course scripts (course/python/*.py, submitted as python/ in the zip) ---------------

#: Course modules that serve Q7 and may import torch/torchvision and lib's Q7 modules.
COURSE_Q7_PREFIXES = ("run_q7_", "q7_")


def course_kind(filename: str) -> str:
    return "q7" if filename.startswith(COURSE_Q7_PREFIXES) else "core"


def check_course(root: Path) -> list[Violation]:
    """course/python/*.py: run_q2..run_q6, nn.py, q4.py, util.py and their helpers import only
    the standard library, numpy, scipy, scikit-image, matplotlib, lib's Q2-Q6 modules and each
    other; run_q7_* (and q7_* helpers) may add torch/torchvision and lib's Q7 modules. No course
    module may import report-facing or tooling code (it is not submitted)."""
    folder = root / "course" / "python"
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    siblings = {p.stem for p in folder.glob("*.py")}
    found = []
    for path in sorted(folder.glob("*.py")):
        rel = str(path.relative_to(root))
        kind = course_kind(path.name)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for line, name, _func in _imports(tree):
            top = name.split(".")[0]
            if top in stdlib:
                continue
            if top in siblings and top != "lib":
                if kind == "core" and course_kind(f"{top}.py") == "q7":
                    found.append(Violation(rel, line, name, "Q2-Q6 course scripts may not import Q7 course modules"))
                continue
            if top == "lib":
                target = _module_path(name, root)
                if target is None or name == "lib":
                    continue
                target_kind = kind_of(target)
                if target_kind in ("report", "tooling"):
                    found.append(Violation(rel, line, name, "course scripts may not import report-facing or "
                                                            "tooling modules (they are not submitted)"))
                elif kind == "core" and target_kind == "q7":
                    found.append(Violation(rel, line, name, "Q2-Q6 course scripts may not import Q7 (torch) modules"))
                continue
            allowed = CORE_THIRD_PARTY | (Q7_THIRD_PARTY if kind == "q7" else set())
            if top not in allowed:
                rule = ("Q2-Q6 course scripts may import only numpy, scipy, scikit-image and matplotlib"
                        if kind == "core" else
                        "Q7 course scripts may import only numpy, scipy, scikit-image, matplotlib and torch")
                found.append(Violation(rel, line, name, rule))
    return found


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (planted trees for the checker's tests)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
