"""The course's file layout (python/nn.py, q4.py, run_q*.py) over our lib, and its zip."""
