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
    card = scorecard.table({"Q3.1.1": {"value": 0.83, "requirement": 0.75, "requirement_met": True,
                                       "goal": 0.8, "goal_met": True, "pass": True,
                                       "data": "NIST36 handwritten characters, 3 file(s) (STAND-IN, ...)"}})
    assert len(card) == len(QUESTIONS)
    row = card.set_index("Question").loc["Q3.1.1"]
    assert row["Result"] == "83.00%" and row["Homework"] == "≥ 75%: met" and row["Our goal"] == "≥ 80%: met"
    assert row["Verdict"] == "pass" and row["Data"] == "NIST36 (stand-in)" and row["Data (short)"] == "NIST36*"
    assert "(8 pts)" in row["Topic"]
    assert scorecard.missing({"Q3.1.1": {}}) == [q for q in QUESTION_IDS if q != "Q3.1.1"]
    assert (card.set_index("Question").loc["Q1.1", "Verdict"]) == scorecard.MISSING


def test_a_missed_goal_reads_as_ours_with_its_reason():
    entry = {"value": 0.915, "goal": 0.92, "goal_met": False, "pass": None, "profile": "full",
             "goal_note": "the look-alike classes cap it", "data": "NIST36 (STAND-IN)"}
    results = {"Q7.1.3": entry, "Q2.5.1": {"value": 3e-7, "goal": 1e-7, "goal_met": False,
                                           "higher_is_better": False, "pass": False, "data": "x"}}
    card = scorecard.table(results).set_index("Question")
    assert card.loc["Q7.1.3", "Our goal"] == "≥ 92%: below¹" and card.loc["Q7.1.3", "Homework"] == ""
    assert card.loc["Q7.1.3", "Verdict"] == ""  # not a failed question
    assert card.loc["Q2.5.1", "Homework"] == scorecard.FAIL  # a check that fails is one
    assert scorecard.notes(results) == ["¹ Q7.1.3: below our goal of 92% (the look-alike classes cap it)"]
    quick = dict(entry, goal_note=None, profile="quick")
    assert "quick profile" in scorecard.goal_note(quick)


def test_not_run_rows_have_no_verdict_but_not_run():
    entry = {"value": None, "display": "not run: MNIST not available (run `make data`)", "goal": None,
             "pass": None, "data": "not available: MNIST"}
    row = scorecard.table({"Q7.1.2": entry}).set_index("Question").loc["Q7.1.2"]
    assert row["Verdict"] == scorecard.MISSING and row["Homework"] == "" and row["Our goal"] == ""
    assert row["Result"].startswith("not run")


def test_tolerances_are_not_shown_as_percentages():
    entry = {"value": 1e-9, "goal": 1e-6, "higher_is_better": False, "pass": True}
    assert scorecard.format_bar(entry, entry["goal"]) == "≤ 1e-6"


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
