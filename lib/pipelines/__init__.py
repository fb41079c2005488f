"""The computations behind each chapter, runnable before the book renders.

Each module here exposes ``run()``: it computes (or loads from the cache) everything its
chapter shows and records the key results with ``lib.results.record``. Chapters call the
same ``run()`` and hit the cache; the pre-render step (``python -m lib.pipelines``) calls them
all first, so the scorecard on the first page reads complete results on a clean build.
"""

#: Pipelines in chapter order; each is a module ``lib.pipelines.<name>`` with ``run()``.
PIPELINES: tuple[str, ...] = ("theory", "network", "training", "ocr", "autoencoder", "pca", "pytorch")
