"""Shared by the run scripts: the course's layout, with relative paths only.

The scripts run from inside ``python/`` with the data in ``../data`` (``nist36_*.mat``,
``images/``, ...), as the course expects; lib reads the data directory from HW5_DATA, so it
is pointed there (relative, resolved against the current folder). Trained models are cached
in ``./.cache`` (inside this folder) unless HW5_CACHE says otherwise; figures are written to
the current folder by the scripts themselves, without opening windows.
"""

import os

# The course keeps its data in ../data next to python/; lib reads HW5_DATA.
os.environ.setdefault("HW5_DATA", os.path.join("..", "data"))
os.environ.setdefault("HW5_CACHE", ".cache")
# Save figures as files; never open a window (the scripts also run on machines without one).
os.environ.setdefault("MPLBACKEND", "Agg")
# No progress bars: lib draws them with tqdm, which is not among the homework's libraries.
os.environ.setdefault("HW5_QUIET", "1")
