"""Fast paths of ``identifiers.py`` against the plain code they replace.

REFERENCES here are the code as it was before the speed-ups: the Unicode word split for
every non-ASCII text, ``\\d`` scanned by ``re`` in them, every one-letter word looked up in
the index, and the role cues with '’' inside their classes. They run on every corpus text
and on generated texts mixing lexicon words, hyphens, apostrophes of both kinds, non-ASCII
letters and non-letters.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import accumulate

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import identifiers as ids
from reflectassist.lexicon import alternation, plain_quotes, plain_spaces

# --------------------------------------------------------------------------- references

REF_WORD_SPLIT_RX = re.compile(r"([^\W\d_]++(?:[-'’][^\W\d_]++)*+)")
REF_ASCII_WORD_SPLIT_RX = re.compile(r"([A-Za-z]++(?:[-'’][A-Za-z]++)*+)")


def ref_split(text: str) -> tuple[list[str], list[str], list[int], list[int]]:
    """Words, gaps, starts and ends: the ASCII split for ASCII texts only."""
    split = REF_ASCII_WORD_SPLIT_RX.split if text.isascii() else REF_WORD_SPLIT_RX.split
    parts = split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    return parts[1::2], parts[2::2], offsets[1:-1:2], offsets[2::2]


def ref_digits(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\d", text)]


def ref_singles(v: ids.TextView) -> list[int]:
    """initial_surname's one-letter words as they were found in a non-ASCII text."""
    return sorted(i for w, ix in v.index.items() if len(w) == 1 or w == "i\u0307" for i in ix)


def ref_role_cue_build(ps: list[str]) -> str:
    return rf"(?<![\w'’-])(?:{alternation(ps)})(?![\w'’-])"


@cache
def ref_role_cue_rx() -> re.Pattern[str]:
    return re.compile(ref_role_cue_build(ids.lexicon().role_cues.phrases), re.IGNORECASE)


def phrase_rxs() -> list[ids.PhraseRx]:
    lex = ids.lexicon()
    return [p for p in (*vars(lex).values(), *lex.exclusion_followed)
            if isinstance(p, ids.PhraseRx)]


# --------------------------------------------------------------------------- the checks


def check(text: str) -> None:
    check_view(text)  # (curly quotes too: a text of ASCII words may have them)
    check_view(plain_spaces(plain_quotes(text)))  # as find_identifiers reads it


def check_view(text: str) -> None:
    lex = ids.lexicon()
    v = ids.TextView(text, lex)
    # word split, digits and one-letter words: the ASCII roads when every word character is
    words, gaps, starts, ends = ref_split(text)
    assert (v.words, v.gaps, v.starts, v.ends) == (words, gaps, starts, ends), text
    assert v.digits == ref_digits(text)
    if not text.isascii() and v.ascii_words:
        assert v.where(ids.ASCII_LOWER_BUT_I) == [
            i for i in ref_singles(v) if v.lowers[i] != "i"], text
    # the role cues: the same matches as with '’' inside the classes
    assert [m.span() for m in lex.role_cues.rx.finditer(text)] == \
        [m.span() for m in ref_role_cue_rx().finditer(text)], text


def test_role_cue_patterns_per_first_run_as_before():
    p = ids.lexicon().role_cues
    for k, group in p.groups.items():
        assert p.build(group) != ref_role_cue_build(group)
        new = re.compile(p.build(group), re.IGNORECASE)
        old = re.compile(ref_role_cue_build(group), re.IGNORECASE)
        for phrase in group:
            for before in ("", " ", "-", "'", "’", "x", "_", "2", "é", "("):
                for after in ("", " ", "-", "'", "’", "s", "_", "2", "é", ")"):
                    text = f"{before}{phrase}{after}"
                    assert [m.span() for m in new.finditer(text)] == \
                        [m.span() for m in old.finditer(text)], (k, text)


def test_ascii_words():
    assert ids._ascii_words("plain text")
    assert ids._ascii_words("a – dash • bullet £5 → arrow")
    assert not ids._ascii_words("café")
    assert not ids._ascii_words("x² ½")  # numbers are word characters
    assert not ids._ascii_words("İ")


def test_fast_paths_on_the_corpus():
    for text in corpus_texts():
        check(text)


WORDS = sorted({
    *(q for p in phrase_rxs() for q in p.phrases[:40]), "Mr", "Mrs", "Dr", "said", "and", "I",
    "the", "The", "a", "A", "B", "i", "Sam", "Mary-Jo", "Jo", "Road", "Street", "Flat", "Unit",
    "St", "care", "home", "Ward", "mum", "aged", "old", "years", "five", "twenty-one",
    "ex-nurse", "non-GP", "O'Neill", "O’Brien", "nurse’s", "Sam's", "café", "Zoë", "İ", "ı",
    "ſ", "x²", "½", "٣", "12", "7", "1990", "–", "—", "•", "£", "→", "_", "x"})
GAPS = (" ", " ", " ", "", "  ", "\n", ". ", ", ", "-", "'", "’", "(", ")", ":", "\u00a0",
        " – ", "•", "2", "é")


def generated() -> st.SearchStrategy[str]:
    text = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)),
                    max_size=20).map(lambda parts: "".join(w + g for w, g in parts))
    # texts whose only non-ASCII characters are not word characters: the new ASCII road
    return st.one_of(text, text.map(lambda t: "".join(
        c for c in t if c.isascii() or not c.isalnum())))


@settings(max_examples=400, deadline=None)
@example("Mr İ said – the ex-nurse’s café, Flat 3, 12 Rowan Road")
@example("a – b • c I i x²")
@example("my mentor’s nurse-led ’nurse’ -nurse- social worker’s")
@given(generated())
def test_fast_paths_on_generated_texts(text):
    check(text)
