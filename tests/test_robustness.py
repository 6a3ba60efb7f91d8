"""Arbitrary text never crashes the pipeline; offsets index the input; scores stay in range."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reflectassist.analysis import analyse_text

PIECES = st.sampled_from([
    "I felt anxious.", "Actions agreed:", "\n- JB to book training by Friday", "\n\n",
    "Feedback:", "Good work.", "Dr. ", "e.g. ", "1. ", "•", "Next time I will ask.", "ASAP",
    "<script>alert(1)</script>", "“quoted”", "\t", "Mr B", "because", "???", "…", "🙂",
])
TEXTS = st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=30).map(" ".join))


def check_result(text: str, r: dict) -> None:
    assert r["error"] is None or not text.strip()
    if r["error"]:
        return
    assert 0 <= r["depth"]["level"] <= 3
    assert abs(sum(r["depth"]["probabilities"]) - 1.0) < 1e-3
    for key in ("sentences", "feedback", "targets"):
        for item in r[key]:
            assert 0 <= item["start"] < item["end"] <= len(text)
            assert text[item["start"]:item["end"]] == item["text"]
    for f in r["feedback"]:
        assert f["specificity"] in (0, 1, 2) and 0.0 <= f["score"] <= 1.0
    for t in r["targets"]:
        for v in t["smart"].values():
            assert 0.0 <= v["score"] <= 1.0
    for s in r["suggestions"]:
        assert 0 <= s["start"] <= s["end"] <= len(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_arbitrary_text_never_crashes(nlp, text):
    check_result(text, analyse_text(nlp, text))


def test_same_input_same_output(nlp):
    text = ("I felt rushed on the ward because two staff were off sick. Perhaps the family saw "
            "me as dismissive.\nActions agreed:\n- Book the MCA course by 3 March")
    assert analyse_text(nlp, text) == analyse_text(nlp, text)


def test_very_long_line_without_punctuation(nlp):
    text = "and then we went to the next patient " * 1500
    r = analyse_text(nlp, text)
    check_result(text, r)
    assert len(r["sentences"]) > 10


def test_non_english_text_is_analysed_without_error(nlp):
    text = "Ich habe mich gestern sehr unsicher gefühlt. 昨天我很紧张。"
    check_result(text, analyse_text(nlp, text))
