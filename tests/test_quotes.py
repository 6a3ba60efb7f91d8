"""Curly quotation marks and apostrophes, as Word types them, give the analysis of plain ones.

Every corpus, lexicon and model was written with plain quotes; before the fix, "I’ll" missed
the lexicon's "i'll" and every document with an apostrophe scored differently when typed in
Word (all 361 sampled corpus documents with one). The shown text keeps the user's characters.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reflectassist.analysis import Source, analyse
from reflectassist.features import features_of
from reflectassist.identifiers import find_identifiers
from reflectassist.lexicon import NO_BREAK_SPACES, TYPOGRAPHIC_QUOTES, plain_quotes
from reflectassist.markers import find_markers

ROOT = Path(__file__).resolve().parents[1]
STRINGS = ("text", "path", "message", "prompt", "reason", "verdict", "anchor")


def curly(text: str) -> str:
    """``text`` as Word would type it: ’ in words, ‘ ’ and “ ” around quotations."""
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r"(^|[\s(\[])'", "\\1‘", text).replace("'", "’")
    parts = text.split('"')
    return "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1])) + parts[-1]


def without_strings(value):
    """A result with the strings that quote the user's text left out (they differ by design);
    evidence spans keep their offsets."""
    if isinstance(value, dict):
        return {k: without_strings(v) if k != "evidence" else [e[:2] for e in v]
                for k, v in value.items() if k not in STRINGS}
    if isinstance(value, list):
        return [without_strings(v) for v in value]
    return value


@cache
def quoted_corpus_texts() -> tuple[str, ...]:
    texts = []
    for f in sorted((ROOT / "corpora").rglob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str) and ("'" in text or '"' in text):
                texts.append(text)
    return tuple(texts)


def test_plain_quotes_keeps_length_and_other_characters():
    text = "“I’ll ask,” she said; ‘twas Mary’s ʼokʼ — café…"
    plain = plain_quotes(text)
    assert plain == "\"I'll ask,\" she said; 'twas Mary's 'ok' — café…"
    assert len(plain) == len(text)
    assert plain_quotes("no quotes here — at all") == "no quotes here — at all"
    assert set(TYPOGRAPHIC_QUOTES.values()) == {"'", '"'}
    # plain_quotes and plain_spaces return an ASCII text at once: every character they
    # change must be outside ASCII
    assert not any(c.isascii() for c in (*TYPOGRAPHIC_QUOTES, *NO_BREAK_SPACES))


@given(st.text(alphabet=st.sampled_from("ab '\"’‘“”ʼ.\n")))
def test_plain_quotes_is_one_character_for_one(text):
    plain = plain_quotes(text)
    assert len(plain) == len(text)
    assert all(a == b or TYPOGRAPHIC_QUOTES.get(a) == b for a, b in zip(text, plain, strict=True))


def test_markers_and_features_read_curly_as_plain():
    plain = 'I\'ll ask again. She said "I didn\'t know."'
    typed = curly(plain)
    assert typed != plain and "’" in typed and "“" in typed
    assert find_markers(typed) == find_markers(plain)
    assert any(cat == "intention" for *_, cat in find_markers(typed))
    for s, e in ((0, 15), (16, len(plain))):
        assert features_of(typed, find_markers(typed), s, e) == \
            features_of(plain, find_markers(plain), s, e)


def test_identifiers_read_curly_as_plain_and_show_the_typed_text():
    text = "We watched Mrs Brown's Boys, then Mrs O'Neill's daughter rang."
    typed = curly(text)
    plain_found, typed_found = find_identifiers(text), find_identifiers(typed)
    assert [(i["start"], i["end"], i["type"]) for i in typed_found] == \
        [(i["start"], i["end"], i["type"]) for i in plain_found]
    assert any(i["text"] == "Mrs O’Neill" for i in typed_found)
    assert all(typed[i["start"]:i["end"]] == i["text"] for i in typed_found)


def test_corpus_documents_typed_with_curly_quotes_get_the_same_analysis(nlp):
    texts = quoted_corpus_texts()[::6]
    assert len(texts) > 250
    plain = list(analyse(nlp, [Source(str(i), t) for i, t in enumerate(texts)]))
    typed = list(analyse(nlp, [Source(str(i), curly(t)) for i, t in enumerate(texts)]))
    differ = [t[:80] for t, a, b in zip(texts, plain, typed, strict=True)
              if without_strings(a) != without_strings(b)]
    assert differ == []
    for t, r in zip(texts, typed, strict=True):  # shown text is the typed text
        for item in r["sentences"] + r["feedback"] + r["targets"]:
            assert curly(t)[item["start"]:item["end"]] == item["text"]


def test_buzz_and_next_step_evidence_read_curly_as_plain(nlp):
    from reflectassist.analysis import analyse_text

    for text in ("I reflected on practice because of Sarah's advice.",
                 'Your handover was "clear and calm." Check the fluid chart daily with Sam.'):
        plain, typed = analyse_text(nlp, text), analyse_text(nlp, curly(text))
        assert "’" in curly(text) or "“" in curly(text)
        assert without_strings(typed) == without_strings(plain), text
    r = analyse_text(nlp, curly("I reflected on practice because of Sarah's advice."))
    assert r["sentences"][0]["buzz"]


def test_next_step_evidence_after_a_closing_curly_quote(nlp):
    """A verb opening the sentence after ``.”`` is evidence, as after ``."``."""
    fb = nlp.get_pipe("reflectassist_feedback")
    text = 'Your handover was "clear and calm." Check the fluid chart daily with Sam.'
    got = []
    for t in (text, curly(text)):
        doc = nlp(t)
        got.append([e[:2] for e in fb.score_spans(doc, [(0, len(t))])[0]["next_step"]["evidence"]])
    assert got[0] == got[1] and [36, 41] in got[0]
