"""Q7.2.1: SqueezeNet 1.1 pretrained on ImageNet, new classifier for Flowers-17; a CNN from scratch.

SqueezeNet 1.1 is torchvision's own model definition, loaded with the weights that
``lib.data.load_squeezenet_state_dict()`` resolves. Its classifier is
``Dropout -> Conv1x1(512 -> 1000) -> ReLU -> AdaptiveAvgPool``; :func:`replace_classifier`
swaps the 1x1 convolution for a new one with 17 outputs and the ReLU for the identity (a ReLU on
the class scores would forbid negative logits). Then the whole classifier is linear after the
frozen ``features``::

    avgpool(W * f(x) + b) = W avgpool(f(x)) + b,

so training it on cached, globally pooled 512-d features is *exactly* training the replaced
layer of the network (:func:`head_into_model` copies the trained weights back, and the test
checks the two give the same scores). The features of every image are computed once and cached
on disk (:func:`cached_features`): the evaluation view of every image, its mirror image
(averaged at test time) and a few randomly augmented copies of each training image.

The CNN from scratch follows the homework: three convolutional layers, then two fully connected
layers, trained on small (``side`` px) images with augmentation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torchvision
from torch import nn

from lib import cache, config
from lib.data.flowers import CLASSES, FlowersSplit

N_CLASSES = len(CLASSES)
FEATURE_DIM = 512


# --------------------------------------------------------------------------- the model


@functools.lru_cache(maxsize=1)
def pretrained_weights() -> tuple[dict | None, str, str]:
    """``(state_dict or None, where it came from, digest of the tensors)``; read once per process."""
    from lib.data import load_squeezenet_state_dict

    state, origin = load_squeezenet_state_dict()
    if state is None:
        return None, origin, ""
    h = hashlib.sha256()
    for name in sorted(state):
        h.update(name.encode())
        h.update(state[name].detach().cpu().numpy().tobytes())
    return state, origin, h.hexdigest()[:20]


def replace_classifier(model: nn.Module, n_classes: int = N_CLASSES, seed: int = config.SEED) -> nn.Module:
    """Replace SqueezeNet's final 1x1 conv by a fresh one with ``n_classes`` outputs (in place).

    The ReLU after it becomes the identity, so the classifier is linear (see the module doc).
    Every other weight is left as it was.
    """
    old = model.classifier[1]
    gen = torch.Generator().manual_seed(seed)
    new = nn.Conv2d(old.in_channels, n_classes, kernel_size=1)
    with torch.no_grad():
        new.weight.normal_(0.0, 0.01, generator=gen)
        new.bias.zero_()
    model.classifier[1] = new
    model.classifier[2] = nn.Identity()
    model.num_classes = n_classes
    return model


def squeezenet17(pretrained: bool = True, seed: int = config.SEED) -> nn.Module:
    """torchvision's SqueezeNet 1.1 with the ImageNet weights and a new 17-class classifier.

    Raises ``lib.data.DataError`` when ``pretrained`` and no weights can be found.
    """
    model = torchvision.models.squeezenet1_1(weights=None)
    if pretrained:
        state, origin, _ = pretrained_weights()
        if state is None:
            from lib.data import DataError

            raise DataError(f"SqueezeNet 1.1 ImageNet weights unavailable: {origin}")
        model.load_state_dict(state)
    return replace_classifier(model, N_CLASSES, seed)


def head_into_model(model: nn.Module, weight: np.ndarray, bias: np.ndarray) -> nn.Module:
    """Copy a trained linear head (17, 512), (17,) into the model's 1x1 classifier conv."""
    conv = model.classifier[1]
    with torch.no_grad():
        conv.weight.copy_(torch.as_tensor(weight, dtype=torch.float32).reshape(conv.weight.shape))
        conv.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return model


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))


@contextlib.contextmanager
def torch_threads(n: int | None = None):
    """Run with ``n`` torch threads (default: ``$HW5_TORCH_THREADS``, else 1 when the machine is
    busy, else all cores; many threads on a loaded machine are slower than one)."""
    if n is None:
        env = os.environ.get("HW5_TORCH_THREADS")
        cores = os.cpu_count() or 1
        n = int(env) if env else (1 if os.getloadavg()[0] >= cores else cores)
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --------------------------------------------------------------------------- cached features


@dataclass(frozen=True)
class View:
    """How an image is turned into the network's input: ``eval``, ``flip`` or ``aug`` copy ``copy``."""

    kind: str = "eval"
    copy: int = 0
    size: int = 224
    resize: int = 256
    scale: tuple[float, float] = (0.35, 1.0)

    def transform(self):
        from lib.data import flowers_torch as ft

        if self.kind == "eval":
            return ft.eval_views(self.size, self.resize)
        if self.kind == "flip":
            return ft.flip_views(self.size, self.resize)
        if self.kind == "aug":
            return ft.train_views(self.size, self.scale)
        raise ValueError(f"View.kind must be 'eval', 'flip' or 'aug', not {self.kind!r}")


def _extraction_code_hash() -> str:
    """Only the code that produces features keys their cache (not the training code)."""
    from lib.data import flowers_torch

    parts = [inspect.getsource(f) for f in (_extract, View, replace_classifier, squeezenet17)]
    parts.append(inspect.getsource(flowers_torch))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def features_key(split: FlowersSplit, which: str, view: View) -> str:
    _, _, weights_digest = pretrained_weights()
    return cache.fingerprint(
        "flowers17-squeezenet-features",
        weights_digest,
        split.fingerprint,
        which,
        view,
        _extraction_code_hash(),
        torchvision.__version__,
    )


def cached_features(split: FlowersSplit, which: str, view: View = View(), batch_size: int = 32) -> np.ndarray:
    """Pooled SqueezeNet features (N, 512) float32 of one split seen through ``view``; cached.

    The key holds the weights' digest, the split's fingerprint (files and numbers), the view
    (transform and augmentation copy) and the source of the extraction code.
    """
    path = cache.cache_path("flowers17-features", features_key(split, which, view))
    found = cache.load_cached(path)
    if found is not None:
        return found["features"]
    start = time.perf_counter()
    feats = _extract(split, which, view, batch_size)
    cache.save_result(path, {"features": feats, "seconds": time.perf_counter() - start})
    return cache.load_result(path)["features"]


def _extract(split: FlowersSplit, which: str, view: View, batch_size: int) -> np.ndarray:
    from lib.data.flowers_torch import load_pil, normalize_batch

    model = squeezenet17(pretrained=True).eval()
    transform = view.transform()
    torch.manual_seed(config.SEED + 1009 * view.copy + (1 if view.kind == "aug" else 0))
    paths = split.paths(which)
    out = np.empty((len(paths), FEATURE_DIM), np.float32)
    bar = _progress(len(paths), f"features {which}/{view.kind}{view.copy}")
    with torch_threads(), torch.inference_mode():
        for lo in range(0, len(paths), batch_size):
            images = [transform(load_pil(p)) for p in paths[lo : lo + batch_size]]
            maps = model.features(normalize_batch(images))
            out[lo : lo + len(images)] = maps.mean(dim=(2, 3)).numpy()
            bar.update(len(images))
    bar.close()
    return out


def feature_seconds(split: FlowersSplit, which: str, view: View = View()) -> float:
    """How long the cached features took to compute (0 if not cached)."""
    found = cache.load_cached(cache.cache_path("flowers17-features", features_key(split, which, view)))
    return float(found["seconds"]) if found is not None else 0.0


class _Progress:
    """A one-line text progress report on stderr in a terminal (no tqdm in Q7 code); else silent."""

    def __init__(self, total: int, desc: str):
        self.total, self.desc, self.done = total, desc, 0
        self.show = config.show_progress()

    def update(self, n: int) -> None:
        self.done += n
        if self.show:
            import sys

            print(f"\r{self.desc}: {self.done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.show:
            import sys

            print(file=sys.stderr)


def _progress(total: int, desc: str) -> _Progress:
    return _Progress(total, desc)


# --------------------------------------------------------------------------- the CNN from scratch


@dataclass(frozen=True)
class ScratchSpec:
    """Three conv layers (3x3, batch norm, ReLU, 2x2 max pool), then two fully connected layers."""

    side: int = 64
    channels: tuple[int, int, int] = (32, 64, 128)
    hidden: int = 256
    dropout: float = 0.5


def scratch_cnn(spec: ScratchSpec = ScratchSpec()) -> nn.Sequential:
    layers: list[nn.Module] = []
    c_in = 3
    for c_out in spec.channels:
        layers += [
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        ]
        c_in = c_out
    size = spec.side // 2 ** len(spec.channels)
    layers += [
        nn.Flatten(),
        nn.Dropout(spec.dropout),
        nn.Linear(c_in * size * size, spec.hidden),
        nn.ReLU(inplace=True),
        nn.Dropout(spec.dropout),
        nn.Linear(spec.hidden, N_CLASSES),
    ]
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class AugmentSpec:
    """Random crop (a square of ``area`` of the image, anywhere), mirror, rotation, colour jitter."""

    area: tuple[float, float] = (0.4, 1.0)
    rotate_deg: float = 10.0
    brightness: float = 0.2
    contrast: float = 0.2


_MEAN = torch.tensor((0.485, 0.456, 0.406)).view(1, 3, 1, 1)
_STD = torch.tensor((0.229, 0.224, 0.225)).view(1, 3, 1, 1)


def to_input(images_uint8: torch.Tensor, side: int) -> torch.Tensor:
    """uint8 (N, 3, H, W) -> the whole image at ``side`` px, ImageNet-normalised (evaluation view)."""
    import torch.nn.functional as F

    x = images_uint8.float() / 255.0
    if x.shape[-1] != side:
        x = F.interpolate(x, size=(side, side), mode="bilinear", antialias=True, align_corners=False)
    return (x.clamp(0, 1) - _MEAN) / _STD


def augment_images(images_uint8: torch.Tensor, spec: AugmentSpec, side: int) -> torch.Tensor:
    """One random view per image at ``side`` px, a normalised float batch (torch's seeded RNG).

    The stored images are larger than ``side``, so a crop keeps detail.
    """
    import math

    import torch.nn.functional as F

    x = images_uint8.float() / 255.0
    n = x.shape[0]
    frac = torch.sqrt(torch.empty(n).uniform_(*spec.area))  # crop side, fraction of the image
    angle = torch.empty(n).uniform_(-spec.rotate_deg, spec.rotate_deg) * (math.pi / 180)
    flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    room = 1.0 - frac  # the crop stays inside the image
    tx, ty = (torch.rand(n) * 2 - 1) * room, (torch.rand(n) * 2 - 1) * room
    cos, sin = torch.cos(angle) * frac, torch.sin(angle) * frac
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, tx], -1), torch.stack([sin * flip, cos, ty], -1)], -2
    )  # output coords -> input coords
    grid = F.affine_grid(theta, [n, 3, side, side], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    b = 1 + torch.empty(n, 1, 1, 1).uniform_(-spec.brightness, spec.brightness)
    c = 1 + torch.empty(n, 1, 1, 1).uniform_(-spec.contrast, spec.contrast)
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * c + mean) * b
    return (x.clamp(0, 1) - _MEAN) / _STD


# --------------------------------------------------------------------------- the new classifier


@dataclass(frozen=True)
class HeadConfig:
    """The replaced classifier trained on cached features; everything here is chosen on validation.

    ``aug_copies`` randomly augmented copies of each training image (plus its evaluation view,
    and its mirror image when ``flip``) form the training set; with ``flip`` the validation and
    test scores average an image and its mirror image (for a linear head this is the head applied
    to the mean of the two feature vectors).
    """

    aug_copies: int = 2
    flip: bool = True
    epochs: int = 30
    lr: float = 3e-3
    weight_decay: float = 1e-3
    dropout: float = 0.5
    label_smoothing: float = 0.1
    batch_size: int = 64


def head_module(dropout: float) -> nn.Sequential:
    """What is trained on pooled features: ``Dropout -> Linear(512, 17)`` (= the new 1x1 conv)."""
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(FEATURE_DIM, N_CLASSES))


@dataclass
class Features:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def feature_views(split: FlowersSplit, aug_copies: int, flip: bool) -> Features:
    """Training rows (every view of every training image) and the evaluation features."""
    train = [cached_features(split, "train", View())]
    if flip:
        train.append(cached_features(split, "train", View("flip")))
    train += [cached_features(split, "train", View("aug", k)) for k in range(aug_copies)]
    y_train = np.tile(split.labels("train"), len(train))

    def evaluation(which: str) -> np.ndarray:
        x = cached_features(split, which, View())
        return (x + cached_features(split, which, View("flip"))) / 2 if flip else x

    return Features(
        np.concatenate(train), y_train,
        evaluation("val"), split.labels("val"),
        evaluation("test"), split.labels("test"),
    )


def _softmax(logits: torch.Tensor) -> np.ndarray:
    return torch.softmax(logits.float(), dim=1).numpy().astype(np.float32)


def _train_config(epochs, lr, weight_decay, batch_size, label_smoothing):
    from lib.deep.train import TrainConfig

    return TrainConfig(
        epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
        label_smoothing=label_smoothing, device="cpu", seed=config.SEED,
    )


def _code_hash(*objects) -> str:
    """Hash of the source of the functions/classes a result depends on (and of the training loop)."""
    from lib.deep import train

    parts = [inspect.getsource(o) for o in objects] + [inspect.getsource(train)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def _cached(name: str, key_parts: tuple, compute) -> dict:
    """Load ``name``/key from the cache or ``compute()`` and store it (``lib.cache`` format;
    an unreadable entry is reported, moved aside and computed again)."""
    path = cache.cache_path(name, cache.fingerprint(name, *key_parts))
    found = cache.load_cached(path)
    if found is not None:
        return found
    cache.save_result(path, compute())
    return cache.load_result(path)


def train_head(cfg: HeadConfig, split: FlowersSplit, weights_digest: str) -> dict:
    """Train the new classifier on cached features; per-epoch history, probabilities, weights.

    Cached under the config, the split, ``weights_digest`` (from :func:`pretrained_weights`) and
    the source of the code involved.
    """
    code = _code_hash(train_head, _train_head, head_module, feature_views, HeadConfig, _train_config, torch_threads)
    return _cached("flowers17-head", (cfg, split, weights_digest, code), lambda: _train_head(cfg, split))


def _train_head(cfg: HeadConfig, split: FlowersSplit) -> dict:
    from lib.deep.train import TensorLoader, fit

    feats = feature_views(split, cfg.aug_copies, cfg.flip)
    x_train, y_train = torch.from_numpy(feats.x_train), torch.from_numpy(feats.y_train)
    x_val, y_val = torch.from_numpy(feats.x_val), torch.from_numpy(feats.y_val)
    torch.manual_seed(config.SEED)
    head = head_module(cfg.dropout)
    tcfg = _train_config(cfg.epochs, cfg.lr, cfg.weight_decay, cfg.batch_size, cfg.label_smoothing)
    start = time.perf_counter()
    with torch_threads():
        history = fit(
            head, TensorLoader(x_train, y_train, cfg.batch_size, shuffle=True), TensorLoader(x_val, y_val, 4096),
            tcfg, desc="flowers17 head",
        )
    seconds = time.perf_counter() - start
    head.eval()
    with torch.no_grad():
        val_prob = _softmax(head(x_val))
        test_prob = _softmax(head(torch.from_numpy(feats.x_test)))
    linear = head[1]
    return {
        "weight": linear.weight.detach().numpy().copy(),
        "bias": linear.bias.detach().numpy().copy(),
        "history": history.as_dict(),
        "val_prob": val_prob,
        "test_prob": test_prob,
        "val_acc": float((val_prob.argmax(1) == feats.y_val).mean()),
        "test_acc": float((test_prob.argmax(1) == feats.y_test).mean()),
        "n_train_rows": int(len(y_train)),
        "seconds": seconds,
    }


def select_head(grid: tuple[HeadConfig, ...], split: FlowersSplit) -> tuple[HeadConfig, dict, list[dict]]:
    """Train every config of ``grid`` and keep the best on VALIDATION (accuracy, then loss).

    Returns ``(best config, its result, one row per config: config fields, val accuracy, val loss)``.
    """
    _, _, digest = pretrained_weights()
    rows, best = [], None
    for cfg in grid:
        res = train_head(cfg, split, digest)
        val_loss = float(np.mean(-np.log(res["val_prob"][np.arange(len(res["val_prob"])), split.labels("val")] + 1e-12)))
        rows.append({**{k: v for k, v in cfg.__dict__.items()}, "val_acc": res["val_acc"], "val_loss": val_loss})
        score = (res["val_acc"], -val_loss)
        if best is None or score > best[0]:
            best = (score, cfg, res)
    return best[1], best[2], rows


@dataclass(frozen=True)
class ScratchConfig:
    spec: ScratchSpec = ScratchSpec()
    augment: AugmentSpec = AugmentSpec()
    epochs: int = 40
    lr: float = 3e-3
    weight_decay: float = 5e-4
    batch_size: int = 32
    label_smoothing: float = 0.1
    store_scale: float = 1.5  # images are kept at store_scale * side px so crops keep detail


def train_scratch(cfg: ScratchConfig, split: FlowersSplit) -> dict:
    """Train the CNN from scratch; per-epoch history, val/test probabilities and the weights.

    Cached under the config, the split and the source of the code involved.
    """
    from lib.data import flowers_torch

    code = _code_hash(
        train_scratch, _train_scratch, scratch_cnn, ScratchSpec, AugmentSpec, ScratchConfig, to_input,
        augment_images, _train_config, torch_threads, flowers_torch.preload, flowers_torch.load_pil,
    )
    return _cached("flowers17-scratch", (cfg, split, code), lambda: _train_scratch(cfg, split))


def _train_scratch(cfg: ScratchConfig, split: FlowersSplit) -> dict:
    from lib.data.flowers_torch import preload
    from lib.deep.train import TensorLoader, fit

    side = cfg.spec.side
    store = round(side * cfg.store_scale)
    start = time.perf_counter()
    x_train, y_train = preload(split, "train", store)
    x_val, y_val = preload(split, "val", store)
    x_test, y_test = preload(split, "test", store)
    v_val, v_test = to_input(x_val, side), to_input(x_test, side)
    load_seconds = time.perf_counter() - start
    torch.manual_seed(config.SEED)
    model = scratch_cnn(cfg.spec)
    tcfg = _train_config(cfg.epochs, cfg.lr, cfg.weight_decay, cfg.batch_size, cfg.label_smoothing)
    start = time.perf_counter()
    with torch_threads():
        history = fit(
            model, TensorLoader(x_train, y_train, cfg.batch_size, shuffle=True), TensorLoader(v_val, y_val, 512),
            tcfg, augment=lambda x: augment_images(x, cfg.augment, side), desc="flowers17 scratch CNN",
        )
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            val_prob, test_prob = _softmax(model(v_val)), _softmax(model(v_test))
    state = {f"state.{k}": v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return {
        **state,
        "history": history.as_dict(),
        "val_prob": val_prob,
        "test_prob": test_prob,
        "val_acc": float((val_prob.argmax(1) == y_val.numpy()).mean()),
        "test_acc": float((test_prob.argmax(1) == y_test.numpy()).mean()),
        "params": count_parameters(model),
        "seconds": seconds,
        "load_seconds": load_seconds,
    }


def scratch_model(result: dict, spec: ScratchSpec) -> nn.Sequential:
    """Rebuild the trained CNN from a :func:`train_scratch` result."""
    model = scratch_cnn(spec)
    state = {k[len("state."):]: torch.from_numpy(np.asarray(v)) for k, v in result.items() if k.startswith("state.")}
    model.load_state_dict(state)
    return model.eval()
