"""Targets, goals and agreed actions in a document, each judged on the five SMART criteria.

Extraction is rule-based (sections, list items, "X to do Y by Z", first-person intentions),
then several targets on one line are separated.  Each criterion has a scikit-learn model;
where a rule is exact (an explicit date or review point, "ASAP") it decides, and the reason
shown to the user says which words decided.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from . import SMART_CRITERIA
from .component import TrainedComponent
from .features import strip_bullet, text_rows
from .lexicon import load_lexicon
from .markers import find_markers, markers_in
from .segmenter import BULLET_RE, text_of

if not Doc.has_extension("targets"):
    Doc.set_extension("targets", default=None)

INTENTION_RE = re.compile(
    r"\b(?:i|we)\s*(?:also\s+|then\s+|now\s+|really\s+|first\s+)?"
    r"(?:will|'ll|’ll|shall|want to|plan to|intend to|aim to|am going to|'m going to|"
    r"’m going to|would like to|am planning to)\b", re.IGNORECASE)
NOT_SUBJECTS = {"needs", "need", "try", "aim", "want", "going", "plan", "remember", "nice",
                "good", "have", "has", "had", "used", "able", "due", "how", "what", "where",
                "when", "who", "why", "this", "that", "it", "there", "hard", "important",
                "difficult", "easy", "great", "started", "began", "wanted", "decided", "asked",
                "agreed", "continues", "continue", "failed", "tried", "forgot", "refused"}
NOTE_STYLE_RE = re.compile(
    r"^(?:[A-Z][\w.'’-]*|the\s+\w+|my\s+\w+|all\s+staff|team|sup|supervisor|manager)"
    r"(?:\s+(?:and|&)\s+[A-Z][\w.'’-]*)?\s+(?:to|will|agreed to|needs to|should)\s+[a-z]",
    re.IGNORECASE)
GOAL_PREFIX_RE = re.compile(r"^(?:goal|target|objective|action|aim|outcome)\s*\d*\s*[:.-]",
                            re.IGNORECASE)
INFINITIVE_RE = re.compile(r"^to\s+[a-z]", re.IGNORECASE)
FUTURE_CUE_RE = re.compile(r"^(?:next time|in future|in the future|going forward|from now on|"
                           r"moving forward)\b", re.IGNORECASE)
DONE_RE = re.compile(r"\((?:done|completed|achieved|met|closed)\)|"
                     r"[-–:]\s*(?:done|completed|achieved|passed|met|in progress|ongoing)\b|"
                     r"^(?:next|date of next)\s+(?:supervision|session|meeting|review)\b",
                     re.IGNORECASE)
PAST_NARRATIVE_RE = re.compile(r"\bi\s+will\s+never\s+forget\b|\bi\s+would\s+have\b|\bi\s+would\s+"
                               r"(?:say|describe|argue)\b", re.IGNORECASE)


FOLLOW_ON_VERBS = {"bring", "send", "share", "record", "document", "upload", "email", "show",
                   "submit", "log", "note", "file", "feed", "report", "get", "have"}
SPLIT_SUBJECT = r"(?:(?i:(?:i|we)\s+(?:also\s+)?(?:will|'ll|shall|want to|plan to|intend to|" \
    r"would like to|am going to)\s+)|[A-Z]{1,3}\s+(?:to|will)\s+|(?i:to)\s+)?"


def _split_points(text: str) -> list[int]:
    """Offsets where a second target starts inside one line or sentence."""
    verbs = load_lexicon()["phrases"]["imperative_start"]
    verb_alt = "|".join(sorted(map(re.escape, verbs), key=len, reverse=True))
    rx = re.compile(
        rf"(?:;\s*|,?\s+(?:and|&)\s+(?=(?:also\s+)?{SPLIT_SUBJECT}(?i:{verb_alt})\b)|"
        rf"\.\s+(?=[A-Z]))")
    points = []
    for m in rx.finditer(text):
        head = text[:m.start()].strip()
        tail = text[m.end():].split()
        if len(head.split()) < 3 or len(tail) < 2:
            continue
        # "... and bring it to supervision": handing over the first action's output is part
        # of that target, not a second one
        words = [w.lower().strip(".,;") for w in tail[:5]]
        if words[0] in FOLLOW_ON_VERBS or any(w in ("it", "them", "this", "these", "results")
                                              for w in words[1:4]):
            continue
        points.append(m.end())
    return points


def is_target_sentence(text: str, section: str, own_line: bool = True) -> bool:
    """Is this sentence (or list item) a target?  In a targets section every list item or
    line is; elsewhere (and for running prose inside a section) it must read as one."""
    body = strip_bullet(text)
    if not body or body.endswith(":") and len(body.split()) <= 6:
        return False
    if PAST_NARRATIVE_RE.search(body) or DONE_RE.search(body):
        return False
    first = body.split()[0].lower().strip(",:;") if body.split() else ""
    if section == "targets" and (own_line or BULLET_RE.match(text) or
                                 first in load_lexicon()["phrases"]["imperative_start"]):
        return len(body.split()) >= 2
    unquoted = re.sub(r"[\"“][^\"”]*[\"”]", " ", body)
    note_style = NOTE_STYLE_RE.match(body) is not None and \
        body.split()[0].lower() not in NOT_SUBJECTS
    return bool(INTENTION_RE.search(unquoted) or note_style
                or GOAL_PREFIX_RE.match(body) or FUTURE_CUE_RE.match(body)
                or (INFINITIVE_RE.match(body) and text.lstrip()[:1] in "-*•·0123456789"))


def extract_targets(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of every target in ``doc`` (whole targets, split when several)."""
    spans: list[tuple[int, int]] = []
    rows = doc._.sentences or []
    # without an actions section, bulleted intentions are the note's targets
    elements = [] if any(r[2] == "targets" for r in rows) else (doc._.elements or [])
    for k, (s, e, section, head) in enumerate(doc._.sentences or []):
        if head:
            continue
        raw = text_of(doc)[s:e]
        line_start = text_of(doc).rfind("\n", 0, s) + 1
        line_end = text_of(doc).find("\n", e)
        line = text_of(doc)[line_start:len(text_of(doc)) if line_end < 0 else line_end].strip()
        own_line = line == raw.strip()
        # a list item or line the element model reads as an intention is a target even
        # outside an "Actions" section ("- review in 4 wks")
        intended = (k < len(elements) and elements[k][0] == "intention" and section == "other"
                    and BULLET_RE.match(raw) is not None
                    and not DONE_RE.search(raw)
                    and not markers_in(doc, s, e, {"generic_praise", "generic_critique"}))
        if not (intended or is_target_sentence(raw, section, own_line=own_line)):
            continue
        body = strip_bullet(raw)
        b0 = s + raw.find(body)
        cuts = [0, *_split_points(body), len(body)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = body[a:b]
            lead = len(piece) - len(piece.lstrip(" ;,"))
            piece_s = b0 + a + lead
            piece_e = b0 + a + len(piece.rstrip(" ;,"))
            if piece_e - piece_s >= 3:
                spans.append((piece_s, piece_e))
    return spans


def rule_evidence(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for s, e, cat in find_markers(text):
        found.setdefault(cat, []).append(text[s:e])
    return found


def apply_rules(criterion: str, p: float, ev: dict[str, list[str]]) -> tuple[float, str]:
    """Exact rules override the model; returns (probability, reason)."""
    time_words = ev.get("date", []) + ev.get("duration", []) + ev.get("weekday_deadline", [])
    review = ev.get("review_point", []) + ev.get("review_phrase", [])
    if criterion == "time_bound":
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


def score_target_texts(models: dict, texts: list[str]) -> list[dict]:
    """Per-criterion ``{"met", "score", "reason"}`` for target strings."""
    if not texts:
        return []
    X = text_rows(texts)
    probs = {c: models[c].predict_proba(X)[:, 1] for c in SMART_CRITERIA}
    out = []
    for k, t in enumerate(texts):
        ev = rule_evidence(t)
        smart = {}
        for c in SMART_CRITERIA:
            p, reason = apply_rules(c, float(probs[c][k]), ev)
            smart[c] = {"met": bool(p >= 0.5), "score": round(p, 4), "reason": reason}
        out.append(smart)
    return out


class TargetScorer(TrainedComponent):
    model_names = SMART_CRITERIA

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        spans = [extract_targets(d) for d in docs]
        scored = iter(score_target_texts(
            self.models, [text_of(d)[s:e] for d, sp in zip(docs, spans, strict=True)
                          for s, e in sp]))
        for doc, sp in zip(docs, spans, strict=True):
            doc._.targets = []
            for s, e in sp:
                smart = next(scored)
                doc._.targets.append({"start": s, "end": e, "text": text_of(doc)[s:e],
                                      "smart": smart, "verdict": verdict(smart)})


@Language.factory("reflectassist_targets")
def make_targets(nlp: Language, name: str) -> TargetScorer:
    return TargetScorer(name)


__all__ = ["TargetScorer", "extract_targets", "score_target_texts"]
