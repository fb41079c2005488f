"""Shared by the run scripts: relative data path, as the course expects (../data)."""

import os

# The course keeps its data in ../data next to python/; lib reads HW5_DATA.
os.environ.setdefault("HW5_DATA", os.path.join("..", "data"))
