"""``python -m lib.data.fetch`` (``make data``): fetch what is missing from official sources.

Never overwrites an existing file. Offline, it lists what is missing and where to put it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from lib import config

HOMEWORK_DATA = "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip"
HOMEWORK_IMAGES = "http://www.cs.cmu.edu/~lkeselma/16720a_data/images.zip"
FLOWERS_IMAGES = "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz"
FLOWERS_SPLITS = "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/datasplits.mat"

#: What the data directory should hold: (relative path, where it comes from).
EXPECTED = (
    ("nist36_train.mat", HOMEWORK_DATA),
    ("nist36_valid.mat", HOMEWORK_DATA),
    ("nist36_test.mat", HOMEWORK_DATA),
    ("images/01_list.jpg", HOMEWORK_IMAGES),
    ("images/02_letters.jpg", HOMEWORK_IMAGES),
    ("images/03_haiku.jpg", HOMEWORK_IMAGES),
    ("images/04_deep.jpg", HOMEWORK_IMAGES),
    ("torchvision/MNIST/raw/train-images-idx3-ubyte", "torchvision.datasets.MNIST(download=True)"),
    ("torchvision/EMNIST/raw/emnist-balanced-train-images-idx3-ubyte", "torchvision.datasets.EMNIST(download=True)"),
    ("flowers17/jpg/image_1360.jpg", FLOWERS_IMAGES),
    ("flowers17/datasplits.mat", FLOWERS_SPLITS),
    ("weights/squeezenet1_1.pth", "torchvision.models.SqueezeNet1_1_Weights.IMAGENET1K_V1"),
)


def missing(root: Path) -> list[tuple[str, str]]:
    return [(rel, src) for rel, src in EXPECTED if not (root / rel).exists()]


def _download(url: str, dest: Path) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out)


def _extract_new(archive: Path, root: Path, select, rename=lambda name: name) -> None:
    """Extract members that ``select`` accepts, skipping files that already exist."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if select(member) and not (root / rename(member)).exists():
                    target = root / rename(member)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(member))
    else:
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if member.isfile() and select(member.name) and not (root / rename(member.name)).exists():
                    target = root / rename(member.name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tf.extractfile(member).read())


def fetch(root: Path) -> list[str]:
    """Fetch every missing file; return the problems met (empty when all is there)."""
    problems = []
    todo = {src for _, src in missing(root)}
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for url in sorted(todo):
            try:
                if url == HOMEWORK_DATA:
                    _download(url, Path(tmp) / "data.zip")
                    _extract_new(Path(tmp) / "data.zip", root, lambda n: n.endswith(".mat") and "nist36" in n, lambda n: Path(n).name)
                elif url == HOMEWORK_IMAGES:
                    _download(url, Path(tmp) / "images.zip")
                    _extract_new(Path(tmp) / "images.zip", root, lambda n: n.endswith(".jpg"), lambda n: f"images/{Path(n).name}")
                elif url == FLOWERS_IMAGES:
                    _download(url, Path(tmp) / "17flowers.tgz")
                    _extract_new(Path(tmp) / "17flowers.tgz", root, lambda n: n.endswith(".jpg"), lambda n: f"flowers17/jpg/{Path(n).name}")
                elif url == FLOWERS_SPLITS:
                    (root / "flowers17").mkdir(parents=True, exist_ok=True)
                    _download(url, root / "flowers17" / "datasplits.mat")
                elif url.startswith("torchvision.datasets"):
                    import torchvision

                    if "MNIST(" in url and "EMNIST" not in url:
                        torchvision.datasets.MNIST(root / "torchvision", download=True)
                    else:
                        torchvision.datasets.EMNIST(root / "torchvision", split="balanced", download=True)
                elif url.startswith("torchvision.models"):
                    import torch
                    from torchvision.models import SqueezeNet1_1_Weights

                    state = SqueezeNet1_1_Weights.IMAGENET1K_V1.get_state_dict(progress=True)
                    (root / "weights").mkdir(parents=True, exist_ok=True)
                    torch.save(state, root / "weights" / "squeezenet1_1.pth")
            except Exception as exc:  # offline or a server problem: report and go on
                problems.append(f"{url}: {type(exc).__name__}: {exc}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.data.fetch", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only list what is missing")
    args = parser.parse_args(argv)
    root = config.data_dir()
    if not args.check and missing(root):
        for problem in fetch(root):
            print(f"could not fetch {problem}", file=sys.stderr)
    left = missing(root)
    if not left:
        print(f"{root}: all data present")
        return 0
    print(f"{root}: missing files (put them there, or set HW5_DATA to a folder that has them):")
    for rel, src in left:
        print(f"  {rel:<58} from {src}")
    print("Without NIST36 the book uses the synthetic stand-in and says so on every page.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
