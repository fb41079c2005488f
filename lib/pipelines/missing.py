"""Missing data: what a chapter shows and records instead of results it cannot compute.

Without the files a section needs, its pipeline records the question as *not run* with the
reason (the scorecard shows "not run: ..."), and the chapter shows :func:`callout` in place of
the results: it names the missing files and how to get them. Nothing is made up.
"""

from __future__ import annotations

from lib import config, results

#: Files each optional data set needs (relative to the data directory), for the callouts.
FILES = {
    "images": "images/01_list.jpg ... images/04_deep.jpg",
    "mnist": "torchvision/MNIST/raw/*-ubyte",
    "emnist": "torchvision/EMNIST/raw/emnist-balanced-*",
    "flowers17": "flowers17/jpg/image_0001.jpg ... image_1360.jpg",
    "squeezenet": "weights/squeezenet1_1.pth",
}


def reason(exc: BaseException) -> str:
    """A one-line reason for the scorecard and the callout, without the data directory's path."""
    text = str(exc).split("\n")[0].replace(str(config.data_dir()) + "/", "")
    return text if len(text) <= 300 else text[:297] + "..."


def not_run(qid: str, what: str, files: str, **extra) -> dict:
    """Record ``qid`` as not run because ``what`` (naming ``files``) is not in the data directory."""
    return results.record(
        qid, None, data=f"not available: {what} ({files})",
        display=f"not run: {what} not available (run `make data`)", **extra,
    )


def callout(what: str, files: str, instead: str = "") -> str:
    """The warning a chapter prints (``#| output: asis``) where results would stand."""
    listed = ", ".join(f"`{f}`" for f in files.split(", "))  # one code span per file: lines can break
    lines = [
        '::: {.callout-warning title="Data not available"}',
        f"This build has no {what}: the data directory lacks {listed}, so the results that "
        "need them are not computed."
        + (f" {instead}" if instead else ""),
        "",
        "Run `make data` on a connected machine (or put the files into the data directory named "
        "by `HW5_DATA`) and rebuild the book.",
        ":::",
        "",
    ]
    return "\n".join(lines)
