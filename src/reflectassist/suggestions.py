"""Suggestions anchored to the sentences they are about; texts come from data/suggestions.json."""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from . import ELEMENTS, GIBBS, GIBBS_STAGES, SMART_CRITERIA
from .features import sentence_counts, sentence_features
from .feedback import opens_sentence
from .lexicon import load_data
from .markers import markers_within
from .segmenter import text_of
from .spans import Spans

if not Doc.has_extension("suggestions"):
    Doc.set_extension("suggestions", default=None)
if not Doc.has_extension("gibbs_present"):
    Doc.set_extension("gibbs_present", default=None)

REFLECTIVE_KINDS = {"reflective_entry", "portfolio_entry"}


def _s(dimension: str, message: str, start: int, end: int, severity: str, prompt: str = "",
       **extra) -> dict:
    return {"dimension": dimension, "message": message, "start": start, "end": end,
            "severity": severity, "prompt": prompt, **extra}


#: marker categories that make a feedback comment praise, or criticism and advice
PRAISE_CUES = ("generic_praise", "positive_eval")
CRITIQUE_CUES = ("generic_critique", "suggestion", "difficulty_cue")
EVIDENCE_CUES = {"evaluation": ("positive_eval", "difficulty_cue", "belief_cue"),
                 "feelings": ("emotion",), "conclusion": ("learning",),
                 "action plan": ("intention",)}
#: marker category -> the stages it is evidence of (EVIDENCE_CUES turned round)
CUE_STAGES = {cue: tuple(st for st, cues in EVIDENCE_CUES.items() if cue in cues)
              for cues in EVIDENCE_CUES.values() for cue in cues}
#: (index in ELEMENTS, Gibbs stage) of the elements that map to a stage
ELEMENT_STAGES = tuple((j, GIBBS[el]) for j, el in enumerate(ELEMENTS) if GIBBS.get(el))


def stages_present(rows: list[list], elems: list[list], targets: list[dict],
                   markers: list[list], min_prob: float = 0.3,
                   counts: list[dict[str, int]] | None = None) -> dict[str, list[int]]:
    """Sentence indices that evidence each Gibbs stage, from the Doc's sentences, elements,
    targets and markers.

    A stage counts as present when a sentence's element maps to it, when a mapped element
    has probability >= ``min_prob``, or when the sentence carries the stage's cue words:
    advice to add a stage the writer has already written is worse than no advice. Buzz
    sentences count too (LABELS.md reports Gibbs from the elements; "I will improve my
    communication" is a thin action plan, not a missing one); headings do not. A sentence
    holding a target found by the SMART step is an action plan ("1. JB to book the course
    by Friday" under "Agreed actions" reads as no element of the nine).

    ``counts``: each sentence's marker counts (``features.sentence_counts(markers, rows)``),
    if known: the Doc's :class:`~reflectassist.features.SentenceFeatures` hold them, so the
    markers fully inside each sentence are not looked for a second time."""
    row_starts = [r[0] for r in rows] if targets else []
    planned = {bisect_right(row_starts, t["start"]) - 1 for t in targets}
    if counts is None:
        counts = sentence_counts(markers, rows)
    present: dict[str, list[int]] = {}
    for i, e in enumerate(elems):
        row = rows[i]
        if row[3]:
            continue
        stages = {GIBBS.get(e[0])}
        probs = e[1]
        for j, stage in ELEMENT_STAGES:  # a plain loop: cheaper than a generator here
            if probs[j] >= min_prob:
                stages.add(stage)
        for category in counts[i]:  # of the markers fully inside the sentence
            if category in CUE_STAGES:
                stages.update(CUE_STAGES[category])
        if i in planned:
            stages.add("action plan")
        # in stage order (every stage is one of GIBBS_STAGES; None, no stage, is left out):
        # the order sorting by GIBBS_STAGES.index gave, without the sort
        for st in GIBBS_STAGES:
            if st in stages:
                present.setdefault(st, []).append(i)
    return present


def depth_suggestions(rows: list[list], elems: list[list], depth: dict | None,
                       kind: str | None, targets: list[dict], comments: list[dict],
                       present: dict[str, list[int]]) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    if not rows or not depth:
        return out
    level = depth["level"]
    # anchor the "next level" advice to the sentence that most needs it
    want = {0: "experience", 1: "feeling", 2: "reflection", 3: "reflection"}[level]
    t = texts["depth_next"][str(level)]
    if kind in REFLECTIVE_KINDS or level == 3:
        j = ELEMENTS.index(want)
        best = max(range(len(elems)), key=lambda i: elems[i][1][j]) if elems else 0
        out.append(_s("depth", t["message"], rows[best][0], rows[best][1], t["severity"],
                      t["prompt"], stage=None))
    # targets and feedback comments get their own advice (SMART, specificity)
    own = None  # made for the first buzz sentence: most documents have none
    for i, e in enumerate(elems):
        if not e[2] or rows[i][3]:
            continue
        if own is None:
            own = Spans((t["start"], t["end"]) for t in targets + comments)
        start, end = rows[i][0], rows[i][1]
        if not any(s < end and start < e_ for s, e_ in own.touching(start, end)):
            b = texts["buzz"]
            out.append(_s("depth", b["message"], rows[i][0], rows[i][1], b["severity"],
                          b["prompt"]))
    if kind in REFLECTIVE_KINDS:
        for k, stage in enumerate(GIBBS_STAGES):
            if stage in present:
                continue
            earlier = [i for st in GIBBS_STAGES[:k] for i in present.get(st, [])]
            anchor = max(earlier) if earlier else 0
            g = texts["gibbs_missing"][stage]
            out.append(_s("elements", g["message"], rows[anchor][0], rows[anchor][1], "advice",
                          g["prompt"], stage=stage))
    return out


_PRAISE_SET, _CRITIQUE_SET = set(PRAISE_CUES), set(CRITIQUE_CUES)
_TONE_SET = _PRAISE_SET | _CRITIQUE_SET


def _criticises(text: str, inside: list[list], praise: list[list], start: int) -> bool:
    """Criticism or advice in words among the markers ``inside`` a comment starting at
    ``start`` (``praise``: those of them that praise); a one-word suggestion verb only where
    it opens a sentence ("you kept it brief" is no advice, "Keep a diary" is), as for
    next-step evidence, and never inside a phrase of praise ("Keep it up!", "Keep up the
    good work")."""
    return any((m[2] != "suggestion" or " " in text[m[0]:m[1]] or opens_sentence(text, start, m[0]))
               and not any(p[0] <= m[0] and m[1] <= p[1] for p in praise)
               for m in inside if m[2] in _CRITIQUE_SET)


def feedback_suggestions(text: str, comments: list[dict], markers: list[list]) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    praise = critique = 0
    for c in comments:
        lvl = c["specificity"]
        base = texts["feedback_level"][str(lvl)]
        if lvl < 2:
            missing = [f for f in ("instance", "impact", "next_step") if not c[f]["met"]]
            parts = [texts["feedback_missing"][f] for f in missing]
            msg = base["message"] + " " + " ".join(p["message"] for p in parts)
            prompt = parts[0]["prompt"] if parts else ""
            out.append(_s("feedback", msg.strip(), c["start"], c["end"], base["severity"], prompt,
                          missing=missing))
        # the praise and criticism markers fully inside the comment, found once for both
        inside = markers_within(markers, c["start"], c["end"], _TONE_SET)
        praising = [m for m in inside if m[2] in _PRAISE_SET]
        criticises = _criticises(text, inside, praising, c["start"])
        praise += bool(praising) and not criticises
        critique += criticises and not praising
    if len(comments) >= 3:
        # only when every comment says so in words: specific praise or criticism without
        # those words would otherwise be counted as the other kind
        key = "praise_only" if praise == len(comments) else \
            "critique_only" if critique == len(comments) else None
        if key:
            b = texts["feedback_balance"][key]
            out.append(_s("feedback", b["message"], comments[0]["start"], comments[-1]["end"],
                          b["severity"]))
    return out


_SMART_NOTE_KINDS = REFLECTIVE_KINDS | {"supervision_note"}


def smart_suggestions(targets: list[dict], rows: list[list], kind: str | None) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    for t in targets:
        for c in SMART_CRITERIA:
            if not t["smart"][c]["met"]:
                m = texts["smart_missing"][c]
                out.append(_s("smart", m["message"], t["start"], t["end"], "advice", m["prompt"],
                              criterion=c))
    if not targets and rows and kind in _SMART_NOTE_KINDS:
        n = texts["no_targets"]
        out.append(_s("smart", n["message"], rows[-1][0], rows[-1][1], n["severity"], n["prompt"]))
    return out


class Suggester:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        # every extension read once: each ``doc._`` builds an Underscore object and each
        # read goes through its __getattr__
        u = doc._
        elements = u.elements
        rows, elems = u.sentences or [], elements or []
        targets, comments, markers = u.targets or [], u.feedback or [], u.markers or []
        kind = u.kind
        # stage -> indices of the sentences evidencing it; computed once, reused by the output
        present = stages_present(rows, elems, targets, markers,
                                 counts=sentence_features(doc).counts) \
            if elements is not None else {}
        u.gibbs_present = present
        u.suggestions = \
            depth_suggestions(rows, elems, u.depth, kind, targets, comments, present) + \
            feedback_suggestions(text_of(doc), comments, markers) + \
            smart_suggestions(targets, rows, kind)
        return doc


@Language.factory("reflectassist_suggestions")
def make_suggestions(nlp: Language, name: str) -> Suggester:
    return Suggester(nlp, name)
