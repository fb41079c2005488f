"""Q7.1.1: chapter 3's fully connected network (1024-64-36, sigmoid) in PyTorch on NIST36.

Writes ``q7_1_1_accuracy.png`` and ``q7_1_1_loss.png`` (training and validation per epoch).
"""

from q7_util import train_and_report

train_and_report("nist36-fc", "Q7.1.1", "1024-64-36 FC network, NIST36")
