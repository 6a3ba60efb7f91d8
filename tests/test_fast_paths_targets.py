"""Fast paths of targets.py against the plain code they replace.

Each REFERENCE below is the code as it was before the speed-ups: ``NOTE_STYLE_RE`` with
backtracking word runs, brackets and quotes counted from the start of the text for every
match, ``THIRD_PERSON_RE`` searched case-insensitively, the document walk that re-stripped
markers, sliced every line for table cells and built each heading's key before knowing it
was needed.  They run on every corpus text and on generated texts mixing list markers,
headings, table rows, brackets, quotes, intentions and non-ASCII letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import targets as T
from reflectassist.lexicon import lexicon_set, plain_quotes
from reflectassist.markers import markers_in
from reflectassist.segmenter import heading_section, text_of
from reflectassist.spans import Spans

# --------------------------------------------------------------------------- references

REF_NOTE_STYLE_RE = re.compile(
    r"^(?P<actor>(?:(?:the|my|our|all|each)\s+)?[\w.'’-]+(?:\s+[\w.'’-]+){0,2}?)"
    r"(?:\s+(?:and|&)\s+[A-Z][\w.'’-]*)?\s+(?P<modal>to|will|agreed to|needs to|should)\s+"
    r"(?P<verb>(?-i:[a-z])[\w'’-]*)", re.IGNORECASE)


def ref_outside_brackets(text: str, matches) -> list[re.Match[str]]:
    return [m for m in matches if text.count("(", 0, m.start()) <= text.count(")", 0, m.start())
            and text.count('"', 0, m.start()) % 2 == 0]


def ref_note_style(body: str, advice: bool = True) -> bool:
    m = REF_NOTE_STYLE_RE.match(body)
    return bool(m and T._is_actor(m.group("actor")) and m.group("verb").lower() not in T.DETERMINERS
                and not T.PASSIVE_RE.match(body, m.end("actor"))
                and (advice or m.group("modal").lower() not in ("should", "needs to")))


def ref_intends(text: str) -> bool:
    return T.INTENTION_RE.search(text) is not None


def ref_third_person_intention(text: str) -> bool:
    stative = T._lex_set("stative_after_will")
    for m in T.THIRD_PERSON_RE.finditer(text):
        verb = m.group("verb").lower()
        if verb.split()[0] in stative or verb in stative:
            continue
        if not T._phrase_re("reporting_verbs").search(text[:m.start()]):
            return True
    return False


def ref_reads_as_target(text: str, body: str) -> bool:
    unquoted = T.QUOTED_RE.sub(" ", body) if '"' in body or "“" in body else body
    return bool(ref_intends(unquoted) or ref_note_style(body, advice=False)
                or ref_third_person_intention(unquoted)
                or T.GOAL_PREFIX_RE.match(body) or T.FUTURE_CUE_RE.match(body)
                or (T.INFINITIVE_RE.match(body) and text.lstrip()[:1] in "-*•·0123456789"))


def ref_is_target_sentence(text: str, section: str, own_line: bool = True) -> bool:
    body = T.strip_marker(text)
    if not body or body.endswith(":") and len(body.split()) <= 6:
        return False
    if section == "targets" and (own_line or T.MARKER_RE.match(text)
                                 or T._starts_with_action(body)):
        reads_as_one = len(body.split()) >= 2
    else:
        reads_as_one = ref_reads_as_target(text, body)
    return reads_as_one and not T.is_excluded(body) and not T._is_wish(body)


def ref_heading_section(line: str) -> str | None:
    bare = T.strip_marker(line).rstrip(":").strip()
    if bare.rstrip(".").lower() in lexicon_set("phrases", "target_heading"):
        return "targets"
    if not bare or bare.endswith((".", "!", "?", ";", ",")) or len(bare.split(None, 8)) > 8:
        return None
    if T._starts_with_action(bare) or ref_note_style(bare) or ref_intends(bare) or \
            T.THIRD_PERSON_RE.search(bare):
        return None
    if T.MARKER_RE.match(line):
        return "other" if T._is_numbered_title(line, bare) else None
    section = heading_section(bare, title=True)
    if section == "targets" and T._find_phrase("review_headings", bare):
        return "other"
    return section if section in ("targets", "feedback") else None


def ref_section_after(heading: str, section: str, current: str) -> str:
    key = T._label_key(heading)
    if section == "targets" and T._find_phrase("review_headings", key):
        return "other"
    if section == "other" and key.startswith(T._label_starts(False)):
        return "targets"
    if section == "other" and current == "targets" and T.LABEL_RE.match(heading + " "):
        return current
    return section


def ref_sentence_starts(text: str) -> list[int]:
    inner = text.rstrip()[:-1]
    if "." not in inner and "!" not in inner and "?" not in inner:
        return []
    abbrevs = lexicon_set("abbreviations")
    heads = ((m.end(), text[:m.start() + 1])
             for m in ref_outside_brackets(text, T.SENTENCE_GAP_RE.finditer(text)))
    return [end for end, head in heads if len(T.strip_marker(head).split()) >= 3
            and head.split()[-1].lower().rstrip(".") not in abbrevs]


def ref_line_units(text, ps, pe, line, section, k) -> list[tuple]:
    ls, le = line
    part = text[ps:pe]
    starts = ref_sentence_starts(part)
    if not starts:
        before = text[ls:ps].strip()
        own_line = text[ps:le].strip() == part.strip() and (
            not before or before.endswith(":") or T.MARKER_RE.match(before + " ") is not None)
        return [(ps, ps + len(part.rstrip()), section, own_line, False, k)]
    cuts = [ps, *(ps + c for c in starts), pe]
    return [(a, a + len(text[a:b].rstrip()), section, False, False, k)
            for a, b in zip(cuts, cuts[1:], strict=False)]


def ref_units(doc) -> Iterator[tuple]:
    text = plain_quotes(text_of(doc))
    section, column, seen = "other", None, set()
    revert = None
    for k, (s, e, sec, head) in enumerate(doc._.sentences or []):
        if revert and s > revert[0]:
            section, revert = revert[1], None
        if text.find("\n", s, e) < 0:
            parts = [(s, e)] if s < e else []
        else:
            parts = [m.span() for m in T.LINE_RE.finditer(text, s, e)]
        if head and len(parts) == 1:
            ls, le = T._line_bounds(text, s)
            body = T.strip_marker(text[s:e])
            if not T._cells(text[ls:le]) and T._is_heading_row(body, sec, section):
                if text[e:le].strip() and revert is None:
                    revert = (le, section)
                section, column = ref_section_after(body, sec, section), None
                continue
        for ps, pe in parts:
            line = text[ps:pe]
            ps += len(line) - len(line.lstrip())
            ls, le = bounds = T._line_bounds(text, ps)
            cells = T._cells(text[ls:le])
            if cells:
                if ls not in seen:
                    seen.add(ls)
                    header = T._action_column(cells)
                    if header is not None:
                        column = header
                    elif T._is_header_row(cells):
                        column = None
                    else:
                        span = T._row_span(text, ls, le, column or 0)
                        if span:
                            yield (*span, "targets" if column is not None else section,
                                   True, True, k)
                continue
            column = None
            heading = ref_heading_section(text[ps:pe])
            if heading is not None:
                section = heading
                continue
            yield from ref_line_units(text, ps, pe, bounds, section, k)


def ref_is_intended(doc, k: int, s: int, e: int, section: str) -> bool:
    text = text_of(doc)
    raw = plain_quotes(text[s:e])
    if section != "other" or T.MARKER_RE.match(raw) is None:
        return False
    elements = doc._.elements or []
    row_s, row_e = doc._.sentences[k][0], doc._.sentences[k][1]
    body = T.strip_marker(raw)
    return (k < len(elements) and elements[k][0] == "intention" and "\n" not in text[row_s:row_e]
            and T._starts_with_action(body) and not T.is_excluded(body) and not T._is_wish(body)
            and not markers_in(doc, s, e, {"generic_praise", "generic_critique"}))


def ref_in_feedback(feedback: Spans, s: int, e: int) -> bool:
    return any(min(e, fe) - max(s, fs) >= 0.5 * (e - s) for fs, fe in feedback.touching(s, e))


def ref_extract_targets(doc) -> list[tuple[int, int]]:
    text = plain_quotes(text_of(doc))
    has_section = any(r[2] == "targets" for r in doc._.sentences or [])
    feedback = Spans((f["start"], f["end"]) for f in doc._.feedback or [])
    spans: list[tuple[int, int]] = []
    for s, e, section, own_line, table_row, k in ref_units(doc):
        raw = text[s:e]
        body = T.strip_marker(raw)
        b0 = s + raw.find(body)
        cut, label = T._label(body)
        if label == "goal" or (label == "section" and section != "feedback"):
            section = "targets"
        body, b0 = body[cut:], b0 + cut
        if section != "targets" and feedback and ref_in_feedback(feedback, s, e) \
                and not ref_intends(body):
            continue
        intended = not has_section and ref_is_intended(doc, k, s, e, section)
        if not (intended or ref_is_target_sentence(body if cut else raw, section, own_line)):
            continue
        if table_row:
            spans.append((b0, b0 + len(body)))
            continue
        spans.extend((b0 + a, b0 + b) for a, b in T._pieces(body)
                     if not T.is_excluded(body[a:b]))
    return spans


# --------------------------------------------------------------------------- inputs

@cache
def corpus_lines() -> tuple[str, ...]:
    return tuple(sorted({line.strip() for t in corpus_texts() for line in t.splitlines()}))


WORDS = ("I", "i", "we", "We", "will", "'ll", "’ll", "shall", "am", "'m", "going", "to", "plan",
         "she", "She", "he", "He", "'s", "’s", "is", "are", "also", "then", "JB", "TL", "Sam",
         "the", "deputy", "manager", "and", "&", "should", "needs", "agreed", "book", "review",
         "read", "complete", "remember", "said", "be", "booked", "done", "next", "supervision",
         "Actions", "Actions:", "Targets", "Goal 1:", "Feedback:", "Next time", "in future",
         "-", "*", "•", "1.", "2)", "a)", "(b)", "|", "||", "(", ")", '"', "“", "”", ".", ",",
         ";", ":", "–", "é", "İ", "ſhe", "K", "by", "Friday", "3", "weeks")
GAPS = (" ", " ", " ", "  ", "\n", "\n", "\t", ". ", ", ", "; ", " - ", "\u00a0", "")


def generated(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


def check_line(text: str) -> None:
    m1, m2 = T.NOTE_STYLE_RE.match(text), REF_NOTE_STYLE_RE.match(text)
    assert (m1 and (m1.span(), m1.groupdict())) == (m2 and (m2.span(), m2.groupdict())), text
    assert T._note_style(text) == ref_note_style(text), text
    for rx in (T.CANDIDATE_RE, T.SENTENCE_GAP_RE):
        assert [m.span() for m in T._outside_brackets(text, rx.finditer(text))] == \
            [m.span() for m in ref_outside_brackets(text, rx.finditer(text))], text
    assert T._third_person_intention(text) == ref_third_person_intention(text), text
    body = T.strip_marker(text)
    assert T._reads_as_target(text, body) == ref_reads_as_target(text, body), text
    for section in ("other", "targets", "feedback"):
        for own in (True, False):
            assert T.is_target_sentence(text, section, own) == \
                ref_is_target_sentence(text, section, own), (text, section, own)
    assert T._heading_section(text) == ref_heading_section(text), text
    marked = T.strip_marker(text)
    assert T._heading_section(text, marked) == ref_heading_section(text), text
    for section in ("other", "targets", "feedback"):
        for current in ("other", "targets", "feedback"):
            assert T._section_after(text, section, current) == \
                ref_section_after(text, section, current), (text, section, current)


def test_lines_of_the_corpus():
    for line in corpus_lines():
        check_line(line)


@settings(max_examples=500, deadline=None)
@example("JB and Sam to book the review")
@example("Her son said he will   come")
@example('She said "(he will call" and then (he will) book it')
@example("ſhe will read")
@example("The will read it")
@example("the ache's going to go, and she'll sort it")
@example("- ")
@given(generated())
def test_lines_generated(text):
    check_line(text)
    check_line(text.lower())


# --------------------------------------------------------------------------- whole documents

@cache
def pipeline():
    from reflectassist.pipeline import load_pipeline

    return load_pipeline()


LATER = ["reflectassist_targets", "reflectassist_suggestions", "reflectassist_result"]


def check_docs(texts) -> None:
    nlp = pipeline()
    for doc in nlp.pipe(texts, disable=[n for n in LATER if n in nlp.pipe_names]):
        assert [tuple(u[:6]) for u in T._units(doc)] == list(ref_units(doc)), text_of(doc)
        text = plain_quotes(text_of(doc))
        for u in T._units(doc):  # a body the walk hands over is the one it stands for
            assert u.body is None or u.body == T.strip_marker(text[u.start:u.end])
        assert T.extract_targets(doc) == ref_extract_targets(doc), text_of(doc)


def test_documents_of_the_corpus():
    check_docs(corpus_texts())


@settings(max_examples=150, deadline=None)
@example("Actions:\n- JB to book the review by Friday\n- I will read the policy")
@example("Action | Who | When\nBook the room | JB | Friday\n| |")
@example("Targets\n-  \n- \n-\nNext time I will ask. she will call")
@example("Feedback: she will present well.\nGoal 1: - to read the policy")
@given(st.lists(generated(12), min_size=1, max_size=6).map("\n".join))
def test_documents_generated(text):
    check_docs([text])
