"""Q7.1.2: a small convolutional network in PyTorch on MNIST.

Writes ``q7_1_2_accuracy.png`` and ``q7_1_2_loss.png``. MNIST is read from
``../data/torchvision`` (torchvision's own format; nothing is downloaded).
"""

from q7_util import train_and_report

train_and_report("mnist-cnn", "Q7.1.2", "CNN, MNIST")
