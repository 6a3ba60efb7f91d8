"""Suggestions anchored to the sentences they are about; texts come from data/suggestions.json."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from . import ELEMENTS, GIBBS, GIBBS_STAGES, SMART_CRITERIA
from .feedback import opens_sentence
from .lexicon import load_data
from .markers import count_markers, markers_in
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


def stages_present(doc: Doc, min_prob: float = 0.3) -> dict[str, list[int]]:
    """Sentence indices that evidence each Gibbs stage.

    A stage counts as present when a sentence's element maps to it, when a mapped element
    has probability >= ``min_prob``, or when the sentence carries the stage's cue words:
    advice to add a stage the writer has already written is worse than no advice. Buzz
    sentences count too (LABELS.md reports Gibbs from the elements; "I will improve my
    communication" is a thin action plan, not a missing one); headings do not. A sentence
    holding a target found by the SMART step is an action plan ("1. JB to book the course
    by Friday" under "Agreed actions" reads as no element of the nine)."""
    rows, elems = doc._.sentences or [], doc._.elements or []
    row_starts = [r[0] for r in rows]
    planned = {bisect_right(row_starts, t["start"]) - 1 for t in doc._.targets or []}
    # the cue markers only, and their starts: each sentence finds its own by bisection (as
    # markers.count_markers does, without counting every category of every sentence)
    cues = [m for m in doc._.markers or [] if m[2] in CUE_STAGES]
    cue_starts = [m[0] for m in cues]
    present: dict[str, list[int]] = {}
    for i, e in enumerate(elems):
        if rows[i][3]:
            continue
        stages = {GIBBS.get(e[0])}
        probs = e[1]
        stages.update(stage for j, stage in ELEMENT_STAGES if probs[j] >= min_prob)
        start, end = rows[i][0], rows[i][1]
        for k in range(bisect_left(cue_starts, start), len(cues)):
            m_start, m_end, category = cues[k]
            if m_start >= end:
                break
            if m_end <= end:  # a marker fully inside the sentence
                stages.update(CUE_STAGES[category])
        if i in planned:
            stages.add("action plan")
        stages.discard(None)
        for st in sorted(stages, key=GIBBS_STAGES.index):
            present.setdefault(st, []).append(i)
    return present


def depth_suggestions(doc: Doc) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    rows, elems, depth = doc._.sentences or [], doc._.elements or [], doc._.depth
    if not rows or not depth:
        return out
    level = depth["level"]
    # anchor the "next level" advice to the sentence that most needs it
    want = {0: "experience", 1: "feeling", 2: "reflection", 3: "reflection"}[level]
    j = ELEMENTS.index(want)
    best = max(range(len(elems)), key=lambda i: elems[i][1][j]) if elems else 0
    t = texts["depth_next"][str(level)]
    if doc._.kind in REFLECTIVE_KINDS or level == 3:
        out.append(_s("depth", t["message"], rows[best][0], rows[best][1], t["severity"],
                      t["prompt"], stage=None))
    # targets and feedback comments get their own advice (SMART, specificity)
    own = Spans((t["start"], t["end"]) for t in (doc._.targets or []) + (doc._.feedback or []))
    for i, e in enumerate(elems):
        start, end = rows[i][0], rows[i][1]
        if e[2] and not rows[i][3] and not any(
                s < end and start < e_ for s, e_ in own.touching(start, end)):
            b = texts["buzz"]
            out.append(_s("depth", b["message"], rows[i][0], rows[i][1], b["severity"],
                          b["prompt"]))
    if doc._.kind in REFLECTIVE_KINDS:
        present = doc._.gibbs_present or {}
        for k, stage in enumerate(GIBBS_STAGES):
            if stage in present:
                continue
            earlier = [i for st in GIBBS_STAGES[:k] for i in present.get(st, [])]
            anchor = max(earlier) if earlier else 0
            g = texts["gibbs_missing"][stage]
            out.append(_s("elements", g["message"], rows[anchor][0], rows[anchor][1], "advice",
                          g["prompt"], stage=stage))
    return out


def _criticises(doc: Doc, start: int, end: int) -> bool:
    """Criticism or advice in words; a one-word suggestion verb only where it opens a
    sentence ("you kept it brief" is no advice, "Keep a diary" is), as for next-step
    evidence, and never inside a phrase of praise ("Keep it up!", "Keep up the good work")."""
    text = text_of(doc)
    praise = markers_in(doc, start, end, set(PRAISE_CUES))
    return any((m[2] != "suggestion" or " " in text[m[0]:m[1]] or opens_sentence(text, start, m[0]))
               and not any(p[0] <= m[0] and m[1] <= p[1] for p in praise)
               for m in markers_in(doc, start, end, set(CRITIQUE_CUES)))


def feedback_suggestions(doc: Doc) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    comments = doc._.feedback or []
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
        counts = count_markers(doc, c["start"], c["end"])
        praises = any(counts.get(cat) for cat in PRAISE_CUES)
        criticises = _criticises(doc, c["start"], c["end"])
        praise += praises and not criticises
        critique += criticises and not praises
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


def smart_suggestions(doc: Doc) -> list[dict]:
    texts = load_data("suggestions")
    out: list[dict] = []
    targets = doc._.targets or []
    for t in targets:
        for c in SMART_CRITERIA:
            if not t["smart"][c]["met"]:
                m = texts["smart_missing"][c]
                out.append(_s("smart", m["message"], t["start"], t["end"], "advice", m["prompt"],
                              criterion=c))
    rows = doc._.sentences or []
    if not targets and rows and doc._.kind in (REFLECTIVE_KINDS | {"supervision_note"}):
        n = texts["no_targets"]
        out.append(_s("smart", n["message"], rows[-1][0], rows[-1][1], n["severity"], n["prompt"]))
    return out


class Suggester:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        # stage -> indices of the sentences evidencing it; computed once, reused by the output
        doc._.gibbs_present = stages_present(doc) if doc._.elements is not None else {}
        doc._.suggestions = depth_suggestions(doc) + feedback_suggestions(doc) + \
            smart_suggestions(doc)
        return doc


@Language.factory("reflectassist_suggestions")
def make_suggestions(nlp: Language, name: str) -> Suggester:
    return Suggester(nlp, name)
