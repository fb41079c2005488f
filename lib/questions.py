"""Every question of the homework, in order, with its points and a short title.

The scorecard lists exactly these; a test checks that every one of them has a result.
"""

from __future__ import annotations

from typing import NamedTuple


class Question(NamedTuple):
    qid: str
    points: int
    title: str
    extra_credit: bool = False


QUESTIONS: tuple[Question, ...] = (
    Question("Q1.1", 4, "Softmax is invariant to translation"),
    Question("Q1.2", 3, "Softmax as a three-step process"),
    Question("Q1.3", 3, "Without non-linearities a network is linear"),
    Question("Q1.4", 4, "Derivative of the sigmoid"),
    Question("Q1.5", 12, "Gradients of a linear layer"),
    Question("Q1.6", 15, "Gradients of a convolution layer"),
    Question("Q1.7", 4, "Vanishing gradients, sigmoid vs. tanh"),
    Question("Q2.1.1", 3, "Why not initialise with zeros"),
    Question("Q2.1.2", 3, "Xavier initialisation"),
    Question("Q2.1.3", 2, "Why random, why scaled"),
    Question("Q2.2.1", 12, "Sigmoid and forward propagation"),
    Question("Q2.2.2", 5, "Stable softmax"),
    Question("Q2.2.3", 5, "Cross-entropy loss and accuracy"),
    Question("Q2.3.1", 10, "Backward propagation"),
    Question("Q2.4.1", 10, "Training loop with mini-batches"),
    Question("Q2.5.1", 15, "Numerical gradient checker"),
    Question("Q3.1.1", 8, "Train a 1024-64-36 network"),
    Question("Q3.1.2", 3, "Learning rates: best, 10x, 0.1x"),
    Question("Q3.1.3", 2, "First-layer weights"),
    Question("Q3.1.4", 3, "Second-layer visualisation"),
    Question("Q3.1.5", 4, "Confusion matrix"),
    Question("Q4.1", 3, "Assumptions of the simple method"),
    Question("Q4.2", 13, "Find letters"),
    Question("Q4.3", 6, "Boxes on the sample photos"),
    Question("Q4.4", 13, "Extracted text"),
    Question("Q5.1.1", 10, "Autoencoder", True),
    Question("Q5.1.2", 5, "Momentum", True),
    Question("Q5.2", 3, "Training the autoencoder", True),
    Question("Q5.3.1", 4, "Reconstructions", True),
    Question("Q5.3.2", 3, "PSNR of the autoencoder", True),
    Question("Q6.1", 4, "Projection matrix: size and rank", True),
    Question("Q6.2", 4, "PCA reconstructions", True),
    Question("Q6.3", 4, "PSNR of PCA", True),
    Question("Q6.4", 3, "Number of learned parameters", True),
    Question("Q7.1.1", 10, "Fully connected network in PyTorch"),
    Question("Q7.1.2", 3, "CNN on MNIST"),
    Question("Q7.1.3", 2, "CNN on NIST36"),
    Question("Q7.1.4", 15, "CNN on EMNIST Balanced, read the photos"),
    Question("Q7.2.1", 10, "Fine-tuning SqueezeNet vs. a CNN from scratch"),
)

QUESTION_IDS: tuple[str, ...] = tuple(q.qid for q in QUESTIONS)


def chapter_of(qid: str) -> int:
    return int(qid[1:].split(".")[0])
