"""Targets, goals and agreed actions in a document, each judged on the five SMART criteria.

Extraction is rule-based (sections, list items, "X to do Y by Z", first-person intentions),
then several targets on one line are separated.  Each criterion has a scikit-learn model;
where a rule is exact (an explicit date or review point, "ASAP") it decides, and the reason
shown to the user says which words decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache, partial
from operator import itemgetter
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from . import SMART_CRITERIA
from .component import TrainedComponent
from .features import text_rows
from .lexicon import alternation, lexicon_set, load_lexicon, plain_quotes, regex_fold
from .markers import PartMarkers, markers_in, shared_markers
from .segmenter import NON_KEY_RE, SPACES_RE, heading_section, text_of
from .spans import Spans

if not Doc.has_extension("targets"):
    Doc.set_extension("targets", default=None)

_INTENTION_TAIL = (
    r"\s*(?:also\s+|then\s+|now\s+|really\s+|first\s+)?"
    r"(?:will|'ll|’ll|shall|want to|plan to|intend to|aim to|"
    r"(?:am|'m|’m|are|'re|’re)\s+(?:also\s+|now\s+|then\s+)?(?:going|planning) to)\b")
INTENTION_RE = re.compile(r"\b(?:i|we)" + _INTENTION_TAIL, re.IGNORECASE)
# The same for lower-cased ASCII text, case-sensitive and with the "\b" checked just after "i"
# or "we": the regex engine then jumps from one "i" or "w" to the next, several times faster.
_INTENTION_LOWER_RE = re.compile(r"(?:i(?<!\wi)|we(?<!\wwe))" + _INTENTION_TAIL)
_THIRD_PERSON_TAIL = (
    r"(?:\s+(?:also\s+|then\s+)?will|\s*['’]ll|"
    r"(?:\s+is|\s+are|\s*['’]s|\s*['’]re)\s+(?:also\s+)?going to)\s+(?:also\s+)?"
    r"(?P<verb>\w+(?:\s+\w+)?)")
THIRD_PERSON_RE = re.compile(r"\b(?:he|she)" + _THIRD_PERSON_TAIL, re.IGNORECASE)
# Its twin for lower-cased ASCII text, as _INTENTION_LOWER_RE (the same offsets; the verb
# comes out lower-cased).
_THIRD_PERSON_LOWER_RE = re.compile(r"(?:he(?<!\whe)|she(?<!\wshe))" + _THIRD_PERSON_TAIL)
NOT_SUBJECTS = {"needs", "need", "try", "aim", "want", "going", "plan", "remember", "nice",
                "good", "have", "has", "had", "used", "able", "due", "how", "what", "where",
                "when", "who", "why", "this", "that", "it", "there", "hard", "important",
                "difficult", "easy", "great", "started", "began", "wanted", "decided", "asked",
                "agreed", "continues", "continue", "failed", "tried", "forgot", "refused"}
# The word runs are possessive ("++"): what follows a run starts with a space, which no run
# character is, so giving characters back can never help; without it a sentence that is not
# "X to do Y" was retried at every letter of its first words.
NOTE_STYLE_RE = re.compile(
    r"^(?P<actor>(?:(?:the|my|our|all|each)\s+)?[\w.'’-]++(?:\s+[\w.'’-]++){0,2}?)"
    r"(?:\s+(?:and|&)\s+[A-Z][\w.'’-]*+)?\s+(?P<modal>to|will|agreed to|needs to|should)\s+"
    r"(?P<verb>(?-i:[a-z])[\w'’-]*)", re.IGNORECASE)
DETERMINERS = {"the", "a", "an", "his", "her", "their", "my", "your", "our", "its", "this", "that",
               "these", "those"}
PASSIVE_RE = re.compile(r"\s(?:to|will)\s+be\s+\w+(?:ed|en)\b")
SUBORDINATORS = {"when", "where", "if", "before", "after", "as", "once", "while", "since",
                 "because", "although", "whenever", "until", "for", "in", "during", "with"}
GOAL_PREFIX_RE = re.compile(
    r"^(?:(?:revised|new|updated|learning|smart|personal|development)\s+)?"
    r"(?:(?:goal|target|objective|action|aim)s?\s*\d*|outcome\s*\d+)\s*[:.-]", re.IGNORECASE)
LABEL_RE = re.compile(
    r"^(?:(?:revised|new|updated|learning|smart)\s+)?(?:goal|target|objective|action|aim|outcome|"
    r"domain|standard|step|priority|area)s?\s*(?:\d+[a-z]?)?\s*[:–-]\s+", re.IGNORECASE)
INLINE_LABEL_RE = re.compile(r"^(?P<label>[^:.!?()]{2,60}?):\s+(?=\S)")
MARKER_RE = re.compile(r"^\s*(?:[-*•·▪◦–—>]|\(?(?:\d{1,3}|[ivx]{1,4}|[a-zA-Z])[.)])\s+")
INFINITIVE_RE = re.compile(r"^to\s+[a-z]", re.IGNORECASE)
FUTURE_CUE_RE = re.compile(r"^(?:next time|in future|in the future|going forward|from now on|"
                           r"moving forward)\b", re.IGNORECASE)
DONE_RE = re.compile(r"\((?:done|completed|achieved|met|closed)\)|"
                     r"^\([^()]*\b(?:done|completed|achieved|so far)\b[^()]*\)\.?$|"
                     r"[-–:]\s*(?:(?:partly|partially|fully|not yet)\s+)?"
                     r"(?:done|completed|achieved|passed|met|in progress|ongoing)\b|"
                     r"\bstatus:\s*(?:done|completed|achieved|met)\b|"
                     r"^(?:next|date of next)\s+(?:supervision|session|meeting|review)\b",
                     re.IGNORECASE)
# a word every DONE_RE match holds whole (see _search)
DONE_WORDS = frozenset({"done", "completed", "achieved", "met", "closed", "far", "passed",
                        "progress", "ongoing", "status", "next"})
PAST_NARRATIVE_RE = re.compile(r"\bi\s*(?:will|'ll|’ll)\s+(?:always\s+|never\s+)?"
                               r"(?:remember|forget)\b(?!\s+to\b)|\bi\s+would\s+have\b|\bi\s+would\s+"
                               r"(?:say|describe|argue)\b|\b(?:should|could|might)\s+have\b|"
                               r"\bI\s*['’]ll\s+call\s+(?:(?:her|him|them)\s+)?[A-Z]\b|^signed\b",
                               re.IGNORECASE)
# a word every PAST_NARRATIVE_RE match holds whole
PAST_NARRATIVE_WORDS = frozenset({"remember", "forget", "would", "have", "call", "signed"})
LOGISTICS_QUALIFIER = (r"(?:next|final|follow[- ]up|mid[- ]point|\d+[- ]?(?:month|week|wk)s?|"
                       r"\d+(?:st|nd|rd|th))")
LOGISTICS_AFTER = (r"(?:in\s+\d|next\b|on\s+\d|\d+\s*[-–/:]|[-–:(]|booked\b|to be\b|approx|"
                   r"offered\b|w/c\b)")
TABLE_SPLIT_RE = re.compile(r"\t+|\s*\|\s*")
_TAB = re.compile("\t")
BRACKET_TARGET_RE = re.compile(r"(?<!\s)\s*\((?P<inner>[A-Za-z][\w'’-]*(?:\s+[a-z][\w'’-]*)?"
                               r"\s+to\s+[a-z][^()]*)\)[.!?]?$")

FOLLOW_ON_VERBS = {"bring", "send", "share", "record", "document", "upload", "email", "show",
                   "submit", "log", "note", "file", "feed", "report", "get", "have"}
# Every match starts with a space, ";" or ",": the look-ahead says so first, so the regex
# engine gives up at once at the other characters (it tried the look-behind and all four
# branches at each one: 5.7 -> 3.3 us a target body).
CANDIDATE_RE = re.compile(r"(?=[\s;,])(?<!\s)(?:\s*;\s*(?:and\s+)?|,?\s+(?:and|&|as well as)\s+|"
                          r",\s+|\s+[-–]\s+)")
CANDIDATE_HINTS = (";", ",", "&", "-", "–", "and", "as well as")  # one is in every match
# the stop and the gap after it: a leading [.!?] (not a look-behind) lets the regex engine skip
# ahead to the next stop
SENTENCE_GAP_RE = re.compile(r"[.!?]\s+(?=[A-Z]|i\b|i['’]|next time\b|in future\b)")
SUBJECT_RE = re.compile(
    r"^(?:also\s+)?(?:(?:i|we|he|she|they)\s*(?:also\s+)?(?:will|'ll|’ll|shall|want to|plan to|"
    r"intend to|(?:am|'m|’m|is|'s|’s|are|'re|’re)\s+(?:also\s+)?going to)\s+|"
    r"(?P<actor>(?:(?:the|my|our|all)\s+)?[\w.'’-]+(?:\s+[\w.'’-]+)?)\s+(?:to|will)\s+|"
    r"(?P<bare>to)\s+)(?:also\s+)?(?P<verb>[a-z][\w'’-]*)", re.IGNORECASE)
QUOTED_RE = re.compile(r"[\"“][^\"”]*[\"”]")
LETTERS_RE = re.compile(r"[A-Za-z]{2,}")
LINE_RE = re.compile(r"[^\n]+")
ANNOUNCE_WORD_RE = re.compile(r"[\w']+")
ONE_OF_RE = re.compile(r"\b(?:one|each)\b(?=\s+(?:in|on|of|each|at|to|with|by|before|after)\b|"
                       r"\s*[.,;]|\s*$)")
RE_PREFIX_RE = re.compile(r"^re-?")
NUMBERED_RE = re.compile(r"\s*\d{1,2}[.)]\s")
DIGIT_RE = re.compile(r"\d")
_NON_SPACE_RE = re.compile(r"\S")  # \s is what str.strip() strips

# Cheap pre-checks: many regexes here can only match a text holding one of a few words or
# strings, and testing for those is far faster than an IGNORECASE scan.  After regex_fold
# (lexicon.py), every character such a regex takes for an ASCII letter folds to it, one
# character for one, and only word characters fold to ASCII letters (checked over every code
# point).  So a word a match holds whole (bounded by non-letters) is a word of the folded text.
_WORD_RE = re.compile(r"[a-z]+")
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '’-")


@lru_cache(maxsize=512)
def _words(text: str) -> frozenset[str]:
    """The ASCII-letter words of ``text`` as a case-insensitive regex sees them."""
    return frozenset(_WORD_RE.findall(regex_fold(text)))


def _intends(text: str, low: str | None = None) -> bool:
    """``INTENTION_RE`` finds an intention; every one ends in "will", "shall", "'ll" or " to".
    ``low``: ``regex_fold(text)``, if the caller has it."""
    if low is None:
        low = regex_fold(text)
    if "ll" not in low and " to" not in low:
        return False
    if text.isascii():
        return _INTENTION_LOWER_RE.search(low) is not None
    return INTENTION_RE.search(text) is not None


def _may_be_third_person(text: str, low: str | None = None) -> bool:
    """Can ``THIRD_PERSON_RE`` match: every match holds "he" and "ll" (will, 'll) or "going
    to".  ``low``: ``regex_fold(text)``, if the caller has it."""
    if low is None:
        low = regex_fold(text)
    return "he" in low and ("ll" in low or "going to" in low)


def _search(pattern: re.Pattern[str], words: frozenset[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, skipped when ``text`` holds none of the ``words`` that every
    match of ``pattern`` holds."""
    return None if words.isdisjoint(_words(text)) else pattern.search(text)


# --- phrase lists (data/lexicons.json, "target_extraction") ---------------------------------

def _lex(key: str) -> list[str]:
    """A phrase list of the ``target_extraction`` lexicon section."""
    return load_lexicon()["target_extraction"][key]


def _lex_set(key: str) -> frozenset[str]:
    """The same list as a set, for membership tests."""
    return lexicon_set("target_extraction", key)


@cache
def _phrase_re(key: str) -> re.Pattern[str]:
    alt = alternation(_lex(key), flexible_space=False)
    return re.compile(rf"(?<![\w'’])(?:{alt})(?![\w'’])", re.IGNORECASE)


@cache
def _phrase_words(key: str) -> frozenset[str] | None:
    """The longest word of each phrase: a text holding none of them cannot match; None when a
    phrase has a character outside the plain ones this is checked for."""
    words = set()
    for phrase in _lex(key):
        runs = _WORD_RE.findall(phrase.lower())
        if not runs or not set(phrase) <= _PLAIN:
            return None
        words.add(max(runs, key=len))
    return frozenset(words)


def _find_phrase(key: str, text: str, anchored: bool = False) -> re.Match[str] | None:
    """``_phrase_re(key).search`` (``.match`` if ``anchored``), after the word pre-check."""
    words = _phrase_words(key)
    if words is not None and words.isdisjoint(_words(text)):
        return None
    pattern = _phrase_re(key)
    return pattern.match(text) if anchored else pattern.search(text)


@cache
def _action_verbs() -> frozenset[str]:
    lex = load_lexicon()["phrases"]["imperative_start"] + _lex("extra_action_verbs")
    return frozenset(v for v in lex if " " not in v)


def _is_verb(word: str) -> bool:
    """An action verb, also with a "re-" prefix ("re-read", "redo", "re-audit")."""
    w = word.lower().strip(".,;:()")
    verbs = _action_verbs()
    return w in verbs or (w.startswith("re") and w[2:].lstrip("-") in verbs)


def _starts_with_action(body: str) -> bool:
    """Does the text open with a verb ("Worry less.", "Generally get more confident ...")?"""
    words = [w.lower().strip(".,;:") for w in body.split(None, 2)[:2]]
    start_verbs = _lex_set("start_verbs")
    if len(words) > 1 and words[0].endswith("ly") and not _is_verb(words[0]) \
            and words[0] not in start_verbs:  # an adverb, not "Apply"/"Reply"
        words = words[1:]
    return bool(words) and (_is_verb(words[0]) or words[0] in start_verbs)


# --- what reads as a target, and what only looks like one -----------------------------------

def _is_actor(actor: str) -> bool:
    """Can these words be the doer in "X to do Y" ("TL", "Ward manager", "the deputy", "tf"),
    rather than "Referral to IDVA made", "C wants to" or "Resident T due to move"?"""
    words = actor.split()
    if words[0].lower() in ("the", "my", "our", "all", "each") and len(words) > 1:
        words = words[1:]
    low = words[0].lower()
    roles = _lex_set("role_nouns")
    role_after = len(words) > 1 and all(w.lower() in roles for w in words[1:])
    if low in NOT_SUBJECTS or low in _lex_set("non_actors") or low.endswith(("ed", "ing")) or \
            (_is_verb(low) and not role_after):
        return False
    if len(words) == 1 and len(low) <= 3 and low not in lexicon_set("phrases", "stopword"):
        return True  # lower-case initials: "tf to book ..."
    return all(_actor_word(w) for w in words)


def _actor_word(word: str) -> bool:
    """A name, capitalised initials, a code such as "YP1" or a role noun."""
    w = word.strip(".,'’")
    return bool(w) and (w[0].isupper() or any(c.isdigit() for c in w)
                        or w.lower() in _lex_set("role_nouns"))


def _note_style(body: str, advice: bool = True) -> bool:
    """"X to do Y" / "X will do Y" with X a person, not "Referral to IDVA made" or "April to
    March"; with ``advice=False`` not "X should / needs to do Y" either."""
    m = NOTE_STYLE_RE.match(body)
    return bool(m and _is_actor(m.group("actor")) and m.group("verb").lower() not in DETERMINERS
                and not PASSIVE_RE.match(body, m.end("actor"))
                and (advice or m.group("modal").lower() not in ("should", "needs to")))


def _third_person_intention(text: str, low: str | None = None) -> bool:
    """"she will present ...", "She's going to run ...": a reported commitment, unless the verb
    is a state or an outcome ("She will remember the day ...", "she will do well") or someone
    else's belief or report ("I'm sure she will ...", "Her son said he will ...").
    ``low``: ``regex_fold(text)``, if the caller has it."""
    if low is None:
        low = regex_fold(text)
    if not _may_be_third_person(text, low):
        return False
    stative = _lex_set("stative_after_will")
    matches = _THIRD_PERSON_LOWER_RE.finditer(low) if text.isascii() else \
        THIRD_PERSON_RE.finditer(text)
    for m in matches:
        verb = m.group("verb").lower()
        if verb.split()[0] in stative or verb in stative:
            continue
        if not _find_phrase("reporting_verbs", text[:m.start()]):
            return True
    return False


def _is_announcement(body: str) -> bool:
    """"So, some things I'm going to do." introduces targets; it is not one."""
    low = body.lower()
    if "do" not in low and "change" not in low and "things" not in low:
        return False  # one of them must be among its words
    words = set(ANNOUNCE_WORD_RE.findall(low.replace("’", "'")))
    return (0 < len(words) <= 10 and words <= _lex_set("announcement_words")
            and bool({"do", "change", "things"} & words))


@cache
def _logistics_re() -> re.Pattern[str]:
    """Next-meeting logistics: "Next sup approx 6 wks", "6 month review to be booked", "Observation
    3 - 12 May", "next RCPC 12/12".  A meeting word is either qualified (next, final, "6 month")
    or followed by a date, a gap or "booked"/"to be ...", never by an object as in "Review the
    care plans"."""
    noun = "|".join(map(re.escape, _lex("meeting_nouns")))
    return re.compile(
        rf"^{LOGISTICS_QUALIFIER}\s+(?:[\w-]+\s+)?(?:{noun})s?\b|"
        rf"^(?:[\w-]+\s+)?(?:{noun})s?\s*{LOGISTICS_AFTER}|"
        rf"^next\s+(?:[\w-]+\s+){{1,2}}?(?:\d|on\b|in\b)|"
        r"^(?:topic|date|venue|agenda)\s+to be\b", re.IGNORECASE)


def _is_logistics(body: str) -> bool:
    """Next-meeting logistics, but not an action on a meeting ("Attend the review on 3 May")."""
    if _logistics_re().match(body) is None:
        return False
    words = body.split(None, 1)
    first = words[0].lower() if words else ""
    return not (_is_verb(first) and first not in _lex_set("meeting_nouns"))


@lru_cache(maxsize=1024)  # a one-target line is tested again as its own piece
def is_excluded(body: str) -> bool:
    """Lines that look like targets but are not: next-meeting logistics, done/status lines,
    regrets, deferrals ("we will return to it at her next supervision"), hedged wishes,
    announcements, "no actions" lines, reports of the discussion and e-mail closings."""
    return bool(_search(DONE_RE, DONE_WORDS, body)
                or _search(PAST_NARRATIVE_RE, PAST_NARRATIVE_WORDS, body) or _is_logistics(body)
                or _find_phrase("deferral", body) or _find_phrase("hedge", body)
                or _is_announcement(body) or _find_phrase("closing", body, anchored=True)
                or _find_phrase("no_actions", body, anchored=True)
                or _find_phrase("discussion_starts", body, anchored=True)
                or not _two_words(body))


def _two_words(body: str) -> bool:
    """At least two words of two or more letters (stops at the second)."""
    first = LETTERS_RE.search(body)
    return first is not None and LETTERS_RE.search(body, first.end()) is not None


def _is_wish(body: str) -> bool:
    """"Wants to do the NMP course", "I would like to ...": a wish with no commitment (but
    "..., if he wants to" is a condition on a target)."""
    wish = _find_phrase("wish", body)
    if wish is None or _intends(body[:wish.start()]):
        return False
    before = body[:wish.start()].lower().rsplit(None, 2)[-2:]
    return not any(w in ("if", "when", "whether", "unless") for w in before)


def strip_marker(text: str) -> str:
    """The text without its list marker ("-", "2.", "ii.", "b)")."""
    m = MARKER_RE.match(text)
    return text[m.end():].strip() if m else text.strip()


def is_target_sentence(text: str, section: str, own_line: bool = True) -> bool:
    """Is this sentence (or list item) a target?  In a targets section every list item or
    line is; elsewhere (and for running prose inside a section) it must read as one.  "X
    should do Y" is an agreed action only in an actions section; elsewhere it is advice."""
    return _is_target(text, strip_marker(text), section, own_line)


def _is_target(text: str, body: str, section: str, own_line: bool) -> bool:
    """:func:`is_target_sentence` given ``body = strip_marker(text)``, which the caller has
    already computed."""
    if not body or body.endswith(":") and len(body.split(None, 6)) <= 6:
        return False
    if section == "targets" and (own_line or MARKER_RE.match(text) or _starts_with_action(body)):
        reads_as_one = len(body.split(None, 1)) >= 2
    else:
        reads_as_one = _reads_as_target(text, body)
    # the exclusions last: they are the dearer tests, and most sentences fail the first ones
    return reads_as_one and not is_excluded(body) and not _is_wish(body)


def _reads_as_target(text: str, body: str) -> bool:
    """Outside a targets list, an intention, "X to do Y", a goal label, "next time ..." or an
    "- to do Y" item."""
    unquoted = QUOTED_RE.sub(" ", body) if '"' in body or "“" in body else body
    low = regex_fold(unquoted)  # for both tests of it
    return bool(_intends(unquoted, low) or _note_style(body, advice=False)
                or _third_person_intention(unquoted, low)
                or GOAL_PREFIX_RE.match(body) or FUTURE_CUE_RE.match(body)
                or (INFINITIVE_RE.match(body) and text.lstrip()[:1] in "-*•·0123456789"))


# --- splitting one line or sentence into several targets (spans.md section 4) ---------------

def _clause_start(tail: str) -> tuple[bool, str | None]:
    """(has its own subject, first verb) of the text after a conjunction."""
    m = SUBJECT_RE.match(tail)
    if m and (m.group("actor") is None or _is_actor(m.group("actor"))) and \
            m.group("verb").lower() not in DETERMINERS:
        return True, m.group("verb")
    words = tail.split(None, 1)
    first = words[0] if words else ""
    return False, first if _is_verb(first) else None


def _refers_back(clause: str) -> bool:
    """The second action hands over or is checked on the first one's output ("... and talk my
    educator through them", "... and give me feedback", "... and reflect on one")."""
    words = [w.lower().strip(".,;()") for w in clause.split(None, 4)[:4]]
    if any(w in ("this", "these", "results") for w in words[1:4]):
        return True
    if _find_phrase("refer_back", clause):
        return True
    return ONE_OF_RE.search(clause) is not None


def _keeps_one(head: str, clause: str, verb: str) -> bool:
    """Is the verb after "and" part of the first target: a hand-over or evidence verb, a bare
    time or condition phrase, a shared object ("book and complete X") or a reference back?"""
    words = clause.split(None, 2)
    if verb.lower() in FOLLOW_ON_VERBS or verb.lower() in _lex_set("follow_on_verbs"):
        return True
    if len(words) > 1 and words[1].lower().strip(".,;") in _lex_set("no_object_words"):
        return True  # "... and review at the end of next week", "... and ring if ..."
    last = head.rsplit(None, 2)
    if last and _is_verb(last[-1]) and (len(last) == 1 or last[-2].lower() in ("to", "will")):
        return True
    return _refers_back(clause)


def _is_check(tail: str, verb: str) -> bool:
    """"... - PA to check 10 sets of notes": someone else checking the first action's output is
    its evidence, not a second target."""
    m = SUBJECT_RE.match(tail)
    base = RE_PREFIX_RE.sub("", verb.lower())
    return bool(m and m.group("actor")) and base in _lex_set("check_verbs")


def _opens_clause(head: str) -> bool:
    """Does the text before a comma read as a target of its own (not "When labour slows, ...")?"""
    words = head.split(None, 1)
    if not words or words[0].lower() in SUBORDINATORS:
        return False
    own, verb = _clause_start(head)
    return own or verb is not None or bool(_intends(head) or _note_style(head)
                                           or (_may_be_third_person(head)
                                               and THIRD_PERSON_RE.search(head)))


def _outside_brackets(text: str, matches: Iterator[re.Match[str]]) -> list[re.Match[str]]:
    """The matches that are not inside brackets or quotes (``matches`` in text order: the
    brackets and quotes before each are counted on from the previous one, not from 0)."""
    out = []
    pos = opened = closed = quotes = 0
    for m in matches:
        start = m.start()
        opened += text.count("(", pos, start)
        closed += text.count(")", pos, start)
        quotes += text.count('"', pos, start)
        pos = start
        if opened <= closed and quotes % 2 == 0:
            out.append(m)
    return out


def _split_points(text: str) -> list[tuple[int, int]]:
    """(end of one target, start of the next) wherever a second target starts inside one line
    or sentence: "X to do A, and Y to do B", verb lists "A, B and C" with their own objects."""
    if not any(h in text for h in CANDIDATE_HINTS):
        return []
    cands = _outside_brackets(text, CANDIDATE_RE.finditer(text))
    starts = [_clause_start(text[m.end():]) for m in cands]
    points: list[tuple[int, int]] = []
    for k, m in enumerate(cands):
        head, tail = text[:m.start()], text[m.end():]
        own, verb = starts[k]
        sep = m.group().strip()
        # words counted only as far as the test needs: the head is all the text before
        # the join and the tail all after it, split again at every join
        if len(head.split(None, 2)) < 3 or len(tail.split(None, 1)) < 2 or verb is None:
            continue
        clause = text[m.end():cands[k + 1].start()] if k + 1 < len(cands) else tail
        if (len(clause.split(None, 3)) < 4 and not own) or _is_check(tail, verb):
            continue  # a fragment, or "..., educator to time."
        if sep in ("-", "–"):
            if own and SUBJECT_RE.match(tail).group("actor"):
                points.append(m.span())  # "... (HCA) - sister to arrange the rota"
        elif sep == ",":
            # "A, B and C": a comma splits a verb list only when the list ends in "and VERB"
            later = any(s[1] and cands[j].group().strip(", ") in ("and", "&")
                        for j, s in enumerate(starts) if j > k)
            prev = text[points[-1][1] if points else 0:m.start()]
            if _opens_clause(prev) and ((own and not SUBJECT_RE.match(tail).group("bare")) or
                                        (later and not _keeps_one(head, clause, verb))):
                points.append(m.span())
        elif own or not _keeps_one(head, clause, verb):
            points.append(m.span())
    return points


def _bracket_target(text: str) -> tuple[int, int] | None:
    """A target in brackets at the end of another, "(deputy to book 30 mins on Thursday)": its
    span without the brackets."""
    if "(" not in text or ")" not in text:
        return None
    m = BRACKET_TARGET_RE.search(text)
    if m and _is_actor(m.group("inner").split()[0]) and len(m.group("inner").split()) >= 4:
        return m.start("inner"), m.end("inner")
    return None


def _pieces(body: str) -> list[tuple[int, int]]:
    """Offsets in ``body`` of each target it holds, without the joining words."""
    points = _split_points(body)
    bounds = zip([0, *(b for _, b in points)], [*(a for a, _ in points), len(body)], strict=True)
    out = []
    for s, e in bounds:
        e = s + len(body[s:e].rstrip(" ;,-–"))
        inner = _bracket_target(body[s:e])
        if inner:
            out.append((s, s + len(body[s:s + inner[0]].rstrip(" (").rstrip())))
            out.append((s + inner[0], s + inner[1]))
        elif e - s >= 3:
            out.append((s, e))
    return out


# --- walking the document: lines, headings, tables ------------------------------------------

def _cells(line: str) -> list[str]:
    """The cells of a table row flattened to "a | b | c" or tab-separated text, else []."""
    if "\t" not in line and line.count("|") < 2:
        return []
    cells = [c.strip() for c in TABLE_SPLIT_RE.split(line.strip().strip("|"))]
    return cells if len([c for c in cells if c]) >= 2 else []


def _action_column(cells: list[str]) -> int | None:
    """The column of the actions if ``cells`` is the header row of an actions table, else
    None: "Action | Who | When" (0), or "Area | Discussion | Agreed action | By when" (2), a
    supervision template whose first columns say what the action is about."""
    heads = [c.lower().rstrip(":") for c in cells]
    for j, head in enumerate(heads):
        if head in _lex_set("table_first_headers"):
            before, after = [h for h in heads[:j] if h], [h for h in heads[j + 1:] if h]
            if all(h in _lex_set("table_context_headers") for h in before) and all(
                    h in _lex_set("table_headers") or h in _lex_set("table_first_headers")
                    for h in after):
                return j
            return None
        if head and head not in _lex_set("table_context_headers"):
            return None
    return None


def _is_header_row(cells: list[str]) -> bool:
    """Every cell a column name: the header row of a table, actions or not."""
    names = _lex_set("table_context_headers") | _lex_set("table_headers") | \
        _lex_set("table_first_headers")
    return all(c.lower().rstrip(":") in names for c in cells if c)


def _tab_width(line: str) -> int | None:
    """The number of cells of a header row typed with one tab between cells and none empty
    (as a table pasted from Word or a spreadsheet is), else None."""
    cells = line.strip().split("\t")
    return len(cells) if "|" not in line and len(cells) > 1 and all(map(str.strip, cells)) \
        else None


def _row_span(text: str, ls: int, le: int, column: int = 0,
              width: int | None = None) -> tuple[int, int] | None:
    """A table row without its outer "|" borders, from the start of cell ``column``: the
    action and what follows it (who, when) are one target; None if that cell is empty.
    ``width``: the header's :func:`_tab_width`. A row with as many single tabs as that
    header is split at every tab, so two tabs in a row are an empty cell; any other row at
    runs of tabs, as text aligned with tabs has them between cells."""
    row = text[ls:le]
    one_tab = width is not None and "|" not in row and row.strip(" \n").count("\t") + 1 == width
    inner = row.strip(" \n") if one_tab else row.strip().strip("|").strip()
    rs = ls + row.index(inner)
    if column:
        seps = list((_TAB if one_tab else TABLE_SPLIT_RE).finditer(inner))
        if len(seps) < column:  # a short row: the whole row, as before the action column
            return rs, rs + len(inner)
        rs += seps[column - 1].end()
        inner = inner[seps[column - 1].end():]
    if (column or one_tab) and (not inner or TABLE_SPLIT_RE.match(inner)):
        return None
    return rs, rs + len(inner.rstrip())


def _is_numbered_title(line: str, bare: str) -> bool:
    """"6. Recommendation at mid-point": a numbered form section with no verb, which ends the
    list of targets before it."""
    return (NUMBERED_RE.match(line) is not None and len(bare.split()) <= 6
            and bare[0].isupper() and not DIGIT_RE.search(bare)
            and not LABEL_RE.match(bare + " "))


def _heading_section(line: str, marked: str | None = None) -> str | None:
    """Section of a heading line the segmenter kept inside a sentence ("Targets", "actions",
    "Actions."), "other" for a numbered form section, else None.  ``marked``:
    ``strip_marker(line)``, if the caller has it."""
    bare = (strip_marker(line) if marked is None else marked).rstrip(":").strip()
    if bare.rstrip(".").lower() in lexicon_set("phrases", "target_heading"):
        return "targets"
    if not bare or bare.endswith((".", "!", "?", ";", ",")) or len(bare.split(None, 8)) > 8:
        return None  # a sentence, or too long for a heading
    if _starts_with_action(bare) or _note_style(bare) or _intends(bare) or \
            (_may_be_third_person(bare) and THIRD_PERSON_RE.search(bare)):
        return None
    if MARKER_RE.match(line):
        return "other" if _is_numbered_title(line, bare) else None
    section = heading_section(bare, title=True)
    if section == "targets" and _find_phrase("review_headings", bare):
        return "other"
    return section if section in ("targets", "feedback") else None


def _label_key(label: str) -> str:
    key = NON_KEY_RE.sub(" ", strip_marker(label).lower().replace("’", "'"))
    return SPACES_RE.sub(" ", f" {key} ")


@cache
def _label_starts(heading_too: bool) -> tuple[str, ...]:
    """" p " for each target label (and target heading): what a :func:`_label_key` opens with."""
    phrases = _lex("target_labels")
    if heading_too:
        phrases = load_lexicon()["phrases"]["target_heading"] + phrases
    return tuple(f" {p} " for p in phrases)


def _section_after(heading: str, section: str, current: str) -> str:
    """The section a heading opens: a review of last year's objectives holds no targets,
    "Learning needs identified" does, and a numbered sub-label ("Domain 8:") stays in the
    section it is in."""
    if section == "targets":
        return "other" if _find_phrase("review_headings", _label_key(heading)) else section
    if section == "other":
        if _label_key(heading).startswith(_label_starts(False)):
            return "targets"
        if current == "targets" and LABEL_RE.match(heading + " "):
            return current
    return section  # the key is only needed above


def _label(body: str) -> tuple[int, str | None]:
    """Length of an inline lead-in label to leave out, and what it introduces: "goal" for a
    target's own label ("Revised goal 3: "), "section" for an actions label ("For next time: ")."""
    if ":" not in body and "-" not in body and "–" not in body:
        return 0, None  # both labels end in one of these
    m = LABEL_RE.match(body)
    if m:
        return m.end(), "goal"
    m = INLINE_LABEL_RE.match(body) if ":" in body else None  # its label ends in one
    if m and len(m.group("label").split()) <= 8:
        key = _label_key(m.group("label"))
        if key.startswith(_label_starts(True)) and not _find_phrase("review_headings", key):
            return m.end(), "section"
    return 0, None


def _is_heading_row(body: str, row_section: str, section: str) -> bool:
    """Does a row the segmenter took for a heading open a section?  A short last line under
    "Actions" ("Be more confident", "SW to look after her own wellbeing") is a target."""
    if row_section != "other" or body.endswith(":"):
        return True
    return not (_note_style(body) or _intends(body)
                or (section == "targets" and _starts_with_action(body)))


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _sentence_starts(text: str) -> list[int]:
    """Sentence starts the segmenter missed ("... this week. i am going to ..."), not after an
    abbreviation ("Mr. A")."""
    inner = text.rstrip()[:-1]  # a gap needs a stop with more text after it
    if "." not in inner and "!" not in inner and "?" not in inner:
        return []
    abbrevs = lexicon_set("abbreviations")
    heads = ((m.end(), text[:m.start() + 1])  # up to and with the stop
             for m in _outside_brackets(text, SENTENCE_GAP_RE.finditer(text)))
    # each head is the part up to its stop, so only its first three and last word are
    # split off (whole splits made a 200-sentence lower-case paragraph 12 -> 0.8 ms)
    return [end for end, head in heads if len(strip_marker(head).split(None, 2)) >= 3
            and head.rsplit(None, 1)[-1].lower().rstrip(".") not in abbrevs]


class Unit(NamedTuple):
    """A line, or a sentence within a line, that may hold targets."""

    start: int
    end: int
    section: str
    own_line: bool
    table_row: bool
    row: int  # index into ``doc._.sentences``
    body: str | None = None  # strip_marker(text[start:end]) if already known


# A Unit from all seven fields at once: a third of the time of ``Unit(...)``, whose __new__ is
# Python code, and there is one per sentence of every document.
_new_unit = partial(tuple.__new__, Unit)


def _line_units(text: str, ps: int, pe: int, line: tuple[int, int], section: str,
                k: int, part: str, marked: str) -> list[Unit]:
    """The sentences of one line part ``part = text[ps:pe]``, which starts with no space
    (``line``: the bounds of its line; ``marked``: ``strip_marker(part)``); only a sentence
    alone on its line (after any label) counts as its own line."""
    ls, le = line
    starts = _sentence_starts(part)
    if not starts:  # the usual case: the whole part is one sentence
        # alone on its line: only spaces after it (the part starts with no space, and its
        # line ends at or after ``pe``); searched, not sliced and stripped: in a paragraph
        # that is the rest of the paragraph, and so is what comes before the last sentence
        own_line = False
        if _NON_SPACE_RE.search(text, pe, le) is None:
            before = text[ls:ps].strip()
            own_line = not before or before.endswith(":") or \
                MARKER_RE.match(before + " ") is not None
        # strip_marker(part.rstrip()) is ``marked`` unless that is empty ("- " is a bare
        # marker, "-" is not)
        return [_new_unit((ps, ps + len(part.rstrip()), section, own_line, False, k,
                           marked or None))]
    cuts = [ps, *(ps + c for c in starts), pe]
    return [_new_unit((a, a + len(text[a:b].rstrip()), section, False, False, k, None))
            for a, b in zip(cuts, cuts[1:], strict=False)]


def _units(doc: Doc, text: str | None = None) -> Iterator[Unit]:
    """Every line part that may hold a target.  The segmenter keeps lower-case lines in one
    sentence and can mistake a last line for a title, so headings and table rows are found
    again here, line by line.  An inline heading ("Manager's direction: ...") governs the rest
    of its own line only.  ``text``: ``plain_quotes(text_of(doc))`` if the caller has it."""
    if text is None:
        text = plain_quotes(text_of(doc))  # matched, never shown: offsets only
    # a line is a table row only if it holds a tab or two "|" (see _cells)
    tables = "\t" in text or text.count("|") >= 2
    section, column, seen = "other", None, set()  # column: of the actions, in a table
    width = None  # the header's _tab_width
    revert: tuple[int, str] | None = None
    for k, (s, e, sec, head) in enumerate(doc._.sentences or []):
        if revert and s > revert[0]:
            section, revert = revert[1], None
        if text.find("\n", s, e) < 0:  # one line, the usual case
            parts = [(s, e)] if s < e else []
        else:
            parts = [m.span() for m in LINE_RE.finditer(text, s, e)]
        if head and len(parts) == 1:
            ls, le = _line_bounds(text, s)
            body = strip_marker(text[s:e])
            if not (tables and _cells(text[ls:le])) and _is_heading_row(body, sec, section):
                if text[e:le].strip() and revert is None:
                    revert = (le, section)
                section, column = _section_after(body, sec, section), None
                continue
        for ps, pe in parts:
            line = text[ps:pe]
            part = line.lstrip()  # text[ps:pe] once ps is moved past the spaces
            ps += len(line) - len(part)
            ls, le = bounds = _line_bounds(text, ps)
            cells = _cells(text[ls:le]) if tables else None
            if cells:
                if ls not in seen:
                    seen.add(ls)
                    header = _action_column(cells)
                    if header is not None:
                        column, width = header, _tab_width(text[ls:le])
                    elif _is_header_row(cells):
                        column = None  # another table ("Resident | Issue | Update") begins
                    else:
                        span = _row_span(text, ls, le, column or 0,
                                         width if column is not None else None)
                        if span:
                            yield Unit(*span, "targets" if column is not None else section,
                                       True, True, k)
                continue
            column = None
            marked = strip_marker(part)
            heading = _heading_section(part, marked)
            if heading is not None:
                section = heading
                continue
            yield from _line_units(text, ps, pe, bounds, section, k, part, marked)


def _is_intended(doc: Doc, k: int, raw: str, s: int, e: int, section: str) -> bool:
    """A list item that opens with a verb and that the element model reads as an intention is
    a target even outside an "Actions" section ("- review in 4 wks"), unless it is a wish, a
    status line or praise.  Agenda items and case notes ("- Caseload update") are not.
    ``raw``: ``text[s:e]`` of the text with plain quotes."""
    if section != "other" or MARKER_RE.match(raw) is None:
        return False  # the cheap tests first
    elements = doc._.elements or []
    row_s, row_e = doc._.sentences[k][0], doc._.sentences[k][1]
    body = strip_marker(raw)
    return (k < len(elements) and elements[k][0] == "intention"
            and text_of(doc).find("\n", row_s, row_e) < 0
            and _starts_with_action(body) and not is_excluded(body) and not _is_wish(body)
            and not markers_in(doc, s, e, {"generic_praise", "generic_critique"}))


def _in_feedback(feedback: Spans, s: int, e: int) -> bool:
    """Most of this sentence was found as a feedback comment (``feedback``: their spans): a
    next step inside feedback belongs to the comment, not to the targets. (A span not
    touching the sentence overlaps it by a negative amount.)"""
    half = 0.5 * (e - s)
    for fs, fe in feedback.touching(s, e):
        if min(e, fe) - max(s, fs) >= half:
            return True
    return False


def extract_targets(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of every target in ``doc`` (whole targets, split when several)."""
    text = plain_quotes(text_of(doc))  # matched, never shown: offsets only
    has_section = "targets" in map(itemgetter(2), doc._.sentences or [])  # (section)
    comments = doc._.feedback
    feedback = Spans((f["start"], f["end"]) for f in comments) if comments else None
    spans: list[tuple[int, int]] = []
    for s, e, section, own_line, table_row, k, body in _units(doc, text):
        raw = text[s:e]
        if body is None:
            body = strip_marker(raw)
        cut, label = _label(body)
        if label == "goal" or (label == "section" and section != "feedback"):
            section = "targets"
        b0 = s + raw.find(body) + cut
        body = body[cut:]
        intended = not has_section and _is_intended(doc, k, raw, s, e, section)
        if not (intended or (_is_target(raw, body, section, own_line) if not cut
                             else is_target_sentence(body, section, own_line))):
            continue
        # after the tests above, which most lines fail: they have no side effects
        if section != "targets" and feedback and _in_feedback(feedback, s, e) \
                and not _intends(body):
            continue
        if table_row:
            spans.append((b0, b0 + len(body)))
            continue
        spans.extend((b0 + a, b0 + b) for a, b in _pieces(body) if not is_excluded(body[a:b]))
    return spans


def rule_evidence(text: str, markers: Sequence[list] | None = None) -> dict[str, list[str]]:
    """The words of each marker category in ``text`` (``markers``: its markers, if known)."""
    found: dict[str, list[str]] = {}
    for s, e, cat in shared_markers(text) if markers is None else markers:
        found.setdefault(cat, []).append(text[s:e])
    return found


def apply_rules(criterion: str, p: float, ev: dict[str, list[str]]) -> tuple[float, str]:
    """Exact rules override the model; returns (probability, reason)."""
    if criterion == "time_bound":
        time_words = ev.get("date", []) + ev.get("duration", []) + \
            ev.get("weekday_deadline", [])
        review = ev.get("review_point", []) + ev.get("review_phrase", [])
        if time_words or review:
            return max(p, 0.95), f"deadline or review point: '{(time_words + review)[0]}'"
        if ev.get("vague_time"):
            return min(p, 0.05), f"'{ev['vague_time'][0]}' is not a deadline"
        return p, "a date, duration or review point was found" if p >= 0.5 else \
            "no deadline, duration or review point"
    if criterion == "measurable":
        checks = ev.get("frequency", []) + ev.get("evidence", [])
        if p >= 0.5:
            return p, f"success can be checked: '{checks[0]}'" if checks else \
                "success can be checked"
        return p, "says what to do but not how success will be checked"
    if criterion == "specific":
        if p < 0.5 and ev.get("vague_verb"):
            return p, f"'{ev['vague_verb'][0]}' is vague: say exactly what will be done"
        return p, "names a concrete action or outcome" if p >= 0.5 else \
            "the action or outcome is not concrete"
    if criterion == "achievable":
        if p < 0.5 and ev.get("absolute"):
            return p, f"'{ev['absolute'][0]}' makes it absolute or unbounded"
        return p, "realistic in scope" if p >= 0.5 else "scope looks unrealistic or unbounded"
    if criterion == "relevant":
        return p, "linked to the role, a development need or service users" if p >= 0.5 else \
            "no link to the role, a development need or service users"
    return p, ""


def verdict(smart: dict[str, dict]) -> str:
    missing = [c.replace("_", "-") for c in SMART_CRITERIA if not smart[c]["met"]]
    if not missing:
        return "SMART: all five criteria met."
    return f"Not yet SMART: {', '.join(missing)} missing ({5 - len(missing)}/5 met)."


def score_target_texts(models: dict, texts: list[str],
                       markers: list | None = None) -> list[dict]:
    """Per-criterion ``{"met", "score", "reason"}`` for target strings (``markers``: each
    one's markers, if known, see ``text_rows``)."""
    if not texts:
        return []
    known = [None] * len(texts) if markers is None else markers
    X = text_rows(texts, markers)
    # each criterion's column as Python floats at once: a NumPy scalar per target and
    # criterion cost more than the rules
    probs = [models[c].predict_proba(X)[:, 1].tolist() for c in SMART_CRITERIA]
    out = []
    for t, m, row in zip(texts, known, zip(*probs, strict=True), strict=True):
        ev = rule_evidence(t, m)
        smart = {}
        for c, p in zip(SMART_CRITERIA, row, strict=True):
            p, reason = apply_rules(c, p, ev)
            smart[c] = {"met": p >= 0.5, "score": round(p, 4), "reason": reason}
        out.append(smart)
    return out


class TargetScorer(TrainedComponent):
    model_names = SMART_CRITERIA

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        spans = [extract_targets(d) for d in docs]
        texts, found_in = [], []
        for doc, sp in zip(docs, spans, strict=True):
            if sp:
                text, part = text_of(doc), PartMarkers(text_of(doc), doc._.markers)
                for s, e in sp:
                    texts.append(text[s:e])
                    found_in.append(part(s, e))
        scored = iter(score_target_texts(self.models, texts, found_in))
        for doc, sp in zip(docs, spans, strict=True):
            text = text_of(doc)
            targets = []
            for s, e in sp:
                smart = next(scored)
                targets.append({"start": s, "end": e, "text": text[s:e], "smart": smart,
                                "verdict": verdict(smart)})
            doc._.targets = targets  # set once: each ``doc._`` builds a new accessor


@Language.factory("reflectassist_targets")
def make_targets(nlp: Language, name: str) -> TargetScorer:
    return TargetScorer(name)


__all__ = ["TargetScorer", "extract_targets", "score_target_texts"]
