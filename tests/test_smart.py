"""SMART criteria on the hard cases named in the issue, and target extraction."""

from __future__ import annotations

import pytest

from reflectassist.targets import score_target_texts


def smart(nlp, text):
    return score_target_texts(nlp.get_pipe("reflectassist_targets").models, [text])[0]


@pytest.mark.parametrize("text", ["Review my caseload ASAP.",
                                  "Read the safeguarding policy at some point.",
                                  "Improve my documentation going forward."])
def test_vague_times_are_not_time_bound(nlp, text):
    s = smart(nlp, text)["time_bound"]
    assert not s["met"] and s["score"] < 0.5


@pytest.mark.parametrize("text", ["Complete the MCA e-learning by 31 March.",
                                  "Shadow the tissue viability nurse within six weeks.",
                                  "Bring two reflective accounts to next supervision."])
def test_deadlines_and_review_points_are_time_bound(nlp, text):
    assert smart(nlp, text)["time_bound"]["met"]


def test_vague_verb_is_not_specific_even_with_a_date(nlp):
    s = smart(nlp, "Improve my communication skills by March.")
    assert not s["specific"]["met"] and s["time_bound"]["met"]


def test_absolute_aim_is_not_achievable(nlp):
    assert not smart(nlp, "Never make a medication error again.")["achievable"]["met"]


def test_number_without_check_is_not_measurable(nlp):
    assert not smart(nlp, "Be 50% more confident when talking to families.")["measurable"]["met"]


def test_fully_smart_target(nlp):
    s = smart(nlp, "Complete 3 supervised catheterisations on the ward, signed off by my "
                   "practice assessor, by the end of placement on 14 May.")
    assert all(v["met"] for v in s.values())


def test_extraction_sections_lists_and_intentions(nlp):
    text = ("I felt out of my depth at the start of the visit.\n"
            "Next time I will ask the family what they already know before I explain.\n\n"
            "Actions agreed:\n"
            "1. JB to complete the sepsis e-learning by 31 March\n"
            "2. Improve confidence\n"
            "- CK to arrange a joint visit within two weeks; JB to bring the visit notes to "
            "supervision on 3 April\n")
    targets = [t["text"] for t in nlp(text)._.targets]
    assert "Next time I will ask the family what they already know before I explain." in targets
    assert "JB to complete the sepsis e-learning by 31 March" in targets
    assert "Improve confidence" in targets
    assert "CK to arrange a joint visit within two weeks" in targets
    assert "JB to bring the visit notes to supervision on 3 April" in targets
    assert not any("out of my depth" in t for t in targets)
    assert len(targets) == 5
