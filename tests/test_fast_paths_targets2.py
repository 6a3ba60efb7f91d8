"""Second round of targets.py fast paths against the code they replace.

Each REFERENCE below is the code as it was before: the SMART rules reading each criterion's
probability as a NumPy scalar and building the time words for every criterion, the
annotation appending to ``doc._.targets`` target by target, the walk slicing and stripping
the rest of a line (and what came before) to tell a sentence alone on its line, the inline
label regex tried on text with no colon, and the extraction testing the feedback overlap
before the target tests.  They run on every corpus text and on generated texts.
"""

from __future__ import annotations

import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import SMART_CRITERIA
from reflectassist import targets as T
from reflectassist.features import text_rows
from reflectassist.lexicon import plain_quotes
from reflectassist.segmenter import text_of
from reflectassist.spans import Spans
from test_fast_paths_targets import pipeline

# --------------------------------------------------------------------------- references


def ref_apply_rules(criterion: str, p: float, ev: dict[str, list[str]]) -> tuple[float, str]:
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


def ref_score_target_texts(models: dict, texts: list[str]) -> list[dict]:
    if not texts:
        return []
    X = text_rows(texts)
    probs = {c: models[c].predict_proba(X)[:, 1] for c in SMART_CRITERIA}
    out = []
    for k, t in enumerate(texts):
        ev = T.rule_evidence(t)
        smart = {}
        for c in SMART_CRITERIA:
            p, reason = ref_apply_rules(c, float(probs[c][k]), ev)
            smart[c] = {"met": bool(p >= 0.5), "score": round(p, 4), "reason": reason}
        out.append(smart)
    return out


def ref_annotate(models: dict, docs: list) -> list[list[dict]]:
    """The targets the old ``TargetScorer.annotate`` set on each Doc."""
    spans = [ref_extract_targets(d) for d in docs]
    scored = iter(ref_score_target_texts(
        models, [text_of(d)[s:e] for d, sp in zip(docs, spans, strict=True) for s, e in sp]))
    out = []
    for doc, sp in zip(docs, spans, strict=True):
        targets = []
        for s, e in sp:
            smart = next(scored)
            targets.append({"start": s, "end": e, "text": text_of(doc)[s:e], "smart": smart,
                            "verdict": T.verdict(smart)})
        out.append(targets)
    return out


def ref_line_units(text, ps, pe, line, section, k, part, marked) -> list[tuple]:
    ls, le = line
    starts = T._sentence_starts(part)
    if not starts:
        before = text[ls:ps].strip()
        own_line = not text[pe:le].strip() and (
            not before or before.endswith(":") or T.MARKER_RE.match(before + " ") is not None)
        return [(ps, ps + len(part.rstrip()), section, own_line, False, k, marked or None)]
    cuts = [ps, *(ps + c for c in starts), pe]
    return [(a, a + len(text[a:b].rstrip()), section, False, False, k, None)
            for a, b in zip(cuts, cuts[1:], strict=False)]


def ref_label(body: str) -> tuple[int, str | None]:
    if ":" not in body and "-" not in body and "–" not in body:
        return 0, None
    m = T.LABEL_RE.match(body)
    if m:
        return m.end(), "goal"
    m = T.INLINE_LABEL_RE.match(body)
    if m and len(m.group("label").split()) <= 8:
        key = T._label_key(m.group("label"))
        if key.startswith(T._label_starts(True)) and not T._find_phrase("review_headings", key):
            return m.end(), "section"
    return 0, None


def ref_extract_targets(doc) -> list[tuple[int, int]]:
    text = plain_quotes(text_of(doc))
    has_section = any(r[2] == "targets" for r in doc._.sentences or [])
    feedback = Spans((f["start"], f["end"]) for f in doc._.feedback or [])
    spans: list[tuple[int, int]] = []
    for s, e, section, own_line, table_row, k, body in T._units(doc, text):
        raw = text[s:e]
        if body is None:
            body = T.strip_marker(raw)
        b0 = s + raw.find(body)
        cut, label = ref_label(body)
        if label == "goal" or (label == "section" and section != "feedback"):
            section = "targets"
        body, b0 = body[cut:], b0 + cut
        if section != "targets" and feedback and T._in_feedback(feedback, s, e) \
                and not T._intends(body):
            continue
        intended = not has_section and T._is_intended(doc, k, raw, s, e, section)
        if not (intended or (T._is_target(raw, body, section, own_line) if not cut
                             else T.is_target_sentence(body, section, own_line))):
            continue
        if table_row:
            spans.append((b0, b0 + len(body)))
            continue
        spans.extend((b0 + a, b0 + b) for a, b in T._pieces(body)
                     if not T.is_excluded(body[a:b]))
    return spans


# --------------------------------------------------------------------------- checks

LATER = ["reflectassist_targets", "reflectassist_suggestions", "reflectassist_result"]


def line_parts(text: str):
    """Every (ps, pe, bounds, part, marked) the walk hands to ``_line_units`` for the lines of
    ``text``, and each start of a sentence inside a line as a part of its own."""
    for line in T.LINE_RE.finditer(text):
        ls, le = line.span()
        cuts = sorted({ls, *(ls + c for c in T._sentence_starts(text[ls:le]))})
        for a in cuts:
            for pe in (le, a + len(text[a:le].rstrip()), (a + le) // 2):
                part = text[a:pe].lstrip()
                ps = a + (pe - a) - len(part)
                if part and ps < pe:
                    yield ps, pe, (ls, le), part, T.strip_marker(part)


def check_text_walk(text: str) -> None:
    for ps, pe, bounds, part, marked in line_parts(text):
        new = [tuple(u) for u in T._line_units(text, ps, pe, bounds, "other", 3, part, marked)]
        assert new == ref_line_units(text, ps, pe, bounds, "other", 3, part, marked), \
            (text, ps, pe)
        assert all(type(u) is T.Unit for u in
                   T._line_units(text, ps, pe, bounds, "other", 3, part, marked))
    for line in text.splitlines():
        body = T.strip_marker(line)
        assert T._label(body) == ref_label(body), body


def check_docs(texts) -> None:
    nlp = pipeline()
    models = nlp.get_pipe("reflectassist_targets").models
    docs = list(nlp.pipe(texts, disable=[n for n in LATER if n in nlp.pipe_names]))
    for doc in docs:
        assert T.extract_targets(doc) == ref_extract_targets(doc), text_of(doc)
    expected = ref_annotate(models, docs)
    nlp.get_pipe("reflectassist_targets").annotate(docs)
    for doc, want in zip(docs, expected, strict=True):
        assert doc._.targets == want, text_of(doc)


def test_no_space_search_is_strip():
    """``_NON_SPACE_RE`` finds nothing exactly where ``str.strip`` leaves nothing."""
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        assert (T._NON_SPACE_RE.search(c) is None) == (not c.strip()), hex(code)
        assert (T._NON_SPACE_RE.search("x" + c + "x", 1, 2) is None) == (not c.strip())


def test_walk_of_the_corpus():
    for text in corpus_texts():
        check_text_walk(plain_quotes(text))


def test_documents_of_the_corpus():
    texts = corpus_texts()
    for i in range(0, len(texts), 64):  # annotate a batch at a time, as the pipeline does
        check_docs(texts[i:i + 64])


def test_scores_of_made_up_targets():
    models = pipeline().get_pipe("reflectassist_targets").models
    texts = ["- JB to book the review by Friday", "Read the policy.", "I will try harder",
             "Complete all training ASAP", "Attend 3 sessions a week for 6 weeks",
             "always be on time", "Review in 4 wks", "", "   ", "Next time I will ask"]
    assert T.score_target_texts(models, texts) == ref_score_target_texts(models, texts)
    assert T.score_target_texts(models, []) == []
    for c in (*SMART_CRITERIA, "other"):
        for p in (0.0, 0.2, 0.5, 0.7, 1.0):
            for ev in ({}, {"date": ["3 May"]}, {"review_phrase": ["at review"]},
                       {"vague_time": ["soon"], "frequency": ["weekly"]},
                       {"vague_verb": ["improve"], "absolute": ["always"]}):
                assert T.apply_rules(c, p, ev) == ref_apply_rules(c, p, ev), (c, p, ev)


WORDS = ("I", "will", "JB", "to", "book", "the", "review", "Actions", "Actions:", "Goal 1:",
         "Next time:", "Feedback:", "-", "*", "1.", "a)", "|", ":", ".", "Friday", "she",
         "'ll", "é", "by", "done", "4 wks")
GAPS = (" ", "  ", "\n", "\n\n", "\t", ". ", ", ", ": ", " - ", "\u00a0", "\x1c", "\u2028",
        "")


def generated(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


@settings(max_examples=300, deadline=None)
@example("Actions: I will book it.  \u00a0\nSam to read")
@example("- JB to book the review. She will call\x1c\nGoal 1: read it")
@given(generated())
def test_walk_generated(text):
    check_text_walk(text)


@settings(max_examples=60, deadline=None)
@example("Actions:\n- JB to book the review by Friday\n- I will read the policy")
@example("Feedback: she will present well.\nGoal 1: - to read the policy")
@given(st.lists(generated(12), min_size=1, max_size=6).map("\n".join))
def test_documents_generated(text):
    check_docs([text])
