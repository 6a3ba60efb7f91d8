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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import alternation, load_data
from .segmenter import text_of

if not Doc.has_extension("identifiers"):
    Doc.set_extension("identifiers", default=None)

IDENTIFIER_TYPES = ("NAME", "NHS_NUMBER", "RECORD_NUMBER", "DOB", "AGE", "PHONE", "EMAIL",
                    "POSTCODE", "ADDRESS", "PLACE", "NI_NUMBER")

# When candidate spans overlap, the more specific type wins, then the longer span.
PRIORITY = {"EMAIL": 100, "NHS_NUMBER": 90, "NI_NUMBER": 85, "PHONE": 80, "POSTCODE": 75,
            "DOB": 70, "RECORD_NUMBER": 65, "ADDRESS": 60, "PLACE": 55, "AGE": 50, "NAME": 40}

APOS = "'’"
WORD_RX = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
SPACES_RX = re.compile(r"[ \t\u00a0]+")
ABBREVIATIONS = {"mr", "mrs", "ms", "mx", "dr", "prof", "st", "rev", "fr", "sr", "jr", "vs",
                 "approx", "eg", "ie", "e.g", "i.e", "cf", "no", "nos", "tel", "mob", "ref",
                 "dept", "ext", "sgt", "cllr", "apt"}


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    type: str
    reason: str

    @property
    def key(self) -> tuple[int, int, int]:
        return (-PRIORITY[self.type], -(self.end - self.start), self.start)


class Token(NamedTuple):
    """A word of the text (a tuple: made for every word, so it must be cheap to build)."""

    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        """The word without a possessive ``'s``."""
        if len(self.text) > 2 and self.text[-2] in APOS and self.text[-1] == "s":
            return self.text[:-2]
        return self.text

    @property
    def bare_end(self) -> int:
        return self.start + len(self.bare)

    @property
    def is_title_case(self) -> bool:
        t = self.bare
        return t[:1].isupper() and any(c.islower() for c in t[1:])

    @property
    def is_contraction(self) -> bool:
        """I've, He'd, We'll, I'm, don't: not names."""
        m = re.search(r"['’]([^\W\d_]+)$", self.text)
        return bool(m) and m.group(1).lower() in {"d", "ve", "ll", "m", "re", "t"}

    @property
    def is_initial(self) -> bool:
        return len(self.bare) == 1 and self.bare.isupper()


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
        self.no_follow = set(place["no_follow"]["words"])
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
        self.age_person_words = set(age["person_words"])
        self.dob_event_words = {w.lower() for w in data["dob_event_words"]}
        self.appositive_roles = {w.lower() for w in data["appositive_roles"]["roles"]}
        dets = alternation(list(data["appositive_roles"]["determiners"]))
        roles = alternation(list(self.appositive_roles))
        self.appositive_rx = re.compile(
            rf",\s+(?:{dets})\s+(?:[\w-]+\s+){{0,2}}?(?:{roles})(?![\w-])", re.IGNORECASE)
        self._compile()

    def _compile(self) -> None:
        d = self.data
        cues = list(d["role_cues"]["phrases"]) + list(d["titles"]["outside_span"])
        self.role_cue_rx = re.compile(
            rf"(?<![\w'’-])(?:{alternation(cues)})(?![\w'’-])", re.IGNORECASE)
        ex = d["exclusions"]
        self.exclusion_rx = re.compile(
            rf"(?<![\w])(?:{alternation(ex['phrases'])})(?![\w])", re.IGNORECASE)
        self.exclusion_followed = [
            (re.compile(rf"(?<![\w]){alternation([phrase])}\s+(?:{alternation(words)})"
                        rf"(?![\w])", re.IGNORECASE))
            for phrase, words in ex["followed_by"].items()]
        # words that can carry an age ("the boy", "Mr B"): compiled once, used per document
        self.age_anchor_rx = re.compile(
            rf"(?<![\w])(?:{'|'.join(sorted(self.age_person_words, key=len, reverse=True))})"
            rf"(?:\s+(?-i:[A-Z]))?(?![\w'’])", re.IGNORECASE)
        self.record_cue_rx = re.compile(
            rf"(?<![\w&])(?:{alternation(d['record_cues']['phrases'])})(?![\w&])",
            re.IGNORECASE)
        dob = [p for p in d["dob_cues"]["phrases"] if p != "b."]
        self.dob_cue_rx = re.compile(
            rf"(?:(?<![\w.])(?:{alternation(dob)})(?![\w])|(?<![\w.])b\.(?=\s*\d))",
            re.IGNORECASE)
        fillers = [f for f in d["dob_fillers"] if f.isalpha()]
        self.dob_filler_rx = re.compile(
            rf"(?:\s*[:\-–(]\s*|\s+|\s*(?:{'|'.join(fillers)})\b\s*){{0,6}}", re.IGNORECASE)
        streets = sorted(self.street_words - {"St", "Dr"}, key=len, reverse=True)
        self.street_alt = "|".join(re.escape(s) for s in streets)
        units = "|".join(re.escape(u) for u in sorted(self.unit_words, key=len, reverse=True))
        self.unit_alt = units
        prefixes = "|".join(re.escape(p) for p in d["address"]["street_prefix_words"])
        self.street_prefix_alt = prefixes
        self.prison_rx = re.compile(
            rf"(?<![\w/])(?:{alternation(d['place']['prison_prefixes'])})\s+"
            r"([A-Z][^\W\d_]+(?:[-'’][^\W\d_]+)*)(?:\s+([A-Z][^\W\d_]+))?")
        numw = "|".join(sorted(self.number_words, key=len, reverse=True))
        self.number_word_alt = rf"(?:(?:{numw})(?:[- ](?:{numw}))?)"


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
    """Tokens of a text with the questions every rule asks about them."""

    def __init__(self, text: str, lex: Lexicon):
        self.text = text
        self.lex = lex
        self.tokens = [Token(m.start(), m.end(), m.group()) for m in WORD_RX.finditer(text)]
        self._starts = {t.start: i for i, t in enumerate(self.tokens)}
        self._sent: dict[int, bool] = {}

    def index_at(self, pos: int) -> int | None:
        return self._starts.get(pos)

    def gap(self, i: int) -> str:
        """Text between token i and token i+1."""
        if i + 1 >= len(self.tokens):
            return self.text[self.tokens[i].end:]
        return self.text[self.tokens[i].end:self.tokens[i + 1].start]

    def spaced(self, i: int) -> bool:
        """Tokens i and i+1 are separated by spaces only (same line)."""
        return i + 1 < len(self.tokens) and bool(SPACES_RX.fullmatch(self.gap(i)))

    def prev_word(self, i: int) -> str:
        return self.tokens[i - 1].text.lower() if i > 0 else ""

    def sentence_initial(self, i: int) -> bool:
        if i not in self._sent:
            self._sent[i] = _is_sentence_start(self.text, self.tokens[i].start)
        return self._sent[i]

    def looks_like_verb_or_adverb(self, i: int) -> bool:
        w = self.tokens[i].bare.lower()
        return (self.sentence_initial(i) and self.tokens[i].bare not in self.lex.all_names
                and (w.endswith("ed") or w.endswith("ing") or w.endswith("ly")))


WORDY_SUFFIXES = ("ed", "ing", "ly", "ion", "ions", "ment", "ments", "ness", "ity", "ive", "ory",
                  "ance", "ence", "ship", "ise", "ize", "ful", "less", "ous", "ary", "ism",
                  "ist", "ists", "able", "ible", "ics")


def _wordy(word: str, lex: Lexicon) -> bool:
    """Looks like an ordinary English word rather than a name (suffix), unless a known name."""
    return word not in lex.all_names and word.lower().endswith(WORDY_SUFFIXES)


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
        m = re.search(r"([^\W\d_]+(?:\.[^\W\d_]+)*)$", text[max(0, i - 30):i])
        if m:
            w = m.group(1)
            if w.lower() in ABBREVIATIONS or (len(w) == 1 and w.isupper()):
                return False
        return True
    return False


# --------------------------------------------------------------------------- numbers


def _nhs_numbers(text: str) -> list[Candidate]:
    rx = re.compile(r"(?<![\w+/.])(?<!\d[ -])(\d{3}([ -]?)\d{3}\2\d{4})(?![\w/])(?![ -]\d)")
    out = []
    for m in rx.finditer(text):
        if is_valid_nhs_number(m.group(1)):
            out.append(Candidate(m.start(1), m.end(1), "NHS_NUMBER",
                                 "10-digit number passing the NHS modulus-11 check digit"))
    return out


PHONE_RUN_RX = re.compile(
    r"(?<![\w+/.£$])(?:\+44\s?(?:\(0\)\s?)?)?(?:\(0\d{2,5}\)|\d+)(?:[ -](?:\(0\d{2,5}\)|\d+))*"
    r"(?![\w/])")
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
    r"(?<![\w+/.£$])(?:"
    r"\+353[ -]?\(?0?\)?\d{1,2}[ -]?\d{3}[ -]?\d{3,4}"          # Ireland, international
    r"|08[35-9][ -]?\d{3}[ -]?\d{4}"                               # Ireland, mobile
    r"|\+61[ -]?\(?0?\)?\d[ -]?\d{4}[ -]?\d{4}"                   # Australia, international
    r"|04\d{2}[ -]\d{3}[ -]\d{3}|04\d{8}"                          # Australia, mobile
    r"|\(0[2378]\)[ -]?\d{4}[ -]?\d{4}"                            # Australia, landline
    r"|\+1[ -]?\(?\d{3}\)?[ -]?\d{3}[ -]\d{4}|\(\d{3}\)[ -]?\d{3}-\d{4}"  # North America
    r")(?![\w/])(?![ -]\d)")


def _phones(text: str) -> list[Candidate]:
    out = [Candidate(m.start(), m.end(), "PHONE", "phone number (Irish, Australian or North "
                     "American format)") for m in FOREIGN_PHONE_RX.finditer(text)]
    for m in PHONE_RUN_RX.finditer(text):
        parts = [(g.start(), g.end(), g.group()) for g in
                 re.finditer(r"\+44\s?(?:\(0\)\s?)?(?:\d+)?|\(0\d{2,5}\)|\d+", m.group())]
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


def _emails(text: str) -> list[Candidate]:
    return [Candidate(m.start(), m.end(), "EMAIL", "email address")
            for m in EMAIL_RX.finditer(text)]


POSTCODE_RX = re.compile(r"(?<![\w-])([A-Za-z]{1,2}\d[A-Za-z\d]?)( ?)(\d[A-Za-z]{2})(?![\w-])")


def _postcodes(text: str, lex: Lexicon) -> list[Candidate]:
    out = []
    for m in POSTCODE_RX.finditer(text):
        outward, space, inward = m.groups()
        value = m.group()
        if not (value.isupper() or (value.islower() and space)):
            continue
        area = re.match(r"[A-Za-z]+", outward).group().upper()
        if area not in lex.postcode_areas:
            continue
        if any(c in "CIKMOV" for c in inward[1:].upper()):
            continue
        out.append(Candidate(m.start(), m.end(), "POSTCODE", "UK postcode"))
    return out


NI_RX = re.compile(r"(?<![\w-])([A-Za-z])([A-Za-z])[ -]?(\d{2})[ -]?(\d{2})[ -]?(\d{2})[ -]?"
                   r"([A-Da-d])(?![\w-])")


def _ni_numbers(text: str, lex: Lexicon) -> list[Candidate]:
    out = []
    for m in NI_RX.finditer(text):
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
PRISON_NUMBER_RX = re.compile(r"(?<![\w/-])[A-Z]\d{4}[A-Z]{2}(?![\w/-])")


def _record_numbers(text: str, lex: Lexicon) -> list[Candidate]:
    out = []
    for m in lex.record_cue_rx.finditer(text):
        f = RECORD_FILLER_RX.match(text, m.end())
        if not f:
            continue
        v = RECORD_VALUE_RX.match(text, f.end())
        if not v:
            continue
        value = v.group().rstrip("/-")
        if sum(c.isdigit() for c in value) < 3:
            continue
        out.append(Candidate(v.start(), v.start() + len(value), "RECORD_NUMBER",
                             f"record or case number after '{m.group()}'"))
    for m in PRISON_NUMBER_RX.finditer(text):
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


def _date_year(s: str) -> int | None:
    m = re.search(rf"(?<!\d){YEAR4}(?!\d)", s)
    return int(m.group()) if m else None


def _dobs(text: str, lex: Lexicon) -> list[Candidate]:
    out: list[Candidate] = []
    for m in lex.dob_cue_rx.finditer(text):
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
    m = re.search(r"[.!?](?:\s|$)|\n", text[pos:pos + 200])
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


def _ages(text: str, lex: Lexicon, anchors: list[tuple[int, int]]) -> list[Candidate]:
    num = rf"(?:\d{{1,3}}|{lex.number_word_alt})"
    out: list[Candidate] = []

    def ok(value: str) -> bool:
        v = value.strip()
        return not v.isdigit() or 0 < int(v) <= 120

    unit_rx = re.compile(
        rf"(?<![\w.£$-])({num})(?:\s*-\s*|\s+|(?=[a-z]))(?:years?|yrs?|months?|weeks?|days?)"
        rf"(?:\s*-\s*|\s+)old(?![\w-])", re.IGNORECASE)
    for m in unit_rx.finditer(text):
        if ok(m.group(1)) and not _range_before(text, m.start()):
            out.append(Candidate(m.start(), m.end(), "AGE", "age with 'years old'"))
    short_rx = re.compile(r"(?<![\w.£$-])(\d{1,3})\s?(?:y/o|y\.o\.?|yo|yrs? old)(?![\w/])",
                          re.IGNORECASE)
    for m in short_rx.finditer(text):
        if ok(m.group(1)):
            out.append(Candidate(m.start(), m.end(), "AGE", "age with 'y/o'"))
    aged_rx = re.compile(
        rf"(?<![\w-])(aged|age)\s*[:\-]?\s*({num})(\s+(?:years?|months?|weeks?|days?)"
        rf"(?:\s+old)?)?(?![\w-])", re.IGNORECASE)
    for m in aged_rx.finditer(text):
        before = text[max(0, m.start() - 25):m.start()].lower().split()
        if before and before[-1] in {"mean", "average", "median", "retirement", "school",
                                     "pension", "minimum", "maximum", "legal", "gestational"}:
            continue
        after = text[m.end():m.end() + 20].lower()
        if re.match(r"\s*(?:-|–|to\b|\+|plus\b|and\s+(?:over|under|above|older|up)|or\s+"
                    r"(?:over|under|above|older)|years?\s+and|s\b|['’]s\b)", after):
            continue
        if not ok(m.group(2)):
            continue
        out.append(Candidate(m.start(2), m.end(3) if m.group(3) else m.end(2), "AGE",
                             f"exact age after '{m.group(1)}'"))
        tail = re.match(rf"\s*(?:,|and|&)\s*({num})(?![\w-])", text[m.end():m.end() + 40])
        if tail and ok(tail.group(1)):
            s = m.end() + tail.start(1)
            out.append(Candidate(s, s + len(tail.group(1)), "AGE",
                                 f"exact age after '{m.group(1)}'"))
    pron_rx = re.compile(
        rf"(?<![\w'’])(?:(?:he|she|they|who)(?:['’]s|\s+is|\s+was|\s+(?:is|was)\s+(?:now|only|just))"
        rf"|I(?:['’]m|\s+am|\s+was|\s+(?:am|was)\s+(?:now|only|just)))"
        rf"\s+(?:just\s+)?({num})(?=\s*(?:[,.;:!?)]|$|and\b|but\b|now\b|this\b|next\b|last\b"
        rf"|so\b|with\b|when\b|years?\b(?!\s+(?:in|of|since|ago)\b)))",
        re.IGNORECASE)
    for m in pron_rx.finditer(text):
        if ok(m.group(1)) and not re.match(r"\s+and\s+a\s+half", text[m.end():m.end() + 20]):
            out.append(Candidate(m.start(1), m.end(1), "AGE", "exact age of a person"))
    turned_rx = re.compile(rf"(?<![\w-])(?:turned|turns|turning|just\s+turned)\s+({num})"
                           rf"(?=\s*(?:[,.;:!?)]|$|and\b|but\b|last\b|this\b|in\b|on\b"
                           rf"|yesterday\b|today\b|recently\b))", re.IGNORECASE)
    for m in turned_rx.finditer(text):
        if ok(m.group(1)):
            out.append(Candidate(m.start(1), m.end(1), "AGE", "age the person has turned"))
    # A bare number in an identifying position: "Jordan, 19,", "Leah (13)", "Mr B, 84, ...".
    bare_rx = re.compile(r",\s*(\d{1,3})(?=\s*(?:,|\.(?!\d)|;|\)|$|\s(?:and|who|was|is|has|had|with"
                         r"|lives|living|from|presented|admitted|came|said|told|attended)\b))"
                         r"|\s*\((\d{1,3})\)")
    for _a_start, a_end in anchors:
        m = bare_rx.match(text, a_end)
        if not m:
            continue
        g = 1 if m.group(1) else 2
        if ok(m.group(g)):
            out.append(Candidate(m.start(g), m.end(g), "AGE",
                                 "number after a person reference (exact age)"))
    return out


def _range_before(text: str, pos: int) -> bool:
    return bool(re.search(r"(?:\d\s*(?:-|–|to)\s*|between\s+\d+\s+and\s+)$",
                          text[max(0, pos - 15):pos]))


# --------------------------------------------------------------------------- names


class NameFinder:
    def __init__(self, view: TextView):
        self.v = view
        self.lex = view.lex
        self.text = view.text
        self.toks = view.tokens
        self.anonymised: list[tuple[int, int]] = []  # "Mr B", "service user A": age anchors
        self.cands: list[Candidate] = []

    # -- shared tests
    def nameish(self, i: int, allow_stop_names: bool = True) -> bool:
        """Token i could be a (sur)name: title-case, not a stopword, facility or street word."""
        t = self.toks[i]
        w = t.bare
        if not t.is_title_case or len(w) < 2 or t.is_contraction:
            return False
        if w in self.lex.all_names and allow_stop_names:
            return True
        if w.lower() in self.lex.stopwords:
            return False
        if w in self.lex.facility_all_words or w in self.lex.street_words:
            return False
        return w not in self.lex.suffix_stop

    def extend_surname(self, i: int, limit: int = 2) -> int:
        """Index of the last token of a name starting at token i (adds surnames after it)."""
        j = i
        while limit and self.toks[j].bare == self.toks[j].text and self.v.spaced(j):
            k = j + 1
            t = self.toks[k]
            if t.text in self.lex.particles and k + 1 < len(self.toks) and self.v.spaced(k) \
                    and self.toks[k + 1].is_title_case:
                j = k + 1
                limit -= 1
                continue
            if not t.is_title_case or len(t.bare) < 2:
                break
            if t.bare.lower() in self.lex.stopwords or t.bare in self.lex.facility_all_words \
                    or t.bare in self.lex.street_words or t.bare in self.lex.suffix_stop:
                break
            j = k
            limit -= 1
        return j

    def blocked_after(self, end: int) -> bool:
        """A law, scale, report or citation follows: 'Clare's Law', 'Gibbs (1988)'."""
        rest = self.text[end:end + 40]
        m = re.match(r"(?:['’]s?)?\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?", rest)
        if m and (m.group(1) in self.lex.suffix_stop or
                  (m.group(2) and f"{m.group(1)} {m.group(2)}" in self.lex.suffix_stop)):
            return True
        if m and m.group(1).lower() in {"pain", "coma"} and m.group(2) and \
                m.group(2).lower() == "scale":
            return True
        return bool(re.match(r"(?:['’]s?)?\s*(?:\(\s*(?:19|20)\d{2}|,\s*(?:19|20)\d{2}\b|"
                             r"et\s+al\b|and\s+colleagues\b)", rest))

    def pet_before(self, i: int) -> bool:
        for k in range(max(0, i - 3), i):
            if self.toks[k].text.lower() in self.lex.pet_cues:
                return True
        return False

    def theorist_nearby(self, i: int) -> bool:
        """'Roper, Logan and Tierney': a theorist's surname listed with other theorists."""
        if self.toks[i].bare not in self.lex.theorist_surnames:
            return False
        return any(self.toks[k].bare in self.lex.theorist_surnames
                   for k in range(max(0, i - 3), min(len(self.toks), i + 4)) if k != i)

    def add(self, start_i: int, end_i: int, reason: str, start: int | None = None) -> None:
        s = self.toks[start_i].start if start is None else start
        e = self.toks[end_i].bare_end
        if self.blocked_after(e):
            return
        words = self.text[s:e]
        if words.lower() in self.lex.theorist_full:
            return
        if re.search(r"(?:developed|devised|created|proposed|described|introduced|designed|"
                     r"coined|written|edited)\s+by\s+$|according\s+to\s+$",
                     self.text[max(0, s - 20):s], re.IGNORECASE):
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
        toks, lex = self.toks, self.lex
        for i, t in enumerate(toks):
            if t.text.lower() not in lex.titles_inside or i + 1 >= len(toks):
                continue
            gap = self.v.gap(i)
            if not re.fullmatch(r"\.?[ \t\u00a0]+|\.", gap):
                continue
            lower_title = t.text.islower()
            if lower_title and t.text == "miss":
                continue
            j = i + 1
            last_word = None
            initials = []
            while j < len(toks) and j - i <= 4:
                tk = toks[j]
                if tk.is_initial:
                    initials.append(j)
                    if tk.bare != tk.text:
                        break
                    gap = self.v.gap(j)
                    if j + 1 < len(toks) and re.fullmatch(r"\.?[ \t\u00a0]*|\.", gap) and \
                            (toks[j + 1].is_initial or toks[j + 1].is_title_case):
                        nxt = toks[j + 1]
                        if gap.startswith(".") and " " in gap and not nxt.is_initial and (
                                nxt.bare.lower() in lex.stopwords or nxt.is_contraction or
                                _wordy(nxt.bare, lex)):
                            break  # "Mrs C. Anticipatory meds..." ends a sentence
                        j += 1
                        continue
                    break
                if tk.text in lex.particles and j + 1 < len(toks) and self.v.spaced(j) and \
                        toks[j + 1].text[:1].isupper():
                    j += 1
                    continue
                w = tk.bare
                if w.lower() in lex.function_words or tk.is_contraction:
                    break
                if w.isupper() and len(w) <= 3:  # "Mr JB": initials
                    initials.append(j)
                    break
                if w[:1].isupper() or (lower_title and w.islower() and len(w) >= 2):
                    last_word = j
                    if tk.bare != tk.text or not self.v.spaced(j):
                        break
                    nxt = toks[j + 1] if j + 1 < len(toks) else None
                    if nxt and (nxt.is_title_case or nxt.text in lex.particles) and \
                            not lower_title and nxt.bare.lower() not in lex.stopwords and \
                            nxt.bare not in lex.facility_all_words and \
                            nxt.bare not in lex.street_words and \
                            nxt.bare not in lex.suffix_stop:
                        j += 1
                        continue
                break
            if last_word is None:
                if initials:
                    self.anonymised.append((t.start, toks[initials[-1]].bare_end))
                continue
            self.add(i, last_word, "title and surname")

    def initial_surname(self) -> None:
        toks, lex = self.toks, self.lex
        for i, t in enumerate(toks):
            if not t.is_initial or t.text == "I" or t.bare != t.text:
                continue
            if t.start > 0 and (self.text[t.start - 1].isalnum() or self.text[t.start - 1] in "'’"):
                continue
            if i > 0 and (toks[i - 1].text.lower() in lex.lettered or
                          toks[i - 1].text.lower() in lex.titles_inside) and \
                    re.fullmatch(r"[ \t.]*", self.text[toks[i - 1].end:t.start]):
                continue
            j = i
            gap = self.v.gap(j)
            if t.text == "A" and not gap.startswith("."):
                continue
            if not re.fullmatch(r"\.\s?|\s", gap):
                continue
            if j + 1 < len(toks) and toks[j + 1].is_initial and \
                    re.fullmatch(r"\.\s?|\s", self.v.gap(j + 1)):
                j += 1
            k = j + 1
            if k >= len(toks) or "\n" in self.text[t.end:toks[k].start]:
                continue
            if not self.nameish(k, allow_stop_names=False) or toks[k].bare in lex.all_names:
                continue
            if "." in self.text[t.end:toks[k].start] and _wordy(toks[k].bare, lex):
                continue
            if toks[k].bare in lex.theorist_surnames:
                continue
            if i > 0 and re.search(r"[A-Z]\.?\s*$", self.text[max(0, t.start - 3):t.start]):
                continue  # "J.B. Smith" is handled as one; "A B C" lists are not names
            self.add(i, k, "initial and surname")

    def caps_surname_first(self) -> None:
        rx = re.compile(r"(?<![\w'’-])([A-Z][A-Z'’-]{2,}),\s*([A-Z][a-z][^\W\d_]*)(?![\w])")
        for m in rx.finditer(self.text):
            if m.group(1) in self.lex.caps_stop or m.group(2) not in self.lex.all_names:
                continue
            i = self.v.index_at(m.start(2))
            e = self.toks[i].bare_end if i is not None else m.end()
            self.cands.append(Candidate(m.start(), e, "NAME", "SURNAME, first name"))

    def first_names(self) -> None:
        toks, lex = self.toks, self.lex
        for i, t in enumerate(toks):
            w = t.bare
            if w not in lex.all_names:
                if "-" in w and w.split("-")[0] in lex.first_names and t.is_title_case:
                    pass
                else:
                    continue
            if not t.is_title_case or w in lex.cue_only:
                continue
            prev = self.v.prev_word(i)
            if i > 0 and prev in {"st", "saint"}:
                continue
            if w in lex.place_like:
                if prev in lex.locative:
                    continue
                if prev == "to" and i > 1 and toks[i - 2].text.lower() in lex.locative_to_verbs:
                    continue
            if w in lex.virtue:
                nxt = toks[i + 1].text.lower() if i + 1 < len(toks) else ""
                if not (t.bare != t.text or (self.v.spaced(i) and nxt in lex.name_followers
                                             and nxt != "and") or
                        re.match(r"\s\(", self.text[t.end:t.end + 2]) or
                        lex.appositive_rx.match(self.text, t.bare_end)):
                    continue
            elif w in lex.ambiguous:
                if self.v.sentence_initial(i):
                    after = self.text[t.bare_end:t.bare_end + 30]
                    nxt = toks[i + 1].text.lower() if i + 1 < len(toks) else ""
                    if not (t.bare != t.text or re.match(r",\s|\s\(", after) or
                            (self.v.spaced(i) and nxt in lex.name_followers) or
                            (self.v.spaced(i) and self.nameish(i + 1, allow_stop_names=False)
                             and not _wordy(toks[i + 1].bare, lex))):
                        continue
                elif i > 0 and toks[i - 1].is_title_case and \
                        toks[i - 1].bare not in lex.all_names and self.v.spaced(i - 1) and \
                        not self.v.sentence_initial(i - 1):
                    continue  # Title Case heading ("Amazing Grace")
            if self.pet_before(i) or self.theorist_nearby(i):
                continue
            self.add(i, self.extend_surname(i), "first name (name list)")

    def role_cues(self) -> None:
        toks = self.toks
        for m in self.lex.role_cue_rx.finditer(self.text):
            after = re.match(r"(?:,[ \t]*|[ \t]+)(?:['‘\"“])?", self.text[m.end():m.end() + 4])
            if not after:
                continue
            i = self.v.index_at(m.end() + after.end())
            if i is None:
                continue
            t = toks[i]
            if t.is_initial or (t.bare.isupper() and len(t.bare) <= 3):
                continue
            if not self.nameish(i) or t.bare.lower() in self.lex.titles_inside:
                continue
            if self.pet_before(i) or _wordy(t.bare, self.lex) or \
                    re.match(r"\s*:", self.text[t.end:t.end + 3]):
                continue
            self.add(i, self.extend_surname(i), f"name after '{m.group().lower()}'")

    def _generic_ok(self, i: int) -> bool:
        t = self.toks[i]
        if not self.nameish(i, allow_stop_names=True) or t.bare.isupper():
            return False
        if self.v.looks_like_verb_or_adverb(i) or t.bare in self.lex.theorist_surnames:
            return False
        if t.bare != t.text or _wordy(t.bare, self.lex):
            return False
        if self.v.prev_word(i) in {"the", "a", "an", "this", "that", "our", "my", "his", "her",
                                   "their", "your"}:
            return False
        return not self.pet_before(i)

    def appositives(self) -> None:
        for i, _t in enumerate(self.toks):
            if self.text[self.toks[i].end:self.toks[i].end + 1] != ",":
                continue
            if not self.lex.appositive_rx.match(self.text, self.toks[i].bare_end):
                continue
            if not self._generic_ok(i):
                continue
            start = i
            if i > 0 and self.v.spaced(i - 1) and self.toks[i - 1].bare in self.lex.all_names \
                    and self.toks[i - 1].is_title_case:
                start = i - 1
            self.add(start, i, "name before a role ('..., our carer')")

    def speech_and_pairs(self) -> None:
        toks = self.toks
        for i in range(len(toks) - 1):
            nxt = toks[i + 1].text.lower()
            if self.v.spaced(i) and (nxt in self.lex.speech_verbs or
                                     (nxt == "and" and i + 2 < len(toks) and
                                      toks[i + 2].text in {"I"} and self.v.spaced(i + 1))):
                if self.v.sentence_initial(i) and toks[i].bare not in self.lex.all_names:
                    continue
                if i > 0 and self.v.spaced(i - 1) and toks[i - 1].text[:1].isupper():
                    continue
                if self._generic_ok(i):
                    self.add(i, i, "name before a speech verb" if nxt != "and" else
                             "name in 'X and I'")
        for m in re.finditer(r"(?<![\w'’])(?:me|I)\s+and\s+", self.text):
            i = self.v.index_at(m.end())
            if i is not None and self._generic_ok(i):
                self.add(i, self.extend_surname(i), "name in 'me and X'")


    def possessives(self) -> None:
        """'Bisola's mum', 'Tunde's room': an unknown capitalised word owning a person's thing."""
        toks = self.toks
        for i in range(len(toks) - 1):
            t = toks[i]
            if t.bare == t.text or not self.v.spaced(i):
                continue
            if toks[i + 1].text.lower() not in self.lex.possessive_followers:
                continue
            if i > 0 and toks[i - 1].text in {"St", "Saint"}:
                continue
            if self.v.sentence_initial(i) and t.bare not in self.lex.all_names and \
                    t.bare.lower() in self.lex.stopwords:
                continue
            if not self.nameish(i) or t.bare in self.lex.theorist_surnames or \
                    _wordy(t.bare, self.lex) or t.bare.isupper():
                continue
            if self.v.prev_word(i) in {"the", "a", "an", "this", "that"}:
                continue
            start = i
            if i > 0 and self.v.spaced(i - 1) and toks[i - 1].bare in self.lex.all_names and \
                    toks[i - 1].is_title_case:
                start = i - 1
            self.add(start, i, "name before a possessive ('..'s mum')")


# --------------------------------------------------------------------------- places, addresses


def _places(view: TextView) -> list[Candidate]:
    lex, toks, text = view.lex, view.tokens, view.text
    out: list[Candidate] = []
    n = len(toks)

    def phrase_at(i: int, phrases: dict[str, list[list[str]]]) -> int:
        for p in phrases.get(toks[i].text.lower(), ()):
            if i + len(p) <= n and all(toks[i + k].text == p[k] for k in range(len(p))) and \
                    all(view.spaced(i + k) for k in range(len(p) - 1)):
                return len(p)
        return 0

    def name_run(end_i: int) -> int | None:
        """Start index of the capitalised name words ending at token end_i."""
        j = end_i
        start = None
        count = 0
        while j >= 0 and count < 5:
            t = toks[j]
            if j < end_i and not (view.spaced(j) or
                                  (toks[j].text in {"St", "Mt"} and
                                   re.fullmatch(r"\.\s", view.gap(j))) or
                                  re.fullmatch(r"\s&\s", view.gap(j))):
                break
            if t.text in {"and", "of"} and start is not None and j > 0 and \
                    toks[j - 1].is_title_case and view.spaced(j - 1):
                j -= 1
                continue
            if not (t.text[:1].isupper() and (t.is_title_case or t.text in {"St", "Mt"})):
                break
            if t.text.lower() in lex.stopwords and t.text not in {"St", "Saint"} and \
                    t.bare not in lex.all_names:
                break
            if t.text == "The":
                break
            if view.looks_like_verb_or_adverb(j):
                break
            start = j
            count += 1
            j -= 1
        return start

    def distinctive(a: int, b: int) -> bool:
        for k in range(a, b + 1):
            w = toks[k].bare
            if w in {"St", "Saint", "Mt", "and", "of"} or w in lex.generic:
                continue
            if w.lower() in lex.stopwords and w not in lex.all_names:
                continue
            if w.isupper() and len(w) <= 4:
                continue
            return True
        return False

    def finish(a: int, last: int, reason: str) -> None:
        s = toks[a].start
        if a > 0 and toks[a - 1].text == "The" and view.spaced(a - 1) and \
                not view.sentence_initial(a - 1):
            s = toks[a - 1].start
        e = toks[last].end
        if last + 1 < n and view.spaced(last):
            k = phrase_at(last + 1, lex.lower_facility)
            if k and toks[last + 1].text.islower():
                e = toks[last + k].end
        out.append(Candidate(s, e, "PLACE", reason))

    i = 0
    while i < n:
        k = phrase_at(i, lex.facility_index)
        if k and i > 0 and view.spaced(i - 1):
            last = i + k - 1
            while last + 1 < n and view.spaced(last):  # "St Peter's Church Hall"
                k2 = phrase_at(last + 1, lex.facility_index)
                if not k2 or not toks[last + 1].text[:1].isupper():
                    break
                last += k2
            nxt = toks[last + 1].text if last + 1 < n and view.spaced(last) else ""
            a = name_run(i - 1)
            if a is not None and nxt not in lex.no_follow and distinctive(a, i - 1):
                finish(a, last, f"named facility ('{' '.join(t.text for t in toks[i:i + k])}')")
                i = last + 1
                continue
        # lower-case facility word after a distinctive capitalised name: "Larkfield care home"
        k = phrase_at(i, lex.lower_facility)
        if k and toks[i].text.islower() and i > 0 and view.spaced(i - 1):
            last = i + k - 1
            nxt = toks[last + 1].text if last + 1 < n and view.spaced(last) else ""
            a = name_run(i - 1)
            if a is not None and nxt.lower() not in {w.lower() for w in lex.no_follow} and \
                    distinctive(a, i - 1) and not (a == i - 1 and toks[a].bare in lex.all_names
                                                   and view.sentence_initial(a)):
                finish(a, last, "named facility")
                i = last + 1
                continue
        i += 1

    for m in re.finditer(r"(?<![\w-])[Ww]ard\s+(\d{1,3}[A-Za-z]?|[A-Z]\d{1,2})(?![\w-])", text):
        out.append(Candidate(m.start(), m.end(), "PLACE", "numbered ward"))
    for m in lex.prison_rx.finditer(text):
        e = m.end()
        if m.group(2) and (m.group(2).lower() in lex.stopwords or
                           m.group(2) in lex.facility_all_words):
            e = m.end(1)
        if m.group(1).lower() in lex.stopwords:
            continue
        out.append(Candidate(m.start(), e, "PLACE", "named prison"))
    # "moved to The Hollies", "The Willows"
    for i, t in enumerate(toks[:-1]):
        if t.text != "The" or not view.spaced(i):
            continue
        nxt = toks[i + 1]
        if nxt.text in lex.the_names:
            out.append(Candidate(t.start, nxt.end, "PLACE", "named home ('The ...')"))
            continue
        if i > 0 and toks[i - 1].text.lower() in lex.the_prepositions and view.spaced(i - 1):
            j = i + 1
            last = None
            while j < n and j - i <= 3 and toks[j].is_title_case and \
                    toks[j].text.lower() not in lex.stopwords and \
                    toks[j].text not in lex.generic:
                last = j
                if not view.spaced(j):
                    break
                j += 1
            if last is not None:
                out.append(Candidate(t.start, toks[last].bare_end, "PLACE",
                                     "named place after a preposition ('at The ...')"))
    return out


def _addresses(view: TextView) -> list[Candidate]:
    lex, text = view.lex, view.text
    out: list[Candidate] = []
    num = r"(?:\d{1,4}[A-Za-z]?/)?\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?)?"
    word = r"(?:St\.?|[A-Z][^\W\d_]*(?:[-'’][^\W\d_]+)*)"
    street = rf"(?:St|Dr)(?!\.?\s+[A-Z])|(?:{lex.street_alt})"
    unit = rf"(?:{lex.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,?\s+"
    street_rx = re.compile(
        rf"(?<![\w.,/:£$-])(?:({unit}))?({num}),?\s+((?:{word}\s+){{1,3}})({street})(?![\w'’])")
    for m in street_rx.finditer(text):
        names = m.group(3).split()
        if any(w.lower() in lex.stopwords and w not in {"St", "St."} and
               w not in lex.all_names and not (k == 0 and w == "The")
               for k, w in enumerate(names)):
            continue
        start = m.start()
        pre = re.search(rf"(?:{lex.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,?\s+$",
                        text[max(0, m.start() - 20):m.start()])
        if pre and not m.group(1):
            start = m.start() - (len(text[max(0, m.start() - 20):m.start()]) - pre.start())
        out.append(Candidate(start, m.end(), "ADDRESS", "house number and street"))
    prefix_rx = re.compile(
        rf"(?<![\w.,/:£$-])({num}),?\s+(?:{lex.street_prefix_alt})"
        rf"(?:\s+(?:y|yr|'r|[A-Z][^\W\d_]*)){{1,3}}")
    for m in prefix_rx.finditer(text):
        out.append(Candidate(m.start(), m.end(), "ADDRESS", "house number and street"))
    building_rx = re.compile(
        rf"(?<![\w-])(?:{lex.unit_alt})\.?\s+\d{{1,4}}[A-Za-z]?,\s+"
        rf"((?:[A-Z][^\W\d_]*(?:[-'’][^\W\d_]+)*\s+){{0,3}}[A-Z][^\W\d_]*(?:[-'’][^\W\d_]+)*)")
    for m in building_rx.finditer(text):
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


def _exclusion_spans(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in lex.exclusion_rx.finditer(text)]
    for rx in lex.exclusion_followed:
        spans.extend((m.start(), m.end()) for m in rx.finditer(text))
    return spans


def _resolve(cands: list[Candidate]) -> list[Candidate]:
    """Keep the best candidates (priority, then length) so that no two overlap."""
    starts: list[int] = []
    chosen: list[Candidate] = []  # sorted by start, non-overlapping
    for c in sorted(set(cands), key=lambda c: c.key):
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
    ``type`` is one of :data:`IDENTIFIER_TYPES`.
    """
    if not text:
        return []
    lex = lexicon()
    view = TextView(text, lex)
    names = NameFinder(view)
    name_cands = names.run()
    excluded = _exclusion_spans(text, lex)
    name_cands = [c for c in name_cands
                  if not any(c.start < e and s < c.end for s, e in excluded)]
    anchors = [(c.start, c.end) for c in name_cands] + names.anonymised
    anchors += [(m.start(), m.end()) for m in lex.age_anchor_rx.finditer(text)]
    cands = (_emails(text) + _nhs_numbers(text) + _ni_numbers(text, lex) + _phones(text)
             + _postcodes(text, lex) + _dobs(text, lex) + _record_numbers(text, lex)
             + _addresses(view) + _places(view) + name_cands)
    dob_spans = [(c.start, c.end) for c in cands if c.type == "DOB"]
    anchors += dob_spans
    cands += _ages(text, lex, anchors)
    return [{"start": c.start, "end": c.end, "type": c.type, "text": text[c.start:c.end],
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
