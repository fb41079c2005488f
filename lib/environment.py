"""What machine and software produced this build: for the reproducibility appendix."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

from lib import config

PACKAGES = ("numpy", "scipy", "scikit-image", "matplotlib", "pandas", "torch", "torchvision",
            "nbclient", "pypandoc_binary", "typst")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas() -> str:
    import numpy as np

    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def versions() -> dict[str, str]:
    out = {"Python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine() -> dict[str, str]:
    import torch  # the environment appendix reports torch's threads; report-facing only

    return {
        "Operating system": f"{platform.system()} {platform.release()}",
        "CPU": cpu_model(),
        "Logical CPUs": str(os.cpu_count()),
        "CPUs available to this process": str(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "?",
        "torch threads": str(torch.get_num_threads()),
        "CUDA": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "not available (CPU only)",
        "BLAS (numpy)": blas(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset"),
        "OPENBLAS_NUM_THREADS (numpy's BLAS; _environment sets 1)": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
    }


def build() -> dict[str, str]:
    return {
        "Profile": config.profile(),
        "Seed": str(config.SEED),
        "Data directory": "HW5_DATA" if os.environ.get("HW5_DATA") else "./data",
        "Python executable": sys.executable.replace(str(config.PROJECT_ROOT), "."),
    }
