"""Fast paths of ``identifiers.py`` (second round) against the code they replace.

REFERENCES here are the code as it was: every PhraseRx intersecting its first runs with all
the runs of the text (``run_set``), ``TextView.where`` intersecting its keys with every word,
the years-old scan whenever the text has "old" anywhere, the appositives found from every
determiner, and the name and place rules without their cheap early tests (the speech verb's
and role cue's word must be title-case, a facility word must follow a capitalised word).
They run on every corpus text and on generated texts.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from itertools import chain

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import identifiers as ids
from reflectassist.identifiers import (
    AMPERSAND_RX,
    DOT_SPACE_RX,
    ME_AND_RX,
    ROLE_AFTER_RX,
    WARD_GATE_RX,
    WARD_RX,
    Candidate,
    TextView,
    _finditer_at,
    _is_initial,
    _wordy,
)
from reflectassist.lexicon import plain_quotes, plain_spaces

# --------------------------------------------------------------------------- references


class RefView(TextView):
    """The view as it was: ``where`` over every word, the phrase regexes over every run."""

    def where(self, keys: Collection[str]) -> list[int]:
        index = self.index
        hits = index.keys() & keys
        if not hits:
            return []
        if len(hits) == 1:
            return index[hits.pop()]
        return sorted(chain.from_iterable(map(index.__getitem__, hits)))

    @property
    def lexicon_runs(self) -> set[str]:  # (PhraseRx.matches and the age rules read it)
        return self.run_set

    def has_run(self, run: str) -> bool:  # (_ages' years-old gate: "old" anywhere)
        return run in self.low


class RefNameFinder(ids.NameFinder):
    """The name rules as they were (the others are unchanged; on a RefView, first_names
    looks for all_names_lower among every word, as it did)."""

    def role_cues(self) -> None:
        v, lex, text = self.v, self.lex, self.text
        for m in lex.role_cues.matches(v):
            after = ROLE_AFTER_RX.match(text[m.end():m.end() + 4])
            if not after:
                continue
            i = v.index_at(m.end() + after.end())
            if i is None:
                continue
            b = v.bares[i]
            if _is_initial(b) or (b.isupper() and len(b) <= 3):
                continue
            if ":" in after.group() and b not in lex.all_names:
                continue  # a form field ("Supervisor: Deputy manager") mostly holds a role
            if not self.nameish(i) or b.lower() in lex.titles_inside:
                continue
            if self.pet_before(i) or _wordy(b, lex) or \
                    re.match(r"\s*:", text[v.ends[i]:v.ends[i] + 3]):
                continue
            self.add(i, self.extend_surname(i), f"name after '{m.group().lower()}'")

    def appositives(self) -> None:
        """'Faith, our senior carer': a word right before a comma, a determiner and a role."""
        v, lex, text = self.v, self.lex, self.text
        if "," not in text:
            return
        if v.plain and lex.appositive_determiners is not None:  # the word before one
            before = [j - 1 for j in v.where(lex.appositive_determiners) if j]
        else:
            before = range(v.n)
        for i in before:
            # (a possessive's bare form ends before its 's, never before a comma)
            if v.gaps[i][:1] != "," or v.bares[i] != v.words[i] or \
                    not lex.appositive_rx.match(text, v.ends[i]) or not self._generic_ok(i):
                continue
            start = i
            if i > 0 and v.spaced(i - 1) and v.bares[i - 1] in lex.all_names \
                    and v.title(i - 1):
                start = i - 1
            self.add(start, i, "name before a role ('..., our carer')")

    def speech_and_pairs(self) -> None:
        v, lex = self.v, self.lex
        words, lowers = v.words, v.lowers
        ands = v.where({"and"})
        pairs = [j for j in ands if j + 1 < v.n and words[j + 1] == "I"]
        for j in sorted({*v.where(lex.speech_verbs), *pairs}):
            i = j - 1
            if i < 0:
                continue
            nxt = lowers[j]
            if v.spaced(i) and (nxt in lex.speech_verbs or
                                (nxt == "and" and i + 2 < v.n and
                                 words[i + 2] in {"I"} and v.spaced(i + 1))):
                if v.sentence_initial(i) and v.bares[i] not in lex.all_names:
                    continue
                if i > 0 and v.spaced(i - 1) and words[i - 1][:1].isupper():
                    continue
                if self._generic_ok(i):
                    self.add(i, i, "name before a speech verb" if nxt != "and" else
                             "name in 'X and I'")
        # "me and", "I and": the word before 'and' ends with 'me' or is 'I'
        me = [v.ends[j - 1] - 2 if words[j - 1].endswith("me") else v.ends[j - 1] - 1
              for j in ands if j and words[j] == "and" and words[j - 1].endswith(("me", "I"))]
        for m in _finditer_at(ME_AND_RX, self.text, me):
            i = v.index_at(m.end())
            if i is not None and self._generic_ok(i):
                self.add(i, self.extend_surname(i), "name in 'me and X'")


def ref_places(v: TextView) -> list[Candidate]:
    """_places as it was."""
    lex, text = v.lex, v.text
    words, bares, lowers, starts, ends, n = v.words, v.bares, v.lowers, v.starts, v.ends, v.n
    out: list[Candidate] = []

    def phrase_at(i: int, phrases: dict[str, list[list[str]]]) -> int:
        for p in phrases.get(lowers[i], ()):
            m = len(p)
            if words[i:i + m] == p and (m == 1 or all(v.spaced(i + k) for k in range(m - 1))):
                return m
        return 0

    def name_run(end_i: int) -> int | None:
        """Start index of the capitalised name words ending at word end_i."""
        j = end_i
        start = None
        count = 0
        while j >= 0 and count < 5:
            w = words[j]
            if j < end_i and not (v.spaced(j) or
                                  (w in {"St", "Mt"} and DOT_SPACE_RX.fullmatch(v.gaps[j])) or
                                  AMPERSAND_RX.fullmatch(v.gaps[j])):
                break
            if w in {"and", "of"} and start is not None and j > 0 and \
                    v.title(j - 1) and v.spaced(j - 1):
                j -= 1
                continue
            if not (w[:1].isupper() and (v.title(j) or w in {"St", "Mt"})):
                break
            if lowers[j] in lex.stopwords and w not in {"St", "Saint"} and \
                    bares[j] not in lex.all_names:
                break
            if w == "The":
                break
            if v.looks_like_verb_or_adverb(j):
                break
            start = j
            count += 1
            j -= 1
        return start

    def distinctive(a: int, b: int) -> bool:
        for k in range(a, b + 1):
            w = bares[k]
            if w in {"St", "Saint", "Mt", "and", "of"} or w in lex.generic:
                continue
            if w.lower() in lex.stopwords and w not in lex.all_names:
                continue
            if w.isupper() and len(w) <= 4:
                continue
            return True
        return False

    def finish(a: int, last: int, reason: str) -> None:
        s = starts[a]
        if a > 0 and words[a - 1] == "The" and v.spaced(a - 1) and \
                not v.sentence_initial(a - 1):
            s = starts[a - 1]
        e = ends[last]
        if last + 1 < n and v.spaced(last):
            k = phrase_at(last + 1, lex.lower_facility)
            if k and words[last + 1].islower():
                e = ends[last + k]
        out.append(Candidate(s, e, "PLACE", reason))

    after = 0  # words before this are inside a place already found
    for i in v.where(lex.facility_first_words):
        if i < after or words[i] not in lex.facility_first_exact:
            continue  # (phrase_at compares the words exactly)
        after = i + 1
        k = phrase_at(i, lex.facility_index)
        if k and i > 0 and v.spaced(i - 1):
            last = i + k - 1
            while last + 1 < n and v.spaced(last):  # "St Peter's Church Hall"
                k2 = phrase_at(last + 1, lex.facility_index)
                if not k2 or not words[last + 1][:1].isupper():
                    break
                last += k2
            nxt = words[last + 1] if last + 1 < n and v.spaced(last) else ""
            a = name_run(i - 1)
            if a is not None and nxt not in lex.no_follow and distinctive(a, i - 1):
                finish(a, last, f"named facility ('{' '.join(words[i:i + k])}')")
                after = last + 1
                continue
        # lower-case facility word after a distinctive capitalised name: "Larkfield care home"
        k = phrase_at(i, lex.lower_facility)
        if k and words[i].islower() and i > 0 and v.spaced(i - 1):
            last = i + k - 1
            nxt = words[last + 1] if last + 1 < n and v.spaced(last) else ""
            a = name_run(i - 1)
            if a is not None and nxt.lower() not in lex.no_follow_lower and \
                    distinctive(a, i - 1) and not (a == i - 1 and bares[a] in lex.all_names
                                                   and v.sentence_initial(a)):
                finish(a, last, "named facility")
                after = last + 1
                continue

    if v.ndigits and WARD_GATE_RX.search(text):
        for m in WARD_RX.finditer(text):
            out.append(Candidate(m.start(), m.end(), "PLACE", "numbered ward"))
    if any(map(text.__contains__, lex.prison_needles)):
        for m in lex.prison_rx.finditer(text):
            e = m.end()
            if m.group(2) and (m.group(2).lower() in lex.stopwords or
                               m.group(2) in lex.facility_all_words):
                e = m.end(1)
            if m.group(1).lower() in lex.stopwords:
                continue
            out.append(Candidate(m.start(), e, "PLACE", "named prison"))
    # "moved to The Hollies", "The Willows"
    for i in v.where({"the"}):
        if words[i] != "The" or not v.spaced(i):
            continue
        nxt = words[i + 1]
        if nxt in lex.the_names:
            out.append(Candidate(starts[i], ends[i + 1], "PLACE", "named home ('The ...')"))
            continue
        if i > 0 and lowers[i - 1] in lex.the_prepositions and v.spaced(i - 1):
            j = i + 1
            last = None
            while j < n and j - i <= 3 and v.title(j) and lowers[j] not in lex.stopwords \
                    and words[j] not in lex.generic:
                last = j
                if not v.spaced(j):
                    break
                j += 1
            if last is not None:
                out.append(Candidate(starts[i], v.bare_end(last), "PLACE",
                                     "named place after a preposition ('at The ...')"))
    return out


NAME_RULES = ("titles", "initial_surname", "caps_surname_first", "first_names", "role_cues",
              "appositives", "speech_and_pairs", "possessives")

def where_keys(lex: ids.Lexicon) -> list[Collection[str]]:
    """Every key set the rules ask TextView.where for."""
    return [lex.titles_inside, ids.ASCII_LOWER_BUT_I, lex.all_names_lower,
            lex.appositive_determiners, lex.speech_verbs, lex.possessive_followers,
            lex.facility_first_words, {"and"}, {"the"}]


def phrase_rxs(lex: ids.Lexicon) -> list[ids.PhraseRx]:
    return [p for p in (*vars(lex).values(), *lex.exclusion_followed)
            if isinstance(p, ids.PhraseRx)]


# --------------------------------------------------------------------------- the checks


def check(text: str) -> None:
    check_view(text)
    check_view(plain_spaces(plain_quotes(text)))  # as find_identifiers reads it


def spans(ms: list[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in ms]


def check_view(text: str) -> None:
    lex = ids.lexicon()
    v, ref = TextView(text, lex), RefView(text, lex)
    assert v.plain == ref.plain == (not any(c in text for c in ids.FOLD_TRAPS))
    for keys in where_keys(lex):
        assert v.where(keys) == ref.where(keys), (text, keys)
    assert v.lexicon_runs == ref.run_set & lex.run_vocab
    for p in phrase_rxs(lex):
        assert spans(p.matches(v)) == spans(p.matches(ref)), (text, p.phrases[:3])
    assert v.has_run("old") == ("old" in ref.run_set)
    assert ids._number_after_is(v) == ids._number_after_is(ref)
    names, ref_names = ids.NameFinder(v), RefNameFinder(ref)
    for rule in NAME_RULES:
        getattr(names, rule)()
        getattr(ref_names, rule)()
        assert names.cands == ref_names.cands, (text, rule)
    assert names.anonymised == ref_names.anonymised
    assert ids._places(v) == ref_places(ref), text
    anchors = [(c.start, c.end) for c in names.cands]
    assert ids._ages(v, anchors) == ids._ages(ref, anchors), text


def test_phrase_and_age_runs_are_in_the_vocabulary():
    lex = ids.lexicon()
    for p in phrase_rxs(lex):
        assert p.runs <= lex.run_vocab
    assert lex.age_unit_number_runs | lex.pronoun_age_number_runs <= lex.run_vocab


def test_the_check_fails_on_a_missing_run(monkeypatch):
    lex = ids.lexicon()
    monkeypatch.setattr(lex, "run_vocab", lex.run_vocab - {"five"})
    with pytest.raises(AssertionError):
        check_view("She is five years old.")


def test_fast_paths_on_the_corpus():
    for text in corpus_texts():
        check(text)


WORDS = sorted({
    *(q for p in phrase_rxs(ids.lexicon()) for q in p.phrases[:30]), "Mr", "Mrs", "said",
    "Sam", "Faith", "Grace", "and", "I", "me", "the", "The", "a", "A", "B", "our", "my",
    "carer", "nurse", "senior", "care", "home", "Care", "Home", "Larkfield", "Hospital",
    "hospital", "ward", "Ward", "at", "old", "hold", "told", "older", "years", "year", "five",
    "twenty-one", "years-old", "old's", "she", "is", "was", "aged", "age", "Sam's", "mum",
    "Mary-Jo", "O'Neill", "İ", "ı", "café", "12", "7", "3", "–"})
GAPS = (" ", " ", " ", "", ", ", ". ", "\n", "-", "'", "’", "(", ")", ":", "\u00a0", "5")


@settings(max_examples=500, deadline=None)
@example("Larkfield care home, where Faith, our senior carer, said she is five years-old")
@example("Then Sam said, and me and Grace told Mr B, 12 years old. HOLD OLD")
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), max_size=24)
       .map(lambda parts: "".join(w + g for w, g in parts)))
def test_fast_paths_on_generated_texts(text):
    check(text)
