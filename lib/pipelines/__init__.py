"""The computations behind each chapter, runnable before the book renders.

Each module here exposes ``run()``: it computes (or loads from the cache) everything its
chapter shows and records the key results with ``lib.results.record``. Chapters call the
same ``run()`` and hit the cache; the pre-render step (``python -m lib.pipelines``) calls them
all first, so the scorecard on the first page reads complete results on a clean build.
"""

#: Pipelines in chapter order; each is a module ``lib.pipelines.<name>`` with ``run()``.
PIPELINES: tuple[str, ...] = ("theory", "network", "training", "ocr", "ocr_unseen", "autoencoder", "pca", "pytorch",
                              "finetuning")

#: The chapter (``report/<name>.qmd``) each pipeline computes for.
CHAPTER_OF: dict[str, str] = {
    "theory": "01-theory",
    "network": "02-network",
    "training": "03-training",
    "ocr": "04-text-extraction",
    "ocr_unseen": "04-text-extraction",
    "autoencoder": "05-autoencoder",
    "pca": "06-pca",
    "pytorch": "07-pytorch",
    "finetuning": "07-pytorch",
}
