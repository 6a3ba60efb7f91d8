"""Personal identifiers in reflective writing: names, NHS and record numbers, contact details,
addresses, named places, dates of birth and ages (issue 9, policy in corpora/guidelines/pii.md).

Everything is rules and lexicons (``data/identifiers.json``); no model is trained and nothing
is downloaded. :func:`find_identifiers` is a pure function on a string; the spaCy component
``reflectassist_identifiers`` stores its result on ``Doc._.identifiers`` as plain dicts
``{"start", "end", "type", "text", "reason"}`` (sorted, non-overlapping) so the results survive
``nlp.pipe(n_process=...)``.

Span policy (pii.md 2): the value only, never the label ("NHS no.", "DOB", "aged", "tel"); no
possessive ``'s``, closing punctuation or brackets; titles (Mr, Mrs, Ms, Miss, Mx, Dr, Prof)
inside NAME spans; job titles and kinship words (Sister, Nurse, "my mentor") outside.

What is deliberately **not** flagged:

- initials used to anonymise ("Mr B", "Mrs T's daughter", "JB", "J."), lettered references
  ("service user A", "Child B") and generic roles ("the patient", "my mentor");
- theorists and authors cited in reflection (Gibbs, Kolb, Schön...) unless a title is written
  before the name ("Mrs Gibbs" is a person in the writer's practice, "Gibbs' cycle" is not);
- brands, books, TV, charities, laws and eponymous scales listed in ``exclusions``;
- 10-digit numbers that fail the NHS modulus-11 check, whatever the text calls them;
- short codes, extensions and bleeps, numbers without a valid UK length or grouping;
- observations, doses, times, non-birth dates, bed/bay/room numbers, legislation, bands;
- incident and Datix numbers (they identify an event, not a person's record).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Set
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, chain, filterfalse
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import (
    FOLD_TRAPS,
    alternation,
    load_data,
    plain_quotes,
    plain_spaces,
    positions,
)
from .segmenter import text_of

if not Doc.has_extension("identifiers"):
    Doc.set_extension("identifiers", default=None)

IDENTIFIER_TYPES = ("NAME", "NHS_NUMBER", "RECORD_NUMBER", "DOB", "AGE", "PHONE", "EMAIL",
                    "POSTCODE", "ADDRESS", "PLACE", "NI_NUMBER")

# When candidate spans overlap, the more specific type wins, then the longer span.
PRIORITY = {"EMAIL": 100, "NHS_NUMBER": 90, "NI_NUMBER": 85, "PHONE": 80, "POSTCODE": 75,
            "DOB": 70, "RECORD_NUMBER": 65, "ADDRESS": 60, "PLACE": 55, "AGE": 50, "NAME": 40}

WORD_RX = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# WORD_RX as split's group; possessive quantifiers, as nothing after a word can make ``re``
# backtrack into it (faster, same words)
WORD_SPLIT_RX = re.compile(r"([^\W\d_]++(?:[-'’][^\W\d_]++)*+)")
# the same on ASCII text; its first letter written alone gives ``re`` a character set to skip
# to the next word with (a whole match is tried at every character otherwise)
ASCII_WORD_SPLIT_RX = re.compile(r"([A-Za-z][A-Za-z]*+(?:[-'’][A-Za-z]++)*+)")
NON_ASCII_RX = re.compile(r"[^\x00-\x7f]")
LETTERS_RX = re.compile(r"[^\W\d_]+")
DIGIT_RX = re.compile(r"\d")
ASCII_DIGITS = "0123456789"  # \d on ASCII text
ASCII_LOWER_BUT_I = set("abcdefghjklmnopqrstuvwxyz")  # the one-letter words, but 'I'/'i'
ABBREVIATIONS = {"mr", "mrs", "ms", "mx", "dr", "prof", "st", "rev", "fr", "sr", "jr", "vs",
                 "approx", "eg", "ie", "e.g", "i.e", "cf", "no", "nos", "tel", "mob", "ref",
                 "dept", "ext", "sgt", "cllr", "apt"}

# For the letters of FOLD_SAFE, the characters re.IGNORECASE matches are exactly those that
# str.lower() maps to them, except for the FOLD_TRAPS (lexicon.py; 'İ' is also the only
# character that lower-cases to two). In a text without FOLD_TRAPS ("plain"), offsets
# in text.lower() are offsets in the text, and a case-insensitive phrase of FOLD_SAFE letters
# can only match where text.lower() has it.
FOLD_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzé")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    type: str
    reason: str

    @property
    def key(self) -> tuple[int, int, int]:
        return (-PRIORITY[self.type], -(self.end - self.start), self.start)


def _title_case(word: str) -> bool:
    return word[:1].isupper() and any(map(str.islower, word[1:]))


def _is_initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


CONTRACTION_RX = re.compile(r"['’]([^\W\d_]+)$")


@lru_cache(maxsize=4096)
def _is_contraction(word: str) -> bool:
    """I've, He'd, We'll, I'm, don't: not names."""
    m = CONTRACTION_RX.search(word)
    return bool(m) and m.group(1).lower() in {"d", "ve", "ll", "m", "re", "t"}


def _is_word_char(c: str) -> bool:
    """``re``'s ``\\w`` for one character."""
    return c.isalnum() or c == "_"


def _ascii_words(text: str) -> bool:
    """Every word character of ``text`` is ASCII (``re``'s ``\\w``, ``\\d`` and letters are
    then the ASCII ones): most non-ASCII texts only have dashes, bullets or a '£'."""
    return text.isascii() or not any(map(str.isalnum, set(NON_ASCII_RX.findall(text))))


# --------------------------------------------------------------------------- phrase regexes


class PhraseRx:
    r"""A case-insensitive regex ``build(phrases)`` whose every match starts with a phrase.

    ``re`` tries every alternative of a long phrase list at every word of the text. In a
    plain text (see FOLD_SAFE) a phrase can only match where its first run of letters is a
    run of the text (lower case; words split at hyphens and apostrophes), with the character
    the phrase has after it, and when all its runs are in the text. So :meth:`matches` tries
    only ``build(phrases with that first run)`` there: the very matches of ``finditer``, for a
    fraction of the cost. The regex must put a look-behind excluding ``\w`` before the phrase
    and let no letter follow a run of the phrase.
    """

    def __init__(self, phrases: Iterable[str], build: Callable[[list[str]], str],
                 by_first_word: bool = True):
        self.phrases = phrases = list(dict.fromkeys(phrases))
        self.build = build
        self.by_first_word = by_first_word
        self.groups: dict[str, list[str]] = {}
        self.needs: dict[str, list[frozenset[str]]] = {}
        # the characters that can follow the first word (" ": any space), None: any
        self.follow: dict[str, set[str] | None] = {}
        self.fast = True
        self.one_run: set[str] = set()  # first runs of a one-run phrase: nothing more needed
        self.runs: set[str] = set()  # every run of every phrase (see TextView.lexicon_runs)
        for p in phrases:
            low = p.lower()
            words = LETTERS_RX.findall(low)
            self.runs.update(words)
            # letters, word characters and the first character: all from FOLD_SAFE
            if not LETTERS_RX.match(low) or any(
                    c not in FOLD_SAFE and (c.isalpha() or _is_word_char(c) and not c.isascii())
                    for c in low):
                self.fast = False
                break
            key = words[0]
            self.groups.setdefault(key, []).append(p)
            self.needs.setdefault(key, []).append(frozenset(words))
            if len(set(words)) == 1:
                self.one_run.add(key)
            after = low[len(key):len(key) + 1]
            follow = self.follow.setdefault(key, set())
            if not after:
                self.follow[key] = None
            elif follow is not None:
                follow.add(after)
        self.keys = frozenset(self.groups)
        self._by_key: dict[str, re.Pattern[str]] = {}

    @cached_property
    def rx(self) -> re.Pattern[str]:
        """The whole regex (compiled when first needed: plain texts do without)."""
        return re.compile(self.build(self.phrases), re.IGNORECASE)

    def _rx_for(self, key: str) -> re.Pattern[str]:
        """The regex of the phrases of one first run (or the whole one), compiled once."""
        rx = self._by_key.get(key)
        if rx is None:
            rx = self._by_key[key] = re.compile(self.build(self.groups[key]), re.IGNORECASE) \
                if self.by_first_word else self.rx
        return rx

    def matches(self, v: TextView) -> list[re.Match[str]]:
        """``list(self.rx.finditer(v.text))``."""
        if not (self.fast and v.plain):
            return list(self.rx.finditer(v.text))
        runs = v.lexicon_runs  # (every run of the phrases is one of Lexicon.run_vocab)
        found = [(q, k) for k in self.keys & runs
                 if k in self.one_run or any(need <= runs for need in self.needs[k])
                 for q in v.run_starts(k)]
        if not found:
            return []
        found.sort()
        text = v.text
        out = []
        end = 0
        for q, k in found:
            follow = self.follow[k]
            if follow is not None:
                c = text[q + len(k):q + len(k) + 1]
                if c not in follow and not (" " in follow and c.isspace()):
                    continue
            if q >= end:
                m = self._rx_for(k).match(text, q)
                if m:
                    out.append(m)
                    end = m.end()
        return out


# A match tried at one start costs about as much as a scan of this many characters of text.
SCAN_CHARS_PER_START = 32


def _finditer_at(rx: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """``list(rx.finditer(text))`` when every match of ``rx`` starts at one of ``starts``."""
    out = []
    end = 0
    for q in sorted(set(starts)):
        if q >= end:
            m = rx.match(text, q)
            if m:
                out.append(m)
                end = m.end()
    return out


def _matches_at(rx: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``list(rx.finditer(text))`` when every match of ``rx`` starts at one of ``starts``:
    tried there only (``re`` scans for a ``\\d`` slowly), unless they are many."""
    if not starts:
        return []
    if len(starts) * SCAN_CHARS_PER_START > len(text):
        return list(rx.finditer(text))
    return _finditer_at(rx, text, starts)


def _search_at(rx: re.Pattern[str], text: str, starts: list[int]) -> bool:
    """``rx.search(text)`` found something, when every match of ``rx`` starts at one of
    ``starts`` (as :func:`_matches_at`)."""
    if len(starts) * SCAN_CHARS_PER_START > len(text):
        return rx.search(text) is not None
    match = rx.match
    for q in starts:
        if match(text, q):
            return True
    return False


# --------------------------------------------------------------------------- lexicon


def _index_phrases(phrases: list[list[str]]) -> dict[str, list[list[str]]]:
    """Phrases (lists of words, longest first) grouped by their lower-cased first word."""
    index: dict[str, list[list[str]]] = {}
    for p in phrases:
        index.setdefault(p[0].lower(), []).append(p)
    return index


class Lexicon:
    """Word lists from ``data/identifiers.json``, as sets and compiled patterns."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.titles_inside = {t.lower() for t in data["titles"]["inside_span"]}
        self.first_names = set(data["first_names"])
        self.ambiguous = set(data["ambiguous_first_names"]["words"])
        self.virtue = set(data["virtue_first_names"]["words"])
        self.cue_only = set(data["cue_only_first_names"]["words"])
        self.place_like = set(data["place_like_first_names"]["words"])
        self.all_names = (self.first_names | self.ambiguous | self.virtue | self.cue_only
                          | self.place_like)
        self.all_names_lower = {w.lower() for w in self.all_names}
        self.locative = set(data["locative_words"])
        self.locative_to_verbs = set(data["locative_to_verbs"])
        self.name_followers = set(data["name_followers"]["words"])
        self.speech_verbs = set(data["speech_verbs"])
        self.possessive_followers = {w.lower() for w in data["possessive_followers"]["words"]}
        self.pet_cues = set(data["pet_and_object_cues"]["words"])
        self.lettered = set(data["lettered_reference_words"]["words"])
        self.particles = set(data["name_particles"])
        self.suffix_stop = set(data["name_suffix_stop"]["words"])
        self.theorist_surnames = set(data["theorists"]["surnames"])
        self.theorist_full = {n.lower() for n in data["theorists"]["full_names"]}
        self.stopwords = {w.lower() for w in data["stopwords"]["words"]}
        self.function_words = {w.lower() for w in data["function_words"]["words"]}
        self.caps_stop = set(data["caps_surname_stop"])
        place = data["place"]
        self.facility_phrases = [p.split() for p in
                                 sorted(place["facility_words"], key=lambda p: -len(p.split()))]
        self.facility_index = _index_phrases(self.facility_phrases)
        self.facility_all_words = {w for p in self.facility_phrases for w in p}
        self.lower_facility = _index_phrases(
            [p.split() for p in sorted(place["lowercase_facility_words"],
                                       key=lambda p: -len(p.split()))])
        self.facility_first_words = set(self.facility_index) | set(self.lower_facility)
        self.facility_first_exact = {p[0] for ps in (*self.facility_index.values(),
                                                     *self.lower_facility.values()) for p in ps}
        self.no_follow = set(place["no_follow"]["words"])
        self.no_follow_lower = {w.lower() for w in self.no_follow}
        self.generic = set(place["generic"])
        self.the_prepositions = set(place["the_prepositions"])
        self.the_names = set(data["the_names"]["words"])
        addr = data["address"]
        self.street_words = set(addr["street_words"])
        self.unit_words = set(addr["unit_words"])
        self.building_words = set(addr["building_words"])
        self.postcode_areas = set(data["postcode_areas"])
        ni = data["ni_number"]
        self.ni_bad_first = set(ni["bad_first"])
        self.ni_bad_second = set(ni["bad_second"])
        self.ni_never = set(ni["never_issued"])
        age = data["age"]
        self.number_words = list(age["number_words"])
        # how an age in words with a unit starts: "five", "fiveyears" (see age_unit_rx)
        self.age_unit_number_runs = {w.lower() + u for w in self.number_words for u in (
            "", "year", "years", "yr", "yrs", "month", "months", "week", "weeks", "day", "days")}
        self.age_person_words = set(age["person_words"])
        self.dob_event_words = {w.lower() for w in data["dob_event_words"]}
        self.appositive_roles = {w.lower() for w in data["appositive_roles"]["roles"]}
        # the determiner is one word of FOLD_SAFE letters: the next word (in a plain text)
        dets_lower = {w.lower() for w in data["appositive_roles"]["determiners"]}
        self.appositive_determiners = dets_lower if all(
            w.isalpha() and set(w) <= FOLD_SAFE for w in dets_lower) else None
        dets = alternation(list(data["appositive_roles"]["determiners"]))
        roles = alternation(list(self.appositive_roles))
        self.appositive_rx = re.compile(
            rf",\s+(?:{dets})\s+(?:[\w-]+\s+){{0,2}}?(?:{roles})(?![\w-])", re.IGNORECASE)
        self._compile()
        # every run of letters (lower case) of the phrase regexes and the age rules: each text
        # intersects its runs with these once (TextView.lexicon_runs), then every phrase
        # regex a few (a set: set.intersection(dict) walks the dict's keys)
        self.run_vocab: set[str] = set().union(
            *(p.runs for p in (*vars(self).values(), *self.exclusion_followed)
              if isinstance(p, PhraseRx)),
            self.age_unit_number_runs, self.pronoun_age_number_runs)

    def _compile(self) -> None:
        d = self.data
        cues = list(d["role_cues"]["phrases"]) + list(d["titles"]["outside_span"])
        # ('’' outside the classes: ``re`` compiles a class of three single characters, one
        # not in Latin-1, into a 65,536-character table, ~1 ms for each of the ~100 per-word
        # regexes the texts call for; the same matches)
        self.role_cues = PhraseRx(
            cues, lambda ps: rf"(?<![\w'-])(?<!’)(?:{alternation(ps)})(?![\w'-])(?!’)")
        ex = d["exclusions"]
        self.exclusions = PhraseRx(
            ex["phrases"], lambda ps: rf"(?<![\w])(?:{alternation(ps)})(?![\w])")
        self.exclusion_followed = [
            PhraseRx([phrase], lambda ps, words=words:
                     rf"(?<![\w]){alternation(ps)}\s+(?:{alternation(words)})(?![\w])")
            for phrase, words in ex["followed_by"].items()]
        # words that can carry an age ("the boy", "Mr B")
        self.age_anchors = PhraseRx(
            self.age_person_words,
            lambda ps: rf"(?<![\w])(?:{'|'.join(sorted(ps, key=len, reverse=True))})"
                       rf"(?:\s+(?-i:[A-Z]))?(?![\w'’])")
        self.record_cues = PhraseRx(
            d["record_cues"]["phrases"],
            lambda ps: rf"(?<![\w&])(?:{alternation(ps)})(?![\w&])")
        self.dob_cues = PhraseRx(d["dob_cues"]["phrases"], _dob_cue_pattern)
        fillers = [f for f in d["dob_fillers"] if f.isalpha()]
        self.dob_filler_rx = re.compile(
            rf"(?:\s*[:\-–(]\s*|\s+|\s*(?:{'|'.join(fillers)})\b\s*){{0,6}}", re.IGNORECASE)
        streets = sorted(self.street_words - {"St", "Dr"}, key=len, reverse=True)
        self.street_alt = "|".join(re.escape(s) for s in streets)
        units = "|".join(re.escape(u) for u in sorted(self.unit_words, key=len, reverse=True))
        self.unit_alt = units
        prefixes = "|".join(re.escape(p) for p in d["address"]["street_prefix_words"])
        self.street_prefix_alt = prefixes
        # words the address patterns need (if each is one run of letters): tests before scans
        self.street_needs = _runs_or_none(self.street_words | {"St", "Dr"})
        self.street_prefix_needs = _runs_or_none(d["address"]["street_prefix_words"])
        self.unit_needs = _runs_or_none(self.unit_words)
        self.street_prefixes_capitalised = all(
            re.match("[A-Z]", w) for w in d["address"]["street_prefix_words"])
        self.prison_rx = re.compile(
            rf"(?<![\w/])(?:{alternation(d['place']['prison_prefixes'])})\s+"
            r"([A-Z][^\W\d_]+(?:[-'’][^\W\d_]+)*)(?:\s+([A-Z][^\W\d_]+))?")
        needles = {p.split()[0] for p in d["place"]["prison_prefixes"]}
        # (a needle holding another is in a text only with it: "HMP/YOI" with "HMP")
        self.prison_needles = [p for p in sorted(needles)
                               if not any(q != p and q in p for q in needles)]
        numw = "|".join(sorted(self.number_words, key=len, reverse=True))
        self.number_word_alt = rf"(?:(?:{numw})(?:[- ](?:{numw}))?)"
        self._compile_addresses()
        self._compile_ages()

    def _compile_addresses(self) -> None:
        num = r"(?:\d{1,4}[A-Za-z]?/)?\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?)?"
        word = r"(?:St\.?|[A-Z][^\W\d_]*(?:[-'’][^\W\d_]+)*)"
        street = rf"(?:St|Dr)(?!\.?\s+[A-Z])|(?:{self.street_alt})"
        unit = rf"(?:{self.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,?\s+"
        self.street_rx = re.compile(
            rf"(?<![\w.,/:£$-])(?:({unit}))?({num}),?\s+((?:{word}\s+){{1,3}})({street})"
            r"(?![\w'’])")
        self.unit_before_rx = re.compile(rf"(?:{self.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,?\s+$")
        self.street_prefix_rx = re.compile(
            rf"(?<![\w.,/:£$-])({num}),?\s+(?:{self.street_prefix_alt})"
            rf"(?:\s+(?:y|yr|'r|[A-Z][^\W\d_]*)){{1,3}}")
        self.building_rx = re.compile(
            rf"(?<![\w-])(?:{self.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,\s+"
            rf"((?:[A-Z][^\W\d_]*(?:[-'’][^\W\d_]+)*\s+){{0,3}}[A-Z][^\W\d_]*"
            rf"(?:[-'’][^\W\d_]+)*)")

    def _compile_ages(self) -> None:
        num = rf"(?:\d{{1,3}}|{self.number_word_alt})"
        self.age_unit_rx = re.compile(
            rf"(?<![\w.£$-])({num})(?:\s*-\s*|\s+|(?=[a-z]))(?:years?|yrs?|months?|weeks?|days?)"
            rf"(?:\s*-\s*|\s+)old(?![\w-])", re.IGNORECASE)
        self.aged_rx = re.compile(
            rf"(?<![\w-])(aged|age)\s*[:\-]?\s*({num})(\s+(?:years?|months?|weeks?|days?)"
            rf"(?:\s+old)?)?(?![\w-])", re.IGNORECASE)
        self.aged_tail_rx = re.compile(rf"\s*(?:,|and|&)\s*({num})(?![\w-])")
        followers = ("and", "but", "now", "this", "next", "last", "so", "with", "when")
        follower_alt = "|".join(rf"{w}\b" for w in followers)
        self.age_pronoun = PhraseRx(["he", "she", "they", "who", "I"], lambda _: (
            rf"(?<![\w'’])(?:(?:he|she|they|who)(?:['’]s|\s+is|\s+was|\s+(?:is|was)\s+"
            rf"(?:now|only|just))|I(?:['’]m|\s+am|\s+was|\s+(?:am|was)\s+(?:now|only|just)))"
            rf"\s+(?:just\s+)?({num})(?=\s*(?:[,.;:!?)]|$|{follower_alt}"
            rf"|years?\b(?!\s+(?:in|of|since|ago)\b)))"), by_first_word=False)
        # how an age in words after a pronoun starts: "five", "fiveand" (as just above)
        self.pronoun_age_number_runs = {w.lower() + f for w in self.number_words
                                        for f in ("", "year", "years", *followers)}
        self.age_turned = PhraseRx(["turned", "turns", "turning", "just turned"], lambda _: (
            rf"(?<![\w-])(?:turned|turns|turning|just\s+turned)\s+({num})"
            rf"(?=\s*(?:[,.;:!?)]|$|and\b|but\b|last\b|this\b|in\b|on\b"
            rf"|yesterday\b|today\b|recently\b))"), by_first_word=False)


def _runs_or_none(words: Iterable[str]) -> set[str] | None:
    """The words as a set if each is one run of letters (else None: no test possible)."""
    words = set(words)
    return words if all(LETTERS_RX.fullmatch(w) for w in words) else None


def _dob_cue_pattern(phrases: list[str]) -> str:
    """DOB labels; a bare 'b.' only before a number."""
    dob = [p for p in phrases if p != "b."]
    alts = [rf"(?<![\w.])(?:{alternation(dob)})(?![\w])"] if dob else []
    if "b." in phrases:
        alts.append(r"(?<![\w.])b\.(?=\s*\d)")
    return f"(?:{'|'.join(alts)})"


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(load_data("identifiers"))


# --------------------------------------------------------------------------- helpers


def nhs_check_digit(nine: str) -> int | None:
    """The NHS modulus-11 check digit for nine digits, or None when no number can start so."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(number: str) -> bool:
    digits = re.sub(r"[\s-]", "", number)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


class TextView:
    """The words of a text, found once, and the questions every rule asks about them.

    Word i is ``words[i]`` at ``starts[i]:ends[i]``; ``gaps[i]`` is the text after it, up to
    the next word (or the end); ``lowers[i]`` is its lower case and ``bares[i]`` the word
    without a possessive 's.
    """

    def __init__(self, text: str, lex: Lexicon):
        self.text = text
        self.lex = lex
        self.ascii_words = _ascii_words(text)
        split = ASCII_WORD_SPLIT_RX.split if self.ascii_words else WORD_SPLIT_RX.split
        parts = split(text)  # gap, word, gap, word, ..., gap
        offsets = list(accumulate(map(len, parts), initial=0))
        self.words: list[str] = parts[1::2]
        self.gaps: list[str] = parts[2::2]
        self.starts: list[int] = offsets[1:-1:2]
        self.ends: list[int] = offsets[2::2]
        self.n = len(self.words)
        self.joined = " ".join(self.words)
        if self.n:
            self.lowers = self.joined.lower().split(" ")
            self.bares = self._bare_words()
        else:
            self.lowers = self.bares = []
        # lower case == case folding, letter for letter (see FOLD_SAFE)
        self.plain = text.isascii() or not any(map(text.__contains__, FOLD_TRAPS))
        self._sent: dict[int, bool] = {}

    def _bare_words(self) -> list[str]:
        """Token.bare for every word: without one final 's (or ’s) after at least one letter.

        The possessives are found in the joined words at once; the other words stay the very
        strings of ``words`` (hashed once for both)."""
        words, joined = self.words, self.joined
        bares = words.copy()
        i = q = 0
        for p in positions(joined, ("'s", "’s")):
            if joined[p + 2:p + 3] in ("", " "):  # at the end of a word
                i += joined.count(" ", q, p)  # words before this one
                q = p
                bares[i] = words[i][:-2]
        return bares

    # -- indexes, built when first asked for

    @cached_property
    def low(self) -> str:
        return self.text.lower()

    @cached_property
    def index(self) -> dict[str, list[int]]:
        """Word indices by lower-case word."""
        index: dict[str, list[int]] = {}
        add = index.setdefault
        for i, w in enumerate(self.lowers):
            add(w, []).append(i)
        return index

    @cached_property
    def sep_words(self) -> list[str]:
        """The hyphenated and apostrophised words (lower case, each once)."""
        return [w for w in filterfalse(str.isalpha, self.index)
                if "-" in w or "'" in w or "’" in w]

    def where_sep_words(self, test: Callable[[str], bool]) -> list[int]:
        """Indices of the hyphenated and apostrophised words passing ``test`` (lower case)."""
        return [i for w in self.sep_words if test(w) for i in self.index[w]]

    @cached_property
    def inner_runs(self) -> dict[str, list[tuple[str, int]]]:
        """The parts of hyphenated and apostrophised words, by lower case: each word and the
        part's offset in it (the text offsets only for the few runs asked for)."""
        out: dict[str, list[tuple[str, int]]] = {}
        add = out.setdefault
        for w in self.sep_words:
            off = 0
            for part in w.replace("’", "-").replace("'", "-").split("-"):
                add(part, []).append((w, off))
                off += len(part) + 1
        return out

    @cached_property
    def case_run_set(self) -> set[str]:
        """Every run of letters in the text (words split at hyphens and apostrophes)."""
        words = self.words
        runs = set(words)
        for i in self.where_sep_words(bool):  # (splitting only these few words is cheaper)
            w = words[i]
            runs.discard(w)
            runs.update(w.replace("’", "-").replace("'", "-").split("-"))
        return runs

    @cached_property
    def run_set(self) -> set[str]:
        """Every run of letters in the text, lower case (and the whole words)."""
        return self.index.keys() | self.inner_runs.keys()

    @cached_property
    def lexicon_runs(self) -> set[str]:
        """``run_set & lex.run_vocab``, found once: the phrase regexes and age rules each
        intersect their words with this small set instead of every run of the text."""
        vocab = self.lex.run_vocab
        found = vocab.intersection(self.index)
        inner = self.inner_runs
        return found | vocab.intersection(inner) if inner else found

    def has_run(self, run: str) -> bool:
        """``run in self.run_set`` (without building it)."""
        return run in self.index or run in self.inner_runs

    def run_starts(self, run: str) -> list[int]:
        """Offsets of the runs of letters equal to ``run`` (lower case); plain texts only."""
        starts, index = self.starts, self.index
        out = [starts[i] for i in index.get(run, ())]
        inner = self.inner_runs.get(run)
        if inner:
            out += [starts[i] + off for w, off in inner for i in index[w]]
        return out

    @cached_property
    def digits(self) -> list[int]:
        """Offsets of the digits (``\\d``), found once: the number rules try their regexes
        only there."""
        text = self.text
        if not self.ascii_words:
            return [m.start() for m in DIGIT_RX.finditer(text)]
        return positions(text, ASCII_DIGITS)  # (much faster than re's scan for \d)

    @cached_property
    def ndigits(self) -> int:
        return len(self.digits)

    @cached_property
    def digit_starts(self) -> list[int]:
        """Offsets of the numbers written in digits, after a non-word character."""
        text = self.text
        return [q for q in self.digits
                if not q or not (text[q - 1].isalnum() or text[q - 1] == "_")]  # (?<!\w)

    @cached_property
    def sign_starts(self) -> list[int]:
        """The digit starts, and the '+' or '(' right before one: where a phone number
        starts."""
        text = self.text
        out = []
        for q in self.digit_starts:
            if q and text[q - 1] in "+(":
                out.append(q - 1)
            out.append(q)
        return out

    def occurrences(self, needle: str) -> list[int]:
        """Offsets of ``needle`` (lower case) in the lower-cased text after a non-word
        character; plain texts only."""
        text, low = self.text, self.low
        out = []
        q = low.find(needle)
        while q >= 0:
            if q == 0 or not _is_word_char(text[q - 1]):
                out.append(q)
            q = low.find(needle, q + 1)
        return out

    def where(self, keys: Collection[str]) -> list[int]:
        """Indices of the words whose lower case is one of ``keys``, in order (read only)."""
        index = self.index
        hits = index.keys() & keys
        if not hits:
            return []
        if len(hits) == 1:
            return index[hits.pop()]
        return sorted(chain.from_iterable(map(index.__getitem__, hits)))

    # -- questions about word i

    def index_at(self, pos: int) -> int | None:
        """The word starting at ``pos``, if any (a few look-ups: no dict of all the starts)."""
        starts = self.starts
        i = bisect.bisect_left(starts, pos)
        return i if i < self.n and starts[i] == pos else None

    def spaced(self, i: int) -> bool:
        """Words i and i+1 are separated by spaces only (same line)."""
        return i + 1 < self.n and not self.gaps[i].strip(" \t\u00a0")

    def prev_word(self, i: int) -> str:
        return self.lowers[i - 1] if i > 0 else ""

    def title(self, i: int) -> bool:
        return _title_case(self.bares[i])

    def initial(self, i: int) -> bool:
        return _is_initial(self.bares[i])

    def bare_end(self, i: int) -> int:
        return self.starts[i] + len(self.bares[i])

    def sentence_initial(self, i: int) -> bool:
        s = self._sent.get(i)
        if s is None:
            s = self._sent[i] = _is_sentence_start(self.text, self.starts[i])
        return s

    def looks_like_verb_or_adverb(self, i: int) -> bool:
        w = self.bares[i].lower()
        return (self.sentence_initial(i) and self.bares[i] not in self.lex.all_names
                and (w.endswith("ed") or w.endswith("ing") or w.endswith("ly")))


WORDY_SUFFIXES = ("ed", "ing", "ly", "ion", "ions", "ment", "ments", "ness", "ity", "ive", "ory",
                  "ance", "ence", "ship", "ise", "ize", "ful", "less", "ous", "ary", "ism",
                  "ist", "ists", "able", "ible", "ics")


def _wordy(word: str, lex: Lexicon) -> bool:
    """Looks like an ordinary English word rather than a name (suffix), unless a known name."""
    return word not in lex.all_names and word.lower().endswith(WORDY_SUFFIXES)


ABBREVIATION_BEFORE_RX = re.compile(r"([^\W\d_]+(?:\.[^\W\d_]+)*)$")


def _is_sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0\"'“‘([{*•–—-\n":
        i -= 1
    if i < 0 or "\n" in text[i + 1:pos]:
        return True
    c = text[i]
    if c in "!?:;":
        return True
    if c == ".":
        m = ABBREVIATION_BEFORE_RX.search(text[max(0, i - 30):i])
        if m:
            w = m.group(1)
            if w.lower() in ABBREVIATIONS or (len(w) == 1 and w.isupper()):
                return False
        return True
    return False


# --------------------------------------------------------------------------- numbers
#
# The number patterns begin with the first character of the number and only then look at the
# character before it, so that ``re`` can skip to candidate characters quickly; the matches
# are the same as with the look-behind in front.

NHS_RX = re.compile(r"(\d(?<![\w+/.]\d)(?<!\d[ -]\d)\d{2}([ -]?)\d{3}\2\d{4})(?![\w/])(?![ -]\d)")


def _nhs_numbers(v: TextView) -> list[Candidate]:
    if v.ndigits < 10:
        return []
    return [Candidate(m.start(1), m.end(1), "NHS_NUMBER",
                      "10-digit number passing the NHS modulus-11 check digit")
            for m in _matches_at(NHS_RX, v.text, v.digit_starts)
            if is_valid_nhs_number(m.group(1))]


PHONE_RUN_RX = re.compile(
    r"[+(\d](?<![\w+/.£$][+(\d])"  # where the number starts
    r"(?:(?<=\+)44\s?(?:\(0\)\s?)?(?:\(0\d{2,5}\)|\d+)|(?<=\()0\d{2,5}\)|(?<=\d)\d*)"
    r"(?:[ -](?:\(0\d{2,5}\)|\d+))*(?![\w/])")
PHONE_PART_RX = re.compile(r"\+44\s?(?:\(0\)\s?)?(?:\d+)?|\(0\d{2,5}\)|\d+")
PHONE_GROUPINGS_11 = {(11,), (5, 6), (4, 7), (3, 8), (4, 3, 4), (3, 4, 4), (5, 3, 3), (3, 3, 5),
                      (4, 4, 3), (6, 5), (2, 9)}


def _phone_valid(groups: list[str]) -> str | None:
    """Kind of UK number written by these digit groups, or None."""
    intl = groups[0].startswith("+44")
    if intl:
        rest = groups[0][3:].replace("(0)", "").strip()
        groups = ([rest] if rest else []) + groups[1:]
        groups = [g.replace("(0)", "") for g in groups if g.replace("(0)", "")]
        digits = "".join(re.sub(r"\D", "", g) for g in groups)
        if len(digits) in (9, 10) and digits[0] in "12378":
            return _phone_kind("0" + digits)
        return None
    lengths = tuple(len(re.sub(r"\D", "", g)) for g in groups)
    digits = "".join(re.sub(r"\D", "", g) for g in groups)
    if not digits.startswith("0") or len(digits) < 10 or digits[1] not in "123578":
        return None
    if len(digits) == 11 and lengths in PHONE_GROUPINGS_11:
        return _phone_kind(digits)
    if len(digits) == 10:
        if digits.startswith("01") and lengths in {(5, 5), (6, 4)}:
            return _phone_kind(digits)
        if digits[:4] in {"0800", "0808", "0500"} and lengths in {(4, 6), (4, 3, 3), (10,)}:
            return _phone_kind(digits)
    return None


def _phone_kind(digits: str) -> str:
    if digits.startswith("07"):
        return "UK mobile number"
    if digits.startswith(("01", "02")):
        return "UK landline number"
    return "UK non-geographic number"


FOREIGN_PHONE_RX = re.compile(
    r"(?:\+(?<![\w+/.£$]\+)(?:"
    r"353[ -]?\(?0?\)?\d{1,2}[ -]?\d{3}[ -]?\d{3,4}"                # Ireland, international
    r"|61[ -]?\(?0?\)?\d[ -]?\d{4}[ -]?\d{4}"                       # Australia, international
    r"|1[ -]?\(?\d{3}\)?[ -]?\d{3}[ -]\d{4})"                       # North America
    r"|0(?<![\w+/.£$]0)(?:"
    r"8[35-9][ -]?\d{3}[ -]?\d{4}"                                  # Ireland, mobile
    r"|4\d{2}[ -]\d{3}[ -]\d{3}|4\d{8})"                            # Australia, mobile
    r"|\((?<![\w+/.£$]\()(?:"
    r"0[2378]\)[ -]?\d{4}[ -]?\d{4}"                                # Australia, landline
    r"|\d{3}\)[ -]?\d{3}-\d{4})"                                    # North America
    r")(?![\w/])(?![ -]\d)")


def _phones(v: TextView) -> list[Candidate]:
    if v.ndigits < 10:  # every phone number has ten digits or more
        return []
    text, starts = v.text, v.sign_starts
    out = [Candidate(m.start(), m.end(), "PHONE", "phone number (Irish, Australian or North "
                     "American format)") for m in _matches_at(FOREIGN_PHONE_RX, text, starts)]
    for m in _matches_at(PHONE_RUN_RX, text, starts):
        if len(m.group()) < 10:
            continue  # fewer than ten digits
        parts = [(g.start(), g.end(), g.group()) for g in PHONE_PART_RX.finditer(m.group())]
        # A '+44' swallowed its first group ('+44 7700'): keep it as one group.
        i = 0
        while i < len(parts):
            found = None
            for j in range(len(parts), i, -1):
                kind = _phone_valid([p[2] for p in parts[i:j]])
                if kind:
                    found = (j, kind)
                    break
            if found:
                j, kind = found
                out.append(Candidate(m.start() + parts[i][0], m.start() + parts[j - 1][1],
                                     "PHONE", kind))
                i = j
            else:
                i += 1
    return out


EMAIL_RX = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def _emails(v: TextView) -> list[Candidate]:
    if "@" not in v.text:
        return []
    return [Candidate(m.start(), m.end(), "EMAIL", "email address")
            for m in EMAIL_RX.finditer(v.text)]


POSTCODE_RX = re.compile(r"(?<![\w-])([A-Za-z]{1,2}\d[A-Za-z\d]?)( ?)(\d[A-Za-z]{2})(?![\w-])")
POSTCODE_GATE_RX = re.compile(r"\d(?<=[A-Za-z]\d)[A-Za-z\d]? ?\d[A-Za-z]{2}")  # in every postcode


def _postcodes(v: TextView) -> list[Candidate]:
    if not v.ndigits or not _search_at(POSTCODE_GATE_RX, v.text, v.digits):
        return []
    out = []
    for m in POSTCODE_RX.finditer(v.text):
        outward, space, inward = m.groups()
        value = m.group()
        if not (value.isupper() or (value.islower() and space)):
            continue
        area = re.match(r"[A-Za-z]+", outward).group().upper()
        if area not in v.lex.postcode_areas:
            continue
        if any(c in "CIKMOV" for c in inward[1:].upper()):
            continue
        out.append(Candidate(m.start(), m.end(), "POSTCODE", "UK postcode"))
    return out


NI_RX = re.compile(r"(?<![\w-])([A-Za-z])([A-Za-z])[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?"
                   r"([A-Da-d])(?![\w-])")
NI_GATE_RX = re.compile(r"\d\d[ -]?\d\d[ -]?\d\d")  # inside every NI number


def _ni_numbers(v: TextView) -> list[Candidate]:
    if v.ndigits < 6 or not _search_at(NI_GATE_RX, v.text, v.digits):
        return []
    lex = v.lex
    out = []
    for m in NI_RX.finditer(v.text):
        value = m.group()
        letters = (m.group(1) + m.group(2) + m.group(6))
        if not (letters.isupper() or letters.islower()):
            continue
        a, b = m.group(1).upper(), m.group(2).upper()
        if a in lex.ni_bad_first or b in lex.ni_bad_second or a + b in lex.ni_never:
            continue
        if re.fullmatch(r"[A-Za-z]{2}\d{6}[A-Da-d]", value) is None and \
                len(set(re.findall(r"[ -]", value))) > 1:
            continue
        out.append(Candidate(m.start(), m.end(), "NI_NUMBER",
                             "National Insurance number (valid prefix and suffix)"))
    return out


RECORD_VALUE_RX = re.compile(
    r"(?:[A-Z]{1,4}[ /-]?)?\d[A-Z0-9/-]*(?: \d{2,}(?![\w/]))*(?![\w])")
RECORD_FILLER_RX = re.compile(
    r"(?:\s*(?:[:#=.]|-|–|no\b\.?|nos\b\.?|number\b|num\b|ref\b\.?|reference\b|id\b|is\b|was\b"
    r"|of\b|given\s+as\b|recorded\s+as\b|on\s+file\s+as\b)\s*|\s+)+", re.IGNORECASE)
PRISON_NUMBER_RX = re.compile(r"[A-Z](?<![\w/-][A-Z])\d{4}[A-Z]{2}(?![\w/-])")


def _record_numbers(v: TextView) -> list[Candidate]:
    if not v.ndigits:  # a record number has digits
        return []
    text = v.text
    out = []
    for m in v.lex.record_cues.matches(v):
        f = RECORD_FILLER_RX.match(text, m.end())
        if not f:
            continue
        r = RECORD_VALUE_RX.match(text, f.end())
        if not r:
            continue
        value = r.group().rstrip("/-")
        if sum(c.isdigit() for c in value) < 3:
            continue
        out.append(Candidate(r.start(), r.start() + len(value), "RECORD_NUMBER",
                             f"record or case number after '{m.group()}'"))
    if v.ndigits >= 4:
        caps = [q - 1 for q in v.digits if q and "A" <= text[q - 1] <= "Z"]  # where one starts
        for m in _matches_at(PRISON_NUMBER_RX, text, caps):
            out.append(Candidate(m.start(), m.end(), "RECORD_NUMBER", "prison number format"))
    return out


# --------------------------------------------------------------------------- dates, ages

MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR4 = r"(?:1[89]\d{2}|20\d{2})"
DATE_RX = re.compile(
    rf"(?<![\w/.])(?:"
    rf"\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-](?:\d{{4}}|\d{{2}}))?(?![\d/]|\.\d)"
    rf"|{DAY}\s+(?:of\s+)?{MONTHS}(?:,?\s+{YEAR4})?(?![\w])"
    rf"|{MONTHS}\s+{DAY}(?:,?\s+{YEAR4})?(?![\w])"
    rf"|{MONTHS}\s+{YEAR4}(?![\w])"
    rf"|{YEAR4}(?![\w'’])"
    rf")", re.IGNORECASE)
TIME_SKIP_RX = re.compile(r"\s*at\s+\d{1,2}[:.]\d{2}\s*(?:am|pm|hrs|h)?\s*(?:on\s+)?",
                          re.IGNORECASE)
YEAR_IN_RX = re.compile(rf"(?<!\d){YEAR4}(?!\d)")
SENTENCE_END_RX = re.compile(r"[.!?](?:\s|$)|\n")


def _date_year(s: str) -> int | None:
    m = YEAR_IN_RX.search(s)
    return int(m.group()) if m else None


def _dobs(v: TextView) -> list[Candidate]:
    if not v.ndigits:  # a date of birth has digits
        return []
    text, lex = v.text, v.lex
    out: list[Candidate] = []
    for m in lex.dob_cues.matches(v):
        cue = m.group()
        pos = m.end()
        t = TIME_SKIP_RX.match(text, pos)
        if t:
            pos = t.end()
        f = lex.dob_filler_rx.match(text, pos)
        if f and not any(w in lex.dob_event_words for w in re.findall(r"\w+", f.group().lower())):
            pos = f.end()
        t = TIME_SKIP_RX.match(text, pos)
        if t:
            pos = t.end()
        d = DATE_RX.match(text, pos)
        if not d:
            continue
        value = d.group()
        if re.fullmatch(YEAR4, value) and re.match(r"['’]?s\b", text[d.end():d.end() + 3]):
            continue  # a decade ("born in the 1950s")
        if cue.lower() == "birthday" and not re.search(r"[a-z]", value, re.IGNORECASE) and \
                re.fullmatch(YEAR4, value):
            continue
        out.append(Candidate(d.start(), d.end(), "DOB", f"date of birth after '{cue}'"))
        out.extend(_conflicting_dobs(text, lex, d.end(), _date_year(value)))
    return out


def _conflicting_dobs(text: str, lex: Lexicon, pos: int, year: int | None) -> list[Candidate]:
    """A second, conflicting date of birth in the same sentence (pii.md 3 DOB)."""
    if year is None:
        return []
    end = len(text)
    m = SENTENCE_END_RX.search(text[pos:pos + 200])
    if m:
        end = pos + m.start()
    out = []
    for d in DATE_RX.finditer(text, pos, min(end, pos + 120)):
        y = _date_year(d.group())
        if y is None or d.group().isdigit() or abs(y - year) > 15:
            continue
        before = text[pos:d.start()].lower()
        words = set(re.findall(r"\w+", before))
        if words & lex.dob_event_words:
            break
        if not words & {"or", "and", "but", "vs", "versus", "while", "whereas", "another",
                        "other", "second", "different", "also", "elsewhere", "says", "said",
                        "gave", "had", "has", "shows", "showed"}:
            continue
        out.append(Candidate(d.start(), d.end(), "DOB", "second, conflicting date of birth"))
        pos = d.end()
    return out


AGE_SHORT_RX = re.compile(r"(\d(?<![\w.£$-]\d)\d{0,2})\s?(?:y/o|y\.o\.?|yo|yrs? old)(?![\w/])",
                          re.IGNORECASE)
AGE_NOT_AFTER_RX = re.compile(
    r"\s*(?:-|–|to\b|\+|plus\b|and\s+(?:over|under|above|older|up)|or\s+"
    r"(?:over|under|above|older)|years?\s+and|s\b|['’]s\b)")
# A bare number in an identifying position: "Jordan, 19,", "Leah (13)", "Mr B, 84, ...".
AGE_BARE_RX = re.compile(r",\s*(\d{1,3})(?=\s*(?:,|\.(?!\d)|;|\)|$|\s(?:and|who|was|is|has|had|with"
                         r"|lives|living|from|presented|admitted|came|said|told|attended)\b))"
                         r"|\s*\((\d{1,3})\)")
BARE_AGE_GATE_RX = re.compile(r"[,(]\s*\d")  # inside every match of AGE_BARE_RX
AGE_POPULATION_BEFORE = {"mean", "average", "median", "retirement", "school", "pension", "minimum",
                         "maximum", "legal", "gestational"}


def _age_ok(value: str) -> bool:
    v = value.strip()
    return not v.isdigit() or 0 < int(v) <= 120


def _ages(v: TextView, anchors: list[tuple[int, int]]) -> list[Candidate]:
    text, lex, ok = v.text, v.lex, _age_ok
    out: list[Candidate] = []
    if not v.plain:
        units = list(lex.age_unit_rx.finditer(text))
    elif v.has_run("old"):  # numbers start with digits or Lexicon.age_unit_number_runs
        starts = v.digit_starts + [q for run in v.lexicon_runs & lex.age_unit_number_runs
                                   for q in v.run_starts(run)]
        units = _finditer_at(lex.age_unit_rx, text, starts)
    else:
        units = []
    for m in units:
        if ok(m.group(1)) and not _range_before(text, m.start()):
            out.append(Candidate(m.start(), m.end(), "AGE", "age with 'years old'"))
    if v.ndigits:
        for m in _finditer_at(AGE_SHORT_RX, text, v.digit_starts):
            if ok(m.group(1)):
                out.append(Candidate(m.start(), m.end(), "AGE", "age with 'y/o'"))
    if not v.plain:
        aged = list(lex.aged_rx.finditer(text))
    else:
        aged = _finditer_at(lex.aged_rx, text, v.occurrences("age")) if "age" in v.low else []
    for m in aged:
        before = text[max(0, m.start() - 25):m.start()].lower().split()
        if before and before[-1] in AGE_POPULATION_BEFORE:
            continue
        if AGE_NOT_AFTER_RX.match(text[m.end():m.end() + 20].lower()):
            continue
        if not ok(m.group(2)):
            continue
        out.append(Candidate(m.start(2), m.end(3) if m.group(3) else m.end(2), "AGE",
                             f"exact age after '{m.group(1)}'"))
        tail = lex.aged_tail_rx.match(text[m.end():m.end() + 40])
        if tail and ok(tail.group(1)):
            s = m.end() + tail.start(1)
            out.append(Candidate(s, s + len(tail.group(1)), "AGE",
                                 f"exact age after '{m.group(1)}'"))
    if not v.plain or _number_after_is(v):
        for m in lex.age_pronoun.matches(v):
            if ok(m.group(1)) and not re.match(r"\s+and\s+a\s+half", text[m.end():m.end() + 20]):
                out.append(Candidate(m.start(1), m.end(1), "AGE", "exact age of a person"))
    for m in lex.age_turned.matches(v):
        if ok(m.group(1)):
            out.append(Candidate(m.start(1), m.end(1), "AGE", "age the person has turned"))
    for _a_start, a_end in anchors:
        m = AGE_BARE_RX.match(text, a_end)
        if not m:
            continue
        g = 1 if m.group(1) else 2
        if ok(m.group(g)):
            out.append(Candidate(m.start(g), m.end(g), "AGE",
                                 "number after a person reference (exact age)"))
    return out


# what comes right before the number in an age of a person ("she's 19", "I am now 40")
PRONOUN_AGE_BEFORE = ("'s", "’s", "'m", "’m", "is", "was", "am", "now", "only", "just")


def _number_after_is(v: TextView) -> bool:
    """A number after spaces after one of PRONOUN_AGE_BEFORE (plain texts only)."""
    text, low, runs = v.text, v.low, v.lexicon_runs
    starts = v.digit_starts + [q for run in runs & v.lex.pronoun_age_number_runs
                               for q in v.run_starts(run)]
    for q in starts:
        k = q
        while k and text[k - 1].isspace():
            k -= 1
        if k < q and low.endswith(PRONOUN_AGE_BEFORE, 0, k):
            return True
    return False


def _number_after_comma(v: TextView) -> bool:
    """``BARE_AGE_GATE_RX.search(v.text)``, from the digit starts (its digit is one: after a
    space, a comma or a bracket) instead of a scan for commas."""
    text = v.text
    for q in v.digit_starts:
        k = q
        while k and text[k - 1].isspace():  # (\s is str.isspace)
            k -= 1
        if k and text[k - 1] in ",(":
            return True
    return False


RANGE_BEFORE_RX = re.compile(r"(?:\d\s*(?:-|–|to)\s*|between\s+\d+\s+and\s+)$")


def _range_before(text: str, pos: int) -> bool:
    return bool(RANGE_BEFORE_RX.search(text[max(0, pos - 15):pos]))


# --------------------------------------------------------------------------- names

TITLE_GAP_RX = re.compile(r"\.?[ \t\u00a0]+|\.")
INITIALS_GAP_RX = re.compile(r"\.?[ \t\u00a0]*|\.")
INITIAL_GAP_RX = re.compile(r"\.\s?|\s")
LABEL_GAP_RX = re.compile(r"[ \t.]*")
INITIALS_BEFORE_RX = re.compile(r"[A-Z]\.?\s*$")
BLOCKED_WORDS_RX = re.compile(r"(?:['’]s?)?\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")
BLOCKED_CITATION_RX = re.compile(r"(?:['’]s?)?\s*(?:\(\s*(?:19|20)\d{2}|,\s*(?:19|20)\d{2}\b|"
                                 r"et\s+al\b|and\s+colleagues\b)")
AUTHORED_BEFORE_RX = re.compile(
    r"(?:developed|devised|created|proposed|described|introduced|designed|"
    r"coined|written|edited)\s+by\s+$|according\s+to\s+$", re.IGNORECASE)
CAPS_SURNAME_RX = re.compile(  # "SMITH, John"
    r"([A-Z](?<![\w'’-][A-Z])[A-Z'’-]{2,}),\s*([A-Z][a-z][^\W\d_]*)(?![\w])")
# in every match of CAPS_SURNAME_RX; ``re`` skips from comma to comma (not capital to capital)
CAPS_SURNAME_GATE_RX = re.compile(r",(?<=[A-Z'’-]{3},)\s*[A-Z][a-z]")
ROLE_AFTER_RX = re.compile(r"(?:[,:][ \t]*|[ \t]+)(?:['‘\"“])?")
ME_AND_RX = re.compile(r"(?:m(?<![\w'’]m)e|I(?<![\w'’]I))\s+and\s+")  # "me and X", "I and X"
DETERMINERS = {"the", "a", "an", "this", "that", "our", "my", "his", "her", "their", "your"}


def _before_comma_and(v: TextView, nexts: Set[str]) -> list[int]:
    """The words right before a comma and then a word (lower case) of ``nexts``, in order:
    found from the commas (a text has fewer than it has determiners)."""
    ends, lowers, n = v.ends, v.lowers, v.n
    out = []
    for q in positions(v.text, ","):
        i = bisect.bisect_left(ends, q)
        if i + 1 < n and ends[i] == q and lowers[i + 1] in nexts:
            out.append(i)
    return out


class NameFinder:
    def __init__(self, view: TextView):
        self.v = view
        self.lex = view.lex
        self.text = view.text
        self.anonymised: list[tuple[int, int]] = []  # "Mr B", "service user A": age anchors
        self.cands: list[Candidate] = []

    # -- shared tests
    def nameish(self, i: int, allow_stop_names: bool = True) -> bool:
        """Word i could be a (sur)name: title-case, not a stopword, facility or street word."""
        lex = self.lex
        w = self.v.bares[i]
        if not _title_case(w) or len(w) < 2 or _is_contraction(self.v.words[i]):
            return False
        if w in lex.all_names and allow_stop_names:
            return True
        if w.lower() in lex.stopwords:
            return False
        if w in lex.facility_all_words or w in lex.street_words:
            return False
        return w not in lex.suffix_stop

    def extend_surname(self, i: int, limit: int = 2) -> int:
        """Index of the last word of a name starting at word i (adds surnames after it)."""
        v, lex = self.v, self.lex
        words, bares = v.words, v.bares
        j = i
        while limit and bares[j] == words[j] and v.spaced(j):
            k = j + 1
            if words[k] in lex.particles and k + 1 < v.n and v.spaced(k) and v.title(k + 1):
                j = k + 1
                limit -= 1
                continue
            b = bares[k]
            if not _title_case(b) or len(b) < 2:
                break
            if b.lower() in lex.stopwords or b in lex.facility_all_words \
                    or b in lex.street_words or b in lex.suffix_stop:
                break
            j = k
            limit -= 1
        return j

    def blocked_after(self, end: int) -> bool:
        """A law, scale, report or citation follows: 'Clare's Law', 'Gibbs (1988)'."""
        rest = self.text[end:end + 40]
        m = BLOCKED_WORDS_RX.match(rest)
        if m and (m.group(1) in self.lex.suffix_stop or
                  (m.group(2) and f"{m.group(1)} {m.group(2)}" in self.lex.suffix_stop)):
            return True
        if m and m.group(1).lower() in {"pain", "coma"} and m.group(2) and \
                m.group(2).lower() == "scale":
            return True
        return bool(BLOCKED_CITATION_RX.match(rest))

    def pet_before(self, i: int) -> bool:
        lowers, pets = self.v.lowers, self.lex.pet_cues
        return any(lowers[k] in pets for k in range(max(0, i - 3), i))

    def theorist_nearby(self, i: int) -> bool:
        """'Roper, Logan and Tierney': a theorist's surname listed with other theorists."""
        bares, theorists = self.v.bares, self.lex.theorist_surnames
        if bares[i] not in theorists:
            return False
        return any(bares[k] in theorists
                   for k in range(max(0, i - 3), min(self.v.n, i + 4)) if k != i)

    def add(self, start_i: int, end_i: int, reason: str, start: int | None = None) -> None:
        s = self.v.starts[start_i] if start is None else start
        e = self.v.bare_end(end_i)
        if self.blocked_after(e):
            return
        words = self.text[s:e]
        if words.lower() in self.lex.theorist_full:
            return
        if AUTHORED_BEFORE_RX.search(self.text[max(0, s - 20):s]):
            return
        self.cands.append(Candidate(s, e, "NAME", reason))

    # -- rules
    def run(self) -> list[Candidate]:
        self.titles()
        self.initial_surname()
        self.caps_surname_first()
        self.first_names()
        self.role_cues()
        self.appositives()
        self.speech_and_pairs()
        self.possessives()
        return self.cands

    def titles(self) -> None:
        v, lex = self.v, self.lex
        words, bares, gaps, n = v.words, v.bares, v.gaps, v.n
        for i in v.where(lex.titles_inside):
            if i + 1 >= n or not TITLE_GAP_RX.fullmatch(gaps[i]):
                continue
            lower_title = words[i].islower()
            if lower_title and words[i] == "miss":
                continue
            j = i + 1
            last_word = None
            initials = []
            while j < n and j - i <= 4:
                tk, w = words[j], bares[j]
                if _is_initial(w):
                    initials.append(j)
                    if w != tk:
                        break
                    gap = gaps[j]
                    if j + 1 < n and INITIALS_GAP_RX.fullmatch(gap) and \
                            (v.initial(j + 1) or v.title(j + 1)):
                        nb = bares[j + 1]
                        if gap.startswith(".") and " " in gap and not v.initial(j + 1) and (
                                nb.lower() in lex.stopwords or _is_contraction(words[j + 1]) or
                                _wordy(nb, lex)):
                            break  # "Mrs C. Anticipatory meds..." ends a sentence
                        j += 1
                        continue
                    break
                if tk in lex.particles and j + 1 < n and v.spaced(j) and \
                        words[j + 1][:1].isupper():
                    j += 1
                    continue
                if w.lower() in lex.function_words or _is_contraction(tk):
                    break
                if w.isupper() and len(w) <= 3:  # "Mr JB": initials
                    initials.append(j)
                    break
                if w[:1].isupper() or (lower_title and w.islower() and len(w) >= 2):
                    last_word = j
                    if w != tk or not v.spaced(j):
                        break
                    nb = bares[j + 1]
                    if (v.title(j + 1) or words[j + 1] in lex.particles) and \
                            not lower_title and nb.lower() not in lex.stopwords and \
                            nb not in lex.facility_all_words and \
                            nb not in lex.street_words and \
                            nb not in lex.suffix_stop:
                        j += 1
                        continue
                break
            if last_word is None:
                if initials:
                    self.anonymised.append((v.starts[i], v.bare_end(initials[-1])))
                continue
            self.add(i, last_word, "title and surname")

    def initial_surname(self) -> None:
        v, lex, text = self.v, self.lex, self.text
        words, bares, lowers, starts, ends, gaps, n = \
            v.words, v.bares, v.lowers, v.starts, v.ends, v.gaps, v.n
        if v.ascii_words:
            singles = v.where(ASCII_LOWER_BUT_I)
        else:  # one-letter words: their lower case is one character, but for 'İ'
            singles = sorted(i for w, ix in v.index.items() if len(w) == 1 or w == "i\u0307"
                             for i in ix)
        for i in singles:
            t = words[i]
            if not _is_initial(t) or t == "I":
                continue
            s = starts[i]
            if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "'’"):
                continue
            if i > 0 and (lowers[i - 1] in lex.lettered or lowers[i - 1] in lex.titles_inside) \
                    and LABEL_GAP_RX.fullmatch(text[ends[i - 1]:s]):
                continue
            j = i
            gap = gaps[j]
            if t == "A" and not gap.startswith("."):
                continue
            if not INITIAL_GAP_RX.fullmatch(gap):
                continue
            if j + 1 < n and v.initial(j + 1) and INITIAL_GAP_RX.fullmatch(gaps[j + 1]):
                j += 1
            k = j + 1
            if k >= n or "\n" in text[ends[i]:starts[k]]:
                continue
            if not self.nameish(k, allow_stop_names=False) or bares[k] in lex.all_names:
                continue
            if "." in text[ends[i]:starts[k]] and _wordy(bares[k], lex):
                continue
            if bares[k] in lex.theorist_surnames:
                continue
            if i > 0 and INITIALS_BEFORE_RX.search(text[max(0, s - 3):s]):
                continue  # "J.B. Smith" is handled as one; "A B C" lists are not names
            self.add(i, k, "initial and surname")

    def caps_surname_first(self) -> None:
        if not CAPS_SURNAME_GATE_RX.search(self.text):
            return
        for m in CAPS_SURNAME_RX.finditer(self.text):
            if m.group(1) in self.lex.caps_stop or m.group(2) not in self.lex.all_names:
                continue
            i = self.v.index_at(m.start(2))
            e = self.v.bare_end(i) if i is not None else m.end()
            self.cands.append(Candidate(m.start(), e, "NAME", "SURNAME, first name"))

    def first_names(self) -> None:
        v, lex, text = self.v, self.lex, self.text
        words, bares, lowers, n = v.words, v.bares, v.lowers, v.n
        names = lex.all_names
        hyphens = "-" in v.joined
        # the words whose bare form is a name (possessives are apostrophised words) or
        # hyphenated; and the words that are one but for the case, which the loop skips
        # (matching the index's lower-case words, hashed already, is cheaper than the bares)
        index = v.index
        found = {*v.where(lex.all_names_lower.intersection(index)),
                 *(i for w in v.sep_words if "-" in w or w.endswith(("'s", "’s"))
                   for i in index[w])}
        for i in sorted(found):
            w = bares[i]
            if w not in names:
                if hyphens and "-" in w and w.split("-")[0] in lex.first_names and v.title(i):
                    pass
                else:
                    continue
            if not v.title(i) or w in lex.cue_only:
                continue
            prev = v.prev_word(i)
            if i > 0 and prev in {"st", "saint"}:
                continue
            if w in lex.place_like:
                if prev in lex.locative:
                    continue
                if prev == "to" and i > 1 and lowers[i - 2] in lex.locative_to_verbs:
                    continue
            if w in lex.virtue:
                nxt = lowers[i + 1] if i + 1 < n else ""
                if not (w != words[i] or (v.spaced(i) and nxt in lex.name_followers
                                          and nxt != "and") or
                        re.match(r"\s\(", text[v.ends[i]:v.ends[i] + 2]) or
                        lex.appositive_rx.match(text, v.bare_end(i))):
                    continue
            elif w in lex.ambiguous:
                if v.sentence_initial(i):
                    e = v.bare_end(i)
                    after = text[e:e + 30]
                    nxt = lowers[i + 1] if i + 1 < n else ""
                    if not (w != words[i] or re.match(r",\s|\s\(", after) or
                            (v.spaced(i) and nxt in lex.name_followers) or
                            (v.spaced(i) and self.nameish(i + 1, allow_stop_names=False)
                             and not _wordy(bares[i + 1], lex))):
                        continue
                elif i > 0 and v.title(i - 1) and bares[i - 1] not in names and \
                        v.spaced(i - 1) and not v.sentence_initial(i - 1):
                    continue  # Title Case heading ("Amazing Grace")
            if self.pet_before(i) or self.theorist_nearby(i):
                continue
            self.add(i, self.extend_surname(i), "first name (name list)")

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
            if not _title_case(b):  # (nameish's first test; most cues precede other words)
                continue
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

    def _generic_ok(self, i: int) -> bool:
        v = self.v
        b = v.bares[i]
        if not self.nameish(i, allow_stop_names=True) or b.isupper():
            return False
        if v.looks_like_verb_or_adverb(i) or b in self.lex.theorist_surnames:
            return False
        if b != v.words[i] or _wordy(b, self.lex):
            return False
        if v.prev_word(i) in DETERMINERS:
            return False
        return not self.pet_before(i)

    def appositives(self) -> None:
        """'Faith, our senior carer': a word right before a comma, a determiner and a role."""
        v, lex, text = self.v, self.lex, self.text
        if "," not in text:
            return
        if v.plain and lex.appositive_determiners is not None:
            before = _before_comma_and(v, lex.appositive_determiners)
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
        bares = v.bares
        for j in sorted({*v.where(lex.speech_verbs), *pairs}):
            i = j - 1
            if i < 0 or not _title_case(bares[i]):  # (_generic_ok's first test: 'she said')
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

    def possessives(self) -> None:
        """'Bisola's mum', 'Tunde's room': an unknown capitalised word owning a person's thing."""
        v, lex = self.v, self.lex
        words, bares = v.words, v.bares
        for j in v.where(lex.possessive_followers):
            i = j - 1
            if i < 0:
                continue
            b = bares[i]
            if b == words[i] or not v.spaced(i):
                continue
            if i > 0 and words[i - 1] in {"St", "Saint"}:
                continue
            if v.sentence_initial(i) and b not in lex.all_names and b.lower() in lex.stopwords:
                continue
            if not self.nameish(i) or b in lex.theorist_surnames or _wordy(b, lex) or \
                    b.isupper():
                continue
            if v.prev_word(i) in {"the", "a", "an", "this", "that"}:
                continue
            start = i
            if i > 0 and v.spaced(i - 1) and bares[i - 1] in lex.all_names and v.title(i - 1):
                start = i - 1
            self.add(start, i, "name before a possessive ('..'s mum')")


# --------------------------------------------------------------------------- places, addresses

WARD_RX = re.compile(r"[Ww](?<![\w-][Ww])ard\s+(\d{1,3}[A-Za-z]?|[A-Z]\d{1,2})(?![\w-])")
WARD_GATE_RX = re.compile(r"ard\s+[A-Z]?\d")  # in every match of WARD_RX; found fast (literal)
DOT_SPACE_RX = re.compile(r"\.\s")
AMPERSAND_RX = re.compile(r"\s&\s")


def _places(v: TextView) -> list[Candidate]:
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
        # (phrase_at compares the words exactly; a place needs a capitalised word before
        # its facility word: name_run finds none otherwise)
        if i < after or not i or not words[i - 1][:1].isupper() or \
                words[i] not in lex.facility_first_exact:
            continue
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


ADDRESS_GATE_RX = re.compile(r"\d[A-Za-z]?,?\s+[A-Z]")  # "12 Cherry", "Flat 3, Rowan"


def _addresses(v: TextView) -> list[Candidate]:
    # every pattern has a number and then a capitalised word (if street prefixes are)
    if not v.ndigits or (v.lex.street_prefixes_capitalised
                         and not _search_at(ADDRESS_GATE_RX, v.text, v.digits)):
        return []
    lex, text = v.lex, v.text
    out: list[Candidate] = []
    runs = v.case_run_set
    street_rx = lex.street_rx
    if lex.street_needs is None or not runs.isdisjoint(lex.street_needs):
        for m in street_rx.finditer(text):
            names = m.group(3).split()
            if any(w.lower() in lex.stopwords and w not in {"St", "St."} and
                   w not in lex.all_names and not (k == 0 and w == "The")
                   for k, w in enumerate(names)):
                continue
            start = m.start()
            pre = lex.unit_before_rx.search(text[max(0, m.start() - 20):m.start()])
            if pre and not m.group(1):
                start = m.start() - (len(text[max(0, m.start() - 20):m.start()]) - pre.start())
            out.append(Candidate(start, m.end(), "ADDRESS", "house number and street"))
    if lex.street_prefix_needs is None or not runs.isdisjoint(lex.street_prefix_needs):
        for m in lex.street_prefix_rx.finditer(text):
            out.append(Candidate(m.start(), m.end(), "ADDRESS", "house number and street"))
    if lex.unit_needs is None or not runs.isdisjoint(lex.unit_needs):
        for m in lex.building_rx.finditer(text):
            words = m.group(1).split()
            if any(w.lower() in lex.stopwords and w not in lex.all_names for w in words):
                continue
            if m.group().startswith("Unit") and words[-1] not in lex.building_words | \
                    lex.street_words:
                continue
            end = m.end()
            if words[-1].endswith(("'s", "’s")):
                end -= 2
            tail = street_rx.match(text, end + 2) if text[end:end + 2] == ", " else None
            if tail:
                end = tail.end()
            out.append(Candidate(m.start(), end, "ADDRESS", "flat or unit in a named building"))
    return out


# --------------------------------------------------------------------------- assembly


def _exclusion_spans(v: TextView) -> list[tuple[int, int]]:
    lex = v.lex
    spans = [(m.start(), m.end()) for m in lex.exclusions.matches(v)]
    for rx in lex.exclusion_followed:
        spans.extend((m.start(), m.end()) for m in rx.matches(v))
    return spans


def _resolve(cands: list[Candidate]) -> list[Candidate]:
    """Keep the best candidates (priority, then length) so that no two overlap; of equal
    ones the first found (a set's order would change the reported reason from run to run)."""
    starts: list[int] = []
    chosen: list[Candidate] = []  # sorted by start, non-overlapping
    for c in sorted(dict.fromkeys(cands), key=lambda c: c.key):
        if c.end <= c.start:
            continue
        k = bisect.bisect_left(starts, c.start)
        if k > 0 and chosen[k - 1].end > c.start:
            continue
        if k < len(chosen) and chosen[k].start < c.end:
            continue
        starts.insert(k, c.start)
        chosen.insert(k, c)
    return chosen


def find_identifiers(text: str) -> list[dict]:
    """Personal identifiers in ``text``, sorted and non-overlapping.

    Each is ``{"start", "end", "type", "text", "reason"}`` with ``text[start:end] == text``;
    ``type`` is one of :data:`IDENTIFIER_TYPES`. Curly quotes and apostrophes are read as
    plain ones ("Brown’s" as "Brown's") and no-break spaces as spaces (an NHS number typed
    "943 476 5919" with them was missed); ``text`` is always the input's own characters.
    """
    if not text:
        return []
    shown, text = text, plain_spaces(plain_quotes(text))
    lex = lexicon()
    view = TextView(text, lex)
    names = NameFinder(view)
    name_cands = names.run()
    if name_cands:
        excluded = _exclusion_spans(view)
        if excluded:
            name_cands = [c for c in name_cands
                          if not any(c.start < e and s < c.end for s, e in excluded)]
    anchors: list[tuple[int, int]] = []
    if view.ndigits and _number_after_comma(view):  # "Jordan, 19", "Leah (13)"
        anchors = [(c.start, c.end) for c in name_cands] + names.anonymised
        anchors += [(m.start(), m.end()) for m in lex.age_anchors.matches(view)]
    cands = (_emails(view) + _nhs_numbers(view) + _ni_numbers(view) + _phones(view)
             + _postcodes(view) + _dobs(view) + _record_numbers(view)
             + _addresses(view) + _places(view) + name_cands)
    anchors += [(c.start, c.end) for c in cands if c.type == "DOB"]
    cands += _ages(view, anchors)
    return [{"start": c.start, "end": c.end, "type": c.type, "text": shown[c.start:c.end],
             "reason": c.reason} for c in _resolve(cands)]


class Identifiers:
    """spaCy component: ``Doc._.identifiers`` = :func:`find_identifiers` of ``doc.text``."""

    def __init__(self, nlp: Language, name: str):
        self.name = name
        lexicon()

    def __call__(self, doc: Doc) -> Doc:
        doc._.identifiers = find_identifiers(text_of(doc))
        return doc


@Language.factory("reflectassist_identifiers")
def make_identifiers(nlp: Language, name: str) -> Identifiers:
    return Identifiers(nlp, name)
