"""Choices the run scripts share with the book, kept in one place (Q5 and Q6).

These mirror ``lib.pipelines.autoencoder`` (``ae_config``, ``SHOW_CLASSES``), which is
report-facing code and not part of the submission; ``tests/course`` checks they agree.
"""

import numpy as np

from lib import config
from lib.autoencoder import AEConfig
from lib.data import CLASSES

#: The five classes shown in Q5.3.1 and Q6.2 (two images each).
SHOW_CLASSES = ("A", "G", "M", "3", "7")


def ae_config():
    """The handout's autoencoder settings (Q5.2); the quick profile trains less."""
    return AEConfig(epochs=config.pick(full=100, quick=8), n_train=config.pick(full=None, quick=1800))


def example_indices(y, classes=SHOW_CLASSES, per_class=2):
    """The first ``per_class`` images of each class in ``classes``, class by class."""
    return np.concatenate([np.flatnonzero(np.asarray(y) == CLASSES.index(c))[:per_class] for c in classes])
