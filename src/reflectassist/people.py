"""Who a sentence of a note is about, and who is speaking.

Supervision notes are often written in the third person: "JR noted that KB's chronology is
now up to date" is feedback to KB, while "KB said she found the chronology a slog" is KB's
own account. Word n-grams alone cannot tell these apart, because both name someone and use a
reporting verb. Knowing the supervisee (the person the note names most often by initials)
and the shape "<someone else> <reporting verb> ... <the supervisee>" can.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from spacy.tokens import Doc

from .lexicon import alternation, load_data, plain_quotes, positions
from .segmenter import text_of

INITIALS_RE = re.compile(r"(?<![\w'’&])([A-Z]{2,3})(?![\w&])")
# INITIALS_RE with its lookbehind moved after the first capital (the character before that
# capital, the same test): the lookbehind that leads INITIALS_RE keeps ``re`` from skipping
# ahead to a capital, so scanning with it tried the lookbehind at every character; this one
# opens with a character class, and findall needs no Python call per match.
_INITIALS_SCAN_RE = re.compile(r"[A-Z](?<![\w'’&][A-Z])[A-Z]{1,2}(?![\w&])")
_NOT_BEFORE_NAME = re.compile(r"[\w'’]")
_NOT_AFTER_NAME = re.compile(r"[\w&]")
_WORD_CHAR = re.compile(r"\w")
FIRST_NAME_RE = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")
SUPERVISEE_KEY = "reflectassist.supervisee"
MIN_MENTIONS = 3
PRONOUNS = {"she", "he", "they"}
PRONOUN_RE = re.compile(r"\b(?:she|he|her|his|they|their|you|your|i|me|my)\b", re.IGNORECASE)
ADVERB_RE = re.compile(r"^(?:(?:also|then|later|rightly|clearly|specifically|again)\s+)+",
                       re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    data = load_data("people")
    stop = frozenset(data["not_person_initials"])
    lead = r"^(?i:also\s+|then\s+|later\s+)?"
    det = r"(?:(?:the|my|her|his|their|our|a|one\s+of\s+the)\s+)?"
    speaker = rf"(?:[A-Z]{{1,3}}|(?i:{det}(?:{_by_first_letter(data['feedback_sources'])})))"
    adverb = r"(?:\s+(?:also|then|later|rightly|clearly|specifically|again))?"
    verbs = _by_first_letter(data["report_verbs"])
    report = re.compile(rf"{lead}(?P<who>{speaker}){adverb}\s+(?i:{verbs})(?![\w'’])")
    self_report = re.compile(rf"(?i:{alternation(data['self_report_verbs'])})(?![\w'’])")
    return stop, report, self_report


def _by_first_letter(phrases: list[str]) -> str:
    """``alternation(phrases)`` with the phrases that start with one letter under one branch:
    ``re`` tries a branch's alternatives one by one, so a sentence that matches none (most)
    was compared with every phrase, now only with those of its first letter. In ASCII, under
    IGNORECASE as here, phrases of different first letters cannot match at the same place,
    so the first alternative to match is the same (2.4 -> 1.2 µs a sentence)."""
    if not all(p[:1].isalpha() and p.isascii() for p in phrases):
        return alternation(phrases)
    groups: dict[str, list[str]] = {}
    for p in phrases:
        groups.setdefault(p[0].lower(), []).append(p[1:])
    return "|".join(f"{re.escape(first)}(?:{alternation(rests)})"
                    for first, rests in groups.items())


def initials(text: str) -> list[str]:
    """``INITIALS_RE.findall(text)``, faster (``_INITIALS_SCAN_RE``: the same test at every
    position, so the same matches)."""
    return _INITIALS_SCAN_RE.findall(text)


def supervisee(doc: Doc) -> str | None:
    """The person the document names most often (at least three times), by initials or by a
    first name the identifier check found (``Doc._.identifiers``; titled names such as
    "Mrs K" are service users far more often than supervisees): in a third-person note, the
    supervisee. Cached on the Doc."""
    if SUPERVISEE_KEY in doc.user_data:
        return doc.user_data[SUPERVISEE_KEY]
    stop = _patterns()[0]
    counts = Counter(m for m in initials(text_of(doc)) if m not in stop)
    found = doc._.identifiers if Doc.has_extension("identifiers") else None
    counts.update(i["text"] for i in found or []
                  if i["type"] == "NAME" and FIRST_NAME_RE.fullmatch(i["text"]))
    best = counts.most_common(1)
    who = best[0][0] if best and best[0][1] >= MIN_MENTIONS else None
    doc.user_data[SUPERVISEE_KEY] = who
    return who


def _name_at(text: str, who: str, possessive: bool = False) -> bool:
    """Does ``text`` name ``who`` (ASCII letters and hyphens): not after a word character or
    apostrophe, and not before a word character or "&" (``possessive``: before "'s" or "’s"
    and a word boundary)? The same as searching ``(?<![\\w'’])who(?![\\w&])`` (or
    ``(?<![\\w'’])who['’]s\\b``), without compiling two regexes for each new name
    (~0.2 ms each): most sentences do not hold the name at all."""
    for at in positions(text, (who,)):
        end = at + len(who)
        if at == 0 or _NOT_BEFORE_NAME.match(text, at - 1) is None:
            if not possessive:
                if _NOT_AFTER_NAME.match(text, end) is None:
                    return True
            elif text.startswith(("'s", "’s"), end) and _WORD_CHAR.match(text, end + 2) is None:
                return True
    return False


def person_features(text: str, who: str | None) -> dict[str, float]:
    """Features of one sentence (bullet already stripped) given the supervisee's initials."""
    text = plain_quotes(text)
    _, report, self_report = _patterns()
    feats: dict[str, float] = {}
    m = report.match(text)
    if who:
        mention = _name_at(text, who)
        feats["p_sv_mention"] = float(mention)
        # a possessive ("KB's") is a mention too ("'" is no word character): most sentences
        # have neither, and are not searched twice
        feats["p_sv_possessive"] = float(mention and _name_at(text, who, possessive=True))
        if text.startswith(who + " "):
            feats["p_sv_subject"] = 1.0
            rest = ADVERB_RE.sub("", text[len(who) + 1:].lstrip())
            feats["p_sv_self_report"] = float(self_report.match(rest) is not None)
    if m and who and m.group("who").lower() in PRONOUNS:
        # in a note about someone named, "She reflected that ..." is most often that person
        rest = ADVERB_RE.sub("", text[m.end("who"):].lstrip())
        feats["p_sv_subject"] = 1.0
        feats["p_sv_self_report"] = float(self_report.match(rest) is not None)
    elif m and m.group("who") != who:
        feats["p_other_report"] = 1.0
        about = text[m.end():]
        pronoun = PRONOUN_RE.search(about) is not None
        named = bool(who) and _name_at(about, who)
        feats["p_other_report_about_sv"] = float(named or pronoun)
    return feats
