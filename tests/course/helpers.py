"""Load a course module (course/python/<name>.py) in-process under a unique name."""

from __future__ import annotations

import importlib.util
import sys

from lib import config

COURSE = config.PROJECT_ROOT / "course" / "python"


def load_course_module(name: str):
    """course/python/<name>.py as a module named ``course_<name>`` (its siblings importable)."""
    key = f"course_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, COURSE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
