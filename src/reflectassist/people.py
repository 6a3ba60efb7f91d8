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

from .lexicon import alternation, load_data, plain_quotes
from .segmenter import text_of

INITIALS_RE = re.compile(r"(?<![\w'’&])([A-Z]{2,3})(?![\w&])")
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
    speaker = rf"(?:[A-Z]{{1,3}}|(?i:{det}(?:{alternation(data['feedback_sources'])})))"
    adverb = r"(?:\s+(?:also|then|later|rightly|clearly|specifically|again))?"
    verbs = alternation(data["report_verbs"])
    report = re.compile(rf"{lead}(?P<who>{speaker}){adverb}\s+(?i:{verbs})(?![\w'’])")
    self_report = re.compile(rf"(?i:{alternation(data['self_report_verbs'])})(?![\w'’])")
    return stop, report, self_report


def supervisee(doc: Doc) -> str | None:
    """The person the document names most often (at least three times), by initials or by a
    first name the identifier check found (``Doc._.identifiers``; titled names such as
    "Mrs K" are service users far more often than supervisees): in a third-person note, the
    supervisee. Cached on the Doc."""
    if SUPERVISEE_KEY in doc.user_data:
        return doc.user_data[SUPERVISEE_KEY]
    stop = _patterns()[0]
    counts = Counter(m for m in INITIALS_RE.findall(text_of(doc)) if m not in stop)
    found = doc._.identifiers if Doc.has_extension("identifiers") else None
    counts.update(i["text"] for i in found or []
                  if i["type"] == "NAME" and FIRST_NAME_RE.fullmatch(i["text"]))
    best = counts.most_common(1)
    who = best[0][0] if best and best[0][1] >= MIN_MENTIONS else None
    doc.user_data[SUPERVISEE_KEY] = who
    return who


@lru_cache(maxsize=256)
def _name_patterns(who: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any mention, possessive) of the supervisee's name, compiled once per name."""
    name = re.escape(who)
    return (re.compile(rf"(?<![\w'’]){name}(?![\w&])"),
            re.compile(rf"(?<![\w'’]){name}['’]s\b"))


def person_features(text: str, who: str | None) -> dict[str, float]:
    """Features of one sentence (bullet already stripped) given the supervisee's initials."""
    text = plain_quotes(text)
    _, report, self_report = _patterns()
    feats: dict[str, float] = {}
    m = report.match(text)
    mention_rx = _name_patterns(who)[0] if who else None
    if who and mention_rx:
        feats["p_sv_mention"] = float(mention_rx.search(text) is not None)
        feats["p_sv_possessive"] = float(_name_patterns(who)[1].search(text) is not None)
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
        named = mention_rx is not None and mention_rx.search(about) is not None
        feats["p_other_report_about_sv"] = float(named or pronoun)
    return feats
