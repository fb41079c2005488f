"""PyTorch part of the book (chapter 7), one module per job.

Import the submodules you need (``from lib.deep import train``); importing ``lib.deep`` itself
does no work and imports no torch. The data sets live in ``lib.data`` (``torch_datasets`` for
the character images, ``flowers_torch`` for Flowers-17).

* ``lib.deep.models``    -- every network: chapter 3's FC network, the CNN family of 7.1 and 7.2,
  SqueezeNet 1.1 with a new classifier; parameter counts and ``summary``.
* ``lib.deep.augment``   -- every augmentation: character batches, pixel-row shifts, flower photos.
* ``lib.deep.train``     -- the training loop: ``fit``/``evaluate``/``predict``, the cached
  ``fit_cached``, ``TensorLoader``, ``torch_threads``.
* ``lib.deep.recipes``   -- chapter 7.1's four trainings (data, model, optimiser per profile).
* ``lib.deep.features``  -- SqueezeNet's pooled features of every Flowers-17 image, cached.
* ``lib.deep.finetune``  -- Q7.2.1: the new classifier trained on those features, and the CNN
  trained from scratch.
* ``lib.deep.ocr``       -- ``cnn_classifier()``: the EMNIST CNN as a NIST36-convention classifier.
* ``lib.deep.reader``    -- chapter 4's reader, a CNN trained for photographed letters.

Progress bars come in through a ``progress`` argument (``lib.progress.counter`` from the
pipelines); nothing here imports tqdm.
"""
