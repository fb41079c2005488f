"""PyTorch part of the book (chapter 7): models, the one training loop, augmentation, OCR.

Import the submodules you need (``from lib.deep import train``); importing ``lib.deep`` itself
does no work and imports no torch.

* ``lib.deep.models``  -- the FC network of chapter 3 in PyTorch, a small CNN family, ``summary``.
* ``lib.deep.train``   -- ``fit``/``evaluate``/``predict`` and the cached ``fit_cached``.
* ``lib.deep.augment`` -- batch augmentation for character models that read photos.
* ``lib.deep.ocr``     -- ``cnn_classifier()``: the EMNIST CNN as a NIST36-convention classifier.
"""
