"""Tests for analytics.insights.constructs: item ranges, suggested families, scores on one 0–1 scale, ECSI bank."""

import csv

import numpy as np
import pandas as pd
import pytest

from analytics.insights.constructs import (
    Construct,
    ConstructItem,
    build_constructs,
    construct_scores,
    detect_item_range,
    suggest_constructs,
)
from analytics.insights.gap import expectation_sources, paired_scores

BANK_HEADER = ["", "imag1", "imag2", "imag3", "imag4", "imag5", "expe1", "expe2", "expe3", "expe4", "expe5",
               "qual1", "qual2", "qual3", "qual4", "qual5", "val1", "val2", "val3", "val4", "sat1", "sat2", "sat3",
               "sat4", "loy1", "loy2", "loy3", "loy4", "gender"]
MOBILE_HEADER = ["", "CUEX1", "CUEX2", "CUEX3", "CUSA1", "CUSA2", "CUSA3", "CUSCO", "CUSL1", "CUSL2", "CUSL3",
                 "IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5", "PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6",
                 "PERQ7", "PERV1", "PERV2"]


def test_detect_item_range_reads_numbers_as_text_or_numbers_and_a_zero_starts_the_scale():
    assert detect_item_range(pd.Series(["1", "3", "5"], name="q1")) == (1.0, 5.0)
    assert detect_item_range(pd.Series([2, 7, 10], name="q2")) == (1.0, 10.0)
    assert detect_item_range(pd.Series(["0", "4", "10"], name="q3")) == (0.0, 10.0)
    # One 0 among 200 answers: the rating rules would call it an outlier of 1–10; for an item it is an answer.
    rare_zero = pd.Series(["0"] + ["7", "8", "9", "10"] * 50, name="expe1")
    assert detect_item_range(rare_zero) == (0.0, 10.0)
    with pytest.raises(ValueError, match="'comment'"):
        detect_item_range(pd.Series(["great", "awful", "meh"], name="comment"))
    with pytest.raises(ValueError, match="'liked'.*thumbs"):
        detect_item_range(pd.Series(["yes", "no", "yes"], name="liked"))


def test_suggest_constructs_on_the_two_ecsi_headers():
    bank = suggest_constructs(BANK_HEADER, {"rating": "sat1", "expected": "expe1", "text": None})
    assert bank == {"expectation": ["expe1", "expe2", "expe3", "expe4", "expe5"],
                    "experience": ["sat1", "sat2", "sat3", "sat4"]}
    mobile = suggest_constructs(MOBILE_HEADER, {"rating": "PERQ1", "expected": "CUEX1"})
    assert mobile == {"expectation": ["CUEX1", "CUEX2", "CUEX3"],
                      "experience": [f"PERQ{i}" for i in range(1, 8)]}
    assert suggest_constructs(BANK_HEADER, {"rating": "gender"}) == {}
    assert suggest_constructs(["score", "expected"], {"rating": "score", "expected": "expected"}) == {}
    # Numbers sort as numbers, and a lone item is no family.
    assert suggest_constructs(["s10", "s2", "s1", "e1"], {"rating": "s1", "expected": "e1"}) == {
        "experience": ["s1", "s2", "s10"]}


def test_items_on_different_scales_are_each_brought_to_0_1_from_their_own_range():
    raw = pd.DataFrame({"_row": [1, 2, 3], "e_stars": ["5", "1", "3"], "e_ten": ["10", "0", ""],
                        "s_ten": ["7", "x", "10"], "s_stars": ["2", "4", "6"]})
    constructs = [Construct("expectation", (ConstructItem("e_stars", 1, 5), ConstructItem("e_ten", 0, 10))),
                  Construct("experience", (ConstructItem("s_ten", 0, 10), ConstructItem("s_stars", 1, 5)))]
    scores = construct_scores(raw, constructs)
    assert list(scores.columns) == ["_row", "expected", "experienced", "items_expected", "items_experienced"]
    np.testing.assert_allclose(scores["expected"], [1.0, 0.0, 0.5])  # row 3: e_ten blank, e_stars 3 → 0.5
    np.testing.assert_allclose(scores["experienced"], [(0.7 + 0.25) / 2, 0.75, 1.0])  # "x" left out; 6 → 1
    assert scores["items_expected"].tolist() == [2, 2, 1] and scores["items_experienced"].tolist() == [2, 1, 2]
    nothing = construct_scores(raw.assign(e_stars="", e_ten=""), constructs)
    assert nothing["expected"].isna().all() and (nothing["items_expected"] == 0).all()


def test_construct_errors_name_what_is_missing():
    raw = pd.DataFrame({"_row": [1], "a1": ["3"], "b1": ["4"]})
    expectation = Construct("expectation", (ConstructItem("a1", 1, 5),))
    with pytest.raises(ValueError, match="experience construct is missing"):
        construct_scores(raw, [expectation])
    with pytest.raises(ValueError, match="experience construct is empty"):
        construct_scores(raw, [expectation, Construct("experience", ())])
    with pytest.raises(ValueError, match=r"\['zz9'\]"):
        construct_scores(raw, [expectation, Construct("experience", (ConstructItem("zz9", 1, 5),))])
    with pytest.raises(ValueError, match="high > low"):
        ConstructItem("a1", 5, 5)
    with pytest.raises(ValueError, match="'quality'"):
        Construct("quality", ())


@pytest.mark.real_data
def test_ecsi_bank_gap_matches_a_hand_computation_on_the_first_rows(shared_data):
    bank = shared_data / "ecsi-surveys" / "satisfaction_bank.csv"
    if not bank.is_file():
        pytest.skip(f"the ECSI bank survey {bank} is absent")
    raw = pd.read_csv(bank, dtype=str, keep_default_na=False)
    raw.insert(0, "_row", np.arange(1, len(raw) + 1))
    columns = suggest_constructs(list(raw.columns), {"rating": "sat1", "expected": "expe1"})
    constructs = build_constructs(raw, columns)
    assert all((item.low, item.high) == (0.0, 10.0) for c in constructs for item in c.items)  # answers include 0
    scores = construct_scores(raw, constructs)
    with bank.open(newline="") as handle:
        first = [row for _, row in zip(range(3), csv.DictReader(handle))]
    for i, row in enumerate(first):
        expectation = sum(int(row[f"expe{j}"]) / 10 for j in range(1, 6)) / 5
        experience = sum(int(row[f"sat{j}"]) / 10 for j in range(1, 5)) / 4
        assert scores.loc[i, "experienced"] - scores.loc[i, "expected"] == pytest.approx(experience - expectation)
    # Respondent 1 answered expe 9, 9, 5, 8, 9 and sat 6, 7, 6, 7: 0.65 − 0.80.
    assert scores.loc[0, "experienced"] - scores.loc[0, "expected"] == pytest.approx(-0.15)

    # The scores feed the survey source, joined to the rows by _row.
    rows = pd.DataFrame({"_row": raw["_row"], "record_id": [f"resp-{r}" for r in raw["_row"]]})
    assert expectation_sources(rows, survey=scores)[0].n == len(raw)
    paired = paired_scores(rows, "survey", survey=scores)
    assert paired.frame.loc[0, "record_id"] == "resp-1" and paired.frame.loc[0, "gap"] == pytest.approx(-0.15)
