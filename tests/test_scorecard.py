"""The scorecard lists every question of the homework, filled from recorded results."""

from lib import scorecard
from lib.questions import QUESTION_IDS, QUESTIONS


def test_every_homework_question_is_listed_in_order():
    expected = (
        [f"Q1.{i}" for i in range(1, 8)]
        + ["Q2.1.1", "Q2.1.2", "Q2.1.3", "Q2.2.1", "Q2.2.2", "Q2.2.3", "Q2.3.1", "Q2.4.1", "Q2.5.1"]
        + [f"Q3.1.{i}" for i in range(1, 6)]
        + [f"Q4.{i}" for i in range(1, 5)]
        + ["Q5.1.1", "Q5.1.2", "Q5.2", "Q5.3.1", "Q5.3.2"]
        + [f"Q6.{i}" for i in range(1, 5)]
        + [f"Q7.1.{i}" for i in range(1, 5)]
        + ["Q7.2.1"]
    )
    assert list(QUESTION_IDS) == expected
    # the handout's points: 45 theory, 65 network, 20 training, 35 text, 25 + 15 extra, 40 PyTorch
    by_part = {}
    for q in QUESTIONS:
        by_part[q.qid[1]] = by_part.get(q.qid[1], 0) + q.points
    assert by_part == {"1": 45, "2": 65, "3": 20, "4": 35, "5": 25, "6": 15, "7": 40}


def test_missing_results_are_shown_as_not_run():
    card = scorecard.table({"Q3.1.1": {"value": 0.83, "target": 0.75, "pass": True,
                                       "data": "NIST36 handwritten characters, 3 file(s) (STAND-IN, ...)"}})
    assert len(card) == len(QUESTIONS)
    row = card.set_index("Question").loc["Q3.1.1"]
    assert row["Result"] == "83.00%" and row["Target"] == "≥ 75%" and row["Verdict"] == "pass"
    assert row["Data"] == "NIST36 (stand-in)"
    assert "(8 pts)" in row["Topic"]
    assert scorecard.missing({"Q3.1.1": {}}) == [q for q in QUESTION_IDS if q != "Q3.1.1"]
    assert (card.set_index("Question").loc["Q1.1", "Verdict"]) == scorecard.MISSING


def test_tolerances_are_not_shown_as_percentages():
    entry = {"value": 1e-9, "target": 1e-6, "higher_is_better": False, "pass": True}
    assert scorecard.format_target(entry) == "≤ 1e-06"


def test_each_source_of_a_result_keeps_its_own_stand_in_mark():
    photos = "The homework's four sample photos, 4 file(s) from HW5_DATA"
    nist = "NIST36 handwritten characters (homework .mat format), 3 file(s) from HW5_DATA (STAND-IN, not ...)"
    flowers = "Oxford Flowers-17, 1360 file(s) from HW5_DATA"
    weights = "ImageNet SqueezeNet 1.1 weights, 1 file(s) from HW5_DATA (STAND-IN, not the official files)"
    assert scorecard.short_data(f"{flowers}; {weights}") == "Flowers-17 + SqueezeNet weights (stand-in)"
    assert scorecard.short_data(f"{photos}; MLP trained on {nist}") == "sample photos + NIST36 (stand-in)"
    assert scorecard.short_data(f"{photos}; 20 generated pages") == "sample photos + 20 generated pages"
    assert scorecard.short_data("EMNIST Balanced, 47 classes (torchvision layout), 5 file(s) (STAND-IN)") == \
        "EMNIST Balanced (stand-in)"
    assert scorecard.short_data("") == ""
