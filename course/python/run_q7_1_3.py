"""Q7.1.3: the same convolutional network family in PyTorch on NIST36 (upright 32x32 images).

Writes ``q7_1_3_accuracy.png`` and ``q7_1_3_loss.png``.
"""

from q7_util import train_and_report

train_and_report("nist36-cnn", "Q7.1.3", "CNN, NIST36")
