"""Sentence segmentation of real notes: headings, bullets, line breaks, abbreviations."""

from __future__ import annotations

import pytest

from reflectassist.lexicon import load_lexicon
from reflectassist.segmenter import sentence_starts

ABBR = load_lexicon()["abbreviations"]


def split(text: str) -> list[str]:
    starts = sentence_starts(text, ABBR)
    ends = starts[1:] + [len(text)]
    return [text[s:e].strip() for s, e in zip(starts, ends, strict=True)]


def test_heading_and_bullets_are_separate_sentences():
    text = "Actions agreed:\n- JB to book MCA training\n- review at next supervision"
    assert split(text) == ["Actions agreed:", "- JB to book MCA training",
                           "- review at next supervision"]


@pytest.mark.parametrize("marker", ["1.", "2)", "a)", "•", "*"])
def test_numbered_and_symbol_bullets(marker):
    text = f"Targets\n{marker} Complete the audit by May\n{marker} Shadow the TVN twice"
    parts = split(text)
    assert parts[1] == f"{marker} Complete the audit by May"
    assert len(parts) == 3


def test_inline_heading_is_split_from_its_content():
    assert split("Feedback: Your handover on Tuesday was clear.") == [
        "Feedback:", "Your handover on Tuesday was clear."]


def test_line_breaks_without_full_stops_start_sentences():
    text = "Good rapport with SU\nPaperwork behind\nNeeds to chase GP"
    assert split(text) == ["Good rapport with SU", "Paperwork behind", "Needs to chase GP"]


def test_hard_wrapped_lowercase_continuation_stays_in_sentence():
    text = "I spoke to the family about the plan and\nthey seemed relieved. Then I left."
    assert split(text) == ["I spoke to the family about the plan and\nthey seemed relieved.",
                           "Then I left."]


@pytest.mark.parametrize("text", [
    "I asked Dr. Patel to review the chart. She agreed.",
    "We saw several issues, e.g. Missed obs and late meds. It was busy.",
    "It took approx. Ten minutes to settle him. Then he slept.",
    "Mrs. Khan and Mr. Ode came in. They were worried.",
])
def test_abbreviations_do_not_end_sentences(text):
    assert len(split(text)) == 2


def test_offsets_index_the_original_text(nlp):
    text = "Supervision notes\n\nFeedback:\n* Good job.  You were calm.\n\n1. Read it by Friday"
    doc = nlp(text)
    assert [text[s:e] for s, e, _sec, _h in doc._.sentences] == [
        "Supervision notes", "Feedback:", "* Good job.", "You were calm.", "1. Read it by Friday"]
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == [
        text[s:e] for s, e, _sec, _h in doc._.sentences]


def test_sections_follow_headings(nlp):
    doc = nlp("Wellbeing\nAB is tired.\n\nFeedback:\nYour notes were clear.\n\n"
              "Actions agreed:\nAB to read the policy by Friday.")
    sections = {doc.text[s:e]: sec for s, e, sec, _ in doc._.sentences}
    assert sections["Your notes were clear."] == "feedback"
    assert sections["AB to read the policy by Friday."] == "targets"
    assert sections["AB is tired."] == "other"


def test_run_on_text_is_broken_into_bounded_sentences():
    text = " ".join(["the patient was seen and the plan was discussed"] * 80)
    parts = split(text)
    assert len(parts) > 1
    assert all(len(p) <= 1200 for p in parts)


def test_spaces_at_line_ends_change_no_sentence_row(nlp):
    """Word and PDF text often ends lines with spaces; a title followed by a line holding
    only spaces was not taken for a title (the next line did not count as blank)."""
    import json
    import re
    from pathlib import Path

    names = [n for n, _ in nlp.pipeline]
    texts = ["Session requested by midwife\n\nWe met on Tuesday to talk about the birth plan.",
             "Summary\n\nShe settled well. I think the rota helped."]
    for f in sorted((Path(__file__).resolve().parents[1] / "corpora").rglob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8")
                  .splitlines()[::9] if line.strip()]
    def rows(text: str) -> list[tuple]:
        return [(" ".join(text[s:e].split()), section, head) for s, e, section, head in
                nlp(text, disable=names[1:])._.sentences]

    for text in texts:
        assert rows(re.sub(r"(?m)$", " ", text)) == rows(text), text[:60]
    assert rows(texts[0])[0] == ("Session requested by midwife", "other", True)


@pytest.mark.parametrize("title,heading", [
    ("Reflective log - first home visit as a student social worker", True),
    ("Practice supervision record – student nurse T (3rd year, placement 2 of 3)", True),
    ("I arrived on the ward late and the handover had already started without me", False),
])
def test_a_long_first_line_above_a_blank_line_is_the_documents_title(nlp, title, heading):
    """Up to 14 words, a document's first line standing alone without closing punctuation is
    its title (it was read as a sentence above 8 words, and flagged as buzzwords); a first
    line that ends like a sentence is not."""
    title = title if heading else title + "."
    names = [n for n, _ in nlp.pipeline]
    doc = nlp(f"{title}\n\nOn Monday I visited Mrs K with my practice educator.",
              disable=names[1:])
    assert doc._.sentences[0][3] is heading
    if heading and "record" not in title:  # not the first line: not the document's title
        doc = nlp(f"Some words first.\n\n{title}\n\nOn Monday I visited Mrs K.",
                  disable=names[1:])
        assert not any(r[3] for r in doc._.sentences)
