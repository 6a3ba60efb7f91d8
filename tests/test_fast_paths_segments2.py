"""Second round of fast paths in the segmenter, kind detection, depth and suggestions.

Each test compares the code with a REFERENCE written here: the code as it was before this
round (``old_*``), on every corpus text (or every analysed corpus document) and on generated
inputs with odd whitespace, bullets, headings, abbreviations, non-ASCII letters and marks,
ties and short or long sentence lists.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import cache

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from spacy.attrs import IDX

from corpus_texts import corpus_texts
from reflectassist import (
    ELEMENTS,
    GIBBS,
    GIBBS_STAGES,
    LABELS_DEPTH,
    depth,
    kinds,
    segmenter,
    suggestions,
)
from reflectassist.features import sentence_features
from reflectassist.feedback import opens_sentence
from reflectassist.lexicon import load_data, load_lexicon, plain_quotes
from reflectassist.markers import count_in, markers_within
from reflectassist.spans import Spans
from test_fast_paths_segments import blank, pipeline

S = segmenter


@cache
def abbrevs() -> frozenset[str]:
    return S._abbreviation_set(tuple(load_lexicon()["abbreviations"]))


@cache
def analysed() -> tuple:
    """A quarter of the corpus texts, analysed by the shipped pipeline."""
    return tuple(pipeline().pipe(corpus_texts()[::4]))


# --------------------------------------------------------------------------- references

def old_is_heading(line: str) -> bool:
    stripped = line.strip().lstrip("#").strip()
    if not stripped:
        return False
    if len(stripped.split(None, 7)) > 6:
        return False
    if stripped.endswith(":"):
        return True
    if S._LETTER_RE.search(stripped):
        return False
    letters = [c for c in stripped if c.isalpha()]
    return len(letters) > 2 and all(c.isupper() for c in letters)


_OLD_INITIALS_RE = re.compile(r"(?:[a-z]\.)+[a-z]")


def old_sentence_starts(text: str, abbrevs: frozenset[str]) -> list[int]:
    starts: list[int] = []
    prev_line = None
    prev_heading = False
    pos = 0
    for raw in text.splitlines(keepends=True):
        lstart = pos
        pos += len(raw)
        line = raw.rstrip("\r\n")
        lend = lstart + len(line)
        content = line.strip()
        if not content:
            prev_line = None if prev_line is None else ""
            prev_heading = False
            continue
        first = lstart + (len(line) - len(line.lstrip()))
        bullet = S.BULLET_RE.match(line)
        heading = old_is_heading(line)
        if (prev_line is None or prev_line == "" or bullet is not None or heading
                or prev_heading or S._ends_sentence(prev_line) or not content[0].islower()):
            starts.append(first)
        inline = S.INLINE_HEADING_RE.match(line) if not heading and ":" in line else None
        if inline:
            after = lstart + inline.end()
            rest = text[after:lend]
            if rest.strip():
                starts.append(after + (len(rest) - len(rest.lstrip())))
        bullet_end = bullet.end() if bullet else 0
        for m in S.SENT_END_RE.finditer(line):
            stop = m.start()
            if stop < bullet_end:
                continue
            if m.start(1) == stop + 1 and line[stop] == ".":
                before = line[max(0, stop - 40): stop]
                word = S._WORD_CHARS_RE.match(before[::-1])
                token = word.group(0)[::-1].lower() if word else ""
                if (token.rstrip(".") in abbrevs or S._LETTER_RE.fullmatch(token)
                        or _OLD_INITIALS_RE.fullmatch(token)):
                    continue
            starts.append(lstart + m.end())
        prev_line = line
        prev_heading = heading
    starts = sorted(set(starts))
    return S._split_overlong(text, starts)


@cache
def old_heading_words() -> tuple[str, ...]:
    phrases = load_lexicon()["phrases"]
    return tuple(f" {w} " for w in
                 phrases["heading_word"] + phrases["target_heading"] + phrases["feedback_heading"])


def old_has_heading_word(line: str) -> bool:
    key = " " + S.SPACES_RE.sub(" ", S.NON_KEY_RE.sub(" ", line.lower())).strip() + " "
    return any(w in key for w in old_heading_words())


def old_is_title(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].replace(">", " ").strip():
        return False
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    raw_line = text[line_start:line_end]
    line = raw_line.strip().lstrip(">").strip()
    if line != text[start:end].strip().lstrip(">").strip():
        return False
    numbered = S.BULLET_RE.match(raw_line.lstrip().lstrip(">"))
    if numbered and not raw_line.lstrip().startswith(("-", "*", "•")):
        inner = raw_line.lstrip().lstrip(">")[numbered.end():].strip()
        return (len(inner.split()) <= 6 and not S._CLOSED_RE.search(inner)
                and old_has_heading_word(inner))
    bare = S._PARENS_RE.sub("", line).strip()
    if not bare or S.BULLET_RE.match(raw_line.lstrip().lstrip(">").lstrip()) or \
            S._CLOSED_RE.search(bare):
        return False
    next_end = text.find("\n", line_end + 1)
    following = text[line_end + 1:next_end if next_end >= 0 else len(text)]
    if S.BULLET_RE.match(following.lstrip(">")) and len(bare.split()) <= 12:
        return True
    first = S._NON_SPACE_RE.search(text, 0, line_start) is None
    next_blank = line_end >= len(text) or (not following.strip()
                                           and text.find("\n", line_end + 1) >= 0)
    if len(bare.split()) > 8:
        return first and len(bare.split()) <= 14 and line_end < len(text) and next_blank
    after_blank = line_start > 0 or first
    return first or (after_blank and (next_blank or len(line.split()) <= 3
                                      or (len(line.split()) <= 6 and old_has_heading_word(line))))


def old_section_of(stripped: str) -> str:
    return S._section_of.__wrapped__(stripped)  # the function without its cache


def old_sentence_rows(text: str, spans) -> list[list]:
    out: list[list] = []
    section = "other"
    for start_char, end_char in spans:
        sent = text[start_char:end_char]
        stripped = sent.strip()
        if not stripped:
            continue
        start = start_char + (len(sent) - len(sent.lstrip()))
        end = start + len(stripped)
        if old_is_heading(stripped) or S._is_inline_heading(stripped) or (
                S._LINE_REST_BLANK_RE.match(text, end)
                and ("(" in stripped or not S._CLOSED_RE.search(stripped))
                and old_is_title(text, start, end)):
            section = old_section_of(stripped)
            out.append([start, end, section, True])
        else:
            out.append([start, end, section, False])
    return out


def old_segment(doc) -> tuple[list[int], list[list]]:
    """SENT_START flags and rows as the segmenter made them before this round."""
    text = plain_quotes(S.text_of(doc))
    starts = old_sentence_starts(text, abbrevs())
    idx = doc.to_array(IDX).astype("int64")
    first = S._first_tokens(idx, S._is_space_at(text, idx), starts)
    flags = [-1] * len(doc)
    for i in first.tolist():
        flags[i] = 1
    bounds = idx[first].tolist() + [len(text)]
    return flags, old_sentence_rows(text, zip(bounds, bounds[1:], strict=False))


# --------------------------------------------------------------------------- inputs

SPACES = (" ", "  ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00a0", "\u2028", "\u3000", "\x0c",
          "\x85", "")
WORDS = ("Mr.", "Dr.", "e.g.", "i.e.", "etc.", "a.m.", "No.", "J.", "A.B.", "j.b.", "x.",
         "ok", "the", "went", "Then", "I", "5", "ward", "MCA", "NHS", "-", "*", "•", "1.", "2)",
         "a)", "(b)", "#", ">", "> -", "Actions:", "ACTIONS", "Feedback", "Targets:", "Summary",
         "Next steps", "Agreed actions", "Date:", "Reflection", "Learning", '"', "“", "”", "(",
         ")", "…", "...", ".", "!", "?", ":", ";", ",", "é", "İ", "w/c", "can't", "Plan (draft)")


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


# --------------------------------------------------------------------------- segmenter

def check_lines(text: str) -> None:
    for line in text.splitlines():
        assert S._is_heading(line) == old_is_heading(line), repr(line)
    assert S._sentence_starts(text, abbrevs()) == old_sentence_starts(text, abbrevs()), repr(text)


@settings(max_examples=500, deadline=None)
@example("#:")
@example("## ACTIONS  ")
@example("# \u00a0a b:\u3000")
@given(st.text(alphabet="#: \t\u00a0\u3000\x0caAbB1.", max_size=16))
def test_is_heading_on_generated_lines(line):
    assert S._is_heading(line) == old_is_heading(line)


def check_titles(text: str) -> None:
    """_is_title at every sentence of the text and at every line, not only where the rows
    ask (so the bullet, numbered and long-title branches are all reached)."""
    starts = old_sentence_starts(text, abbrevs())
    spans = list(zip(starts, [*starts[1:], len(text)], strict=False))
    pos = 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line)))
        pos += len(line)
    for s, e in spans:
        sent = text[s:e]
        if not sent.strip():
            continue
        start = s + len(sent) - len(sent.lstrip())
        end = start + len(sent.strip())
        assert S._is_title(text, start, end) == old_is_title(text, start, end), (text, start)
        stripped = text[start:end]
        assert S._section_of(stripped) == old_section_of(stripped), repr(stripped)


def check_segmenter(text: str) -> None:
    seg = pipeline().get_pipe("reflectassist_segmenter")
    for tokenizer in (pipeline().tokenizer, blank().tokenizer):
        doc = tokenizer(text)
        if not len(doc):
            continue
        flags, rows = old_segment(doc)
        seg(doc)
        assert [1 if t.is_sent_start else -1 for t in doc] == flags, repr(text)
        assert doc._.sentences == rows, repr(text)


def test_segmenter_on_the_corpus():
    texts_ = corpus_texts()
    for text in texts_:
        check_lines(plain_quotes(text))
    for text in texts_[::3]:
        check_titles(plain_quotes(text))
        check_segmenter(text)


@settings(max_examples=400, deadline=None)
@example("Actions\n- JB to book.\nx. y\nReflection (draft)\n\n1) Learning goals\nok")
@example("  \u3000Feedback:\u00a0\n> - ok\n\nSeen by Dr. Smith. Then A.B. went. J. left.")
@example("Next steps\n\nReflective log - first home visit as a student social worker today\n\n")
@example("Intro\nThe plan for the next few weeks of my placement at home\n- read\n")
@given(texts())
def test_segmenter_on_generated_texts(text):
    check_lines(text)
    check_titles(text)
    check_segmenter(text)


def test_tokens_at_takes_the_fast_path_on_the_corpus():
    """_tokens_at answers (equal to _first_tokens) for nearly every corpus text: else the
    fast path would only ever fall back."""
    seg_abbrevs, tok = abbrevs(), pipeline().tokenizer
    answered = 0
    for text in corpus_texts()[::5]:
        doc = tok(text)
        if not len(doc):
            continue
        plain = plain_quotes(text)
        starts = S._sentence_starts(plain, seg_abbrevs)
        idx = doc.to_array(IDX).astype("int64")
        got = S._tokens_at(plain, idx, starts)
        if got is not None:
            answered += 1
            assert got.tolist() == S._first_tokens(idx, S._is_space_at(plain, idx),
                                                   starts).tolist(), repr(text)
    assert answered > 0.95 * len(corpus_texts()[::5])


@settings(max_examples=400, deadline=None)
@example(" a", [1], [1])
@example(" a b", [1, 2, 3], [3])
@given(st.text(alphabet=" \n\t\u00a0ab.-A", max_size=12),
       st.lists(st.integers(0, 12), max_size=6), st.lists(st.integers(0, 12), max_size=6))
def test_tokens_at_for_any_tokens_and_starts(text, cuts, starts):
    """Any token boundaries (a token per run between cuts) and any starts: when _tokens_at
    answers, it is _first_tokens' answer."""
    if not text:
        return
    idx = np.array(sorted({0, *(c for c in cuts if c < len(text))}), dtype="int64")
    starts = sorted(set(starts))
    got = S._tokens_at(text, idx, starts)
    if got is not None:
        assert got.tolist() == S._first_tokens(idx, S._is_space_at(text, idx), starts).tolist()


# --------------------------------------------------------------------------- kinds

WORD_RE = re.compile(r"[A-Za-z']+")


def old_rarely_first_person(text: str, low_runs: list[bytes]) -> bool:
    if text.isascii():
        first_person = sum(map(kinds.FIRST_PERSON_WORDS.__contains__, low_runs))
    else:
        first_person = len(kinds.FIRST_PERSON.findall(text))
    if not first_person:
        return True
    if first_person / max((len(text) + 1) // 2, 1) >= 0.01:
        return False
    return first_person / max(len(WORD_RE.findall(text)), 1) < 0.01


def test_lower_makes_no_ascii_of_other_non_ascii_characters():
    """What the first-person count of texts without non-ASCII word characters rests on."""
    word = re.compile(r"\w")
    for c in map(chr, range(0x80, sys.maxunicode + 1)):
        if not word.match(c):
            assert not any(ch.isascii() for ch in c.lower()), hex(ord(c))


def check_kind(text: str) -> None:
    runs = kinds._ascii_runs(text.lower())
    assert kinds._word_count(text) == len(WORD_RE.findall(text)), repr(text)
    assert kinds._rarely_first_person(text, runs) == old_rarely_first_person(text, runs), \
        repr(text)


def test_kinds_on_the_corpus():
    for text in corpus_texts():
        check_kind(plain_quotes(text))
        check_kind(text)


KIND_WORDS = ("I", "i", "me", "My", "MYSELF", "myſelf", "İ", "ı", "\u212a", "_my", "my2", "mé",
              "émy", "I'm", "it's", "café", "—", "£", "•", "½", "²", "\ud800", "'", "’", "word")


@settings(max_examples=500, deadline=None)
@example("my — £5 café", 0)
@example("ı me \u2014 myſelf", 100)
@given(st.lists(st.tuples(st.sampled_from(KIND_WORDS), st.sampled_from(SPACES)),
                max_size=30).map(lambda parts: "".join(w + g for w, g in parts)),
       st.integers(0, 300))
def test_kinds_on_generated_texts(text, filler):
    check_kind(text + " word" * filler)  # filler brings the first-person rate near 1%
    check_kind(text + " — word" * filler)


# --------------------------------------------------------------------------- depth

def old_depth_features(doc) -> dict[str, float]:
    elems = doc._.elements or []
    keep = depth.substantive(doc)
    n = max(len(keep), 1)
    feats: dict[str, float] = {f"kind_{doc._.kind or 'reflective_entry'}": 1.0}
    if keep:
        P = np.ascontiguousarray(np.array([elems[i][1] for i in keep]).T)
        preds = Counter(elems[i][0] for i in keep)
        means, maxes = P.mean(axis=1).tolist(), P.max(axis=1).tolist()
        top3 = np.sort(P, axis=1)[:, -3:].mean(axis=1).tolist()
        for j, e in enumerate(ELEMENTS):
            feats[f"mean_{e}"] = means[j]
            feats[f"max_{e}"] = maxes[j]
            feats[f"top3_{e}"] = top3[j]
            feats[f"share_{e}"] = preds[e] / n
        stages = {GIBBS[p] for p in preds if GIBBS.get(p)}
        feats["gibbs_coverage"] = len(stages) / len(GIBBS_STAGES)
    totals: dict[str, int] = {}
    counts = sentence_features(doc).counts
    for i in keep:
        for cat, c in counts[i].items():
            totals[cat] = totals.get(cat, 0) + c
    for cat in depth.DENSITY_MARKERS:
        c = totals.get(cat, 0)
        feats[f"rate_{cat}"] = min(c / n, 3.0)
        feats[f"any_{cat}"] = min(c, 3) / 3.0
    return feats


def old_depth_results(model, docs) -> list[dict]:
    out = []
    for proba in model.predict_proba([old_depth_features(d) for d in docs]):
        full = np.zeros(4)
        for cls, p in zip(model.classes_, proba, strict=True):
            full[int(cls)] = p
        level = int(np.argmax(full))
        out.append({"level": level, "label": LABELS_DEPTH[level],
                    "probabilities": [round(float(p), 4) for p in full]})
    return out


def same_features(doc) -> None:
    new, old = depth.depth_features(doc), old_depth_features(doc)
    assert list(new.items()) == list(old.items())  # the same keys, order and bits


def test_depth_on_analysed_corpus_texts():
    docs = analysed()
    scorer = pipeline().get_pipe("reflectassist_depth")
    for doc in docs:
        same_features(doc)
    for i in range(0, len(docs), 64):
        batch = list(docs[i:i + 64])
        scorer.annotate(batch)
        assert [d._.depth for d in batch] == old_depth_results(scorer.models["depth"], batch)


class ShuffledModel:
    """A model whose classes come in another order, with ties and zeros."""

    def __init__(self, classes, probas):
        self.classes_ = np.array(classes)
        self.probas = np.array(probas, dtype=float)

    def predict_proba(self, rows):
        assert len(rows) == len(self.probas)
        return self.probas


PROB = st.sampled_from([0.0, 0.1, 0.25, 0.3, 1 / 3, 0.5, 0.7, 0.99999, 1.0])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_depth_on_generated_elements(data):
    """Any number of sentences (0, 1-2 for a short top three, 8 and more for numpy's
    pairwise sums), headings and buzz sentences, tied probabilities; and any class order."""
    n = data.draw(st.integers(0, 20))
    text = " ".join(f"Sentence {i} felt hard." for i in range(n)) or "x"
    doc = blank()(text)
    u = doc._
    u.sentences = [[22 * i, 22 * i + 21, "other", data.draw(st.booleans())] for i in range(n)]
    u.elements = [[data.draw(st.sampled_from(ELEMENTS)),
                   data.draw(st.lists(PROB, min_size=len(ELEMENTS), max_size=len(ELEMENTS))),
                   data.draw(st.booleans())] for _ in range(n)]
    u.markers = sorted([22 * i + 13, 22 * i + 17, "emotion"] for i in range(n)
                       if data.draw(st.booleans()))
    u.kind = data.draw(st.sampled_from([None, "essay", "supervision_note"]))
    same_features(doc)
    classes = data.draw(st.permutations([0, 1, 2, 3]))
    probas = [data.draw(st.lists(PROB, min_size=4, max_size=4)) for _ in range(2)]
    model = ShuffledModel(classes, probas)
    scorer = depth.DepthScorer("depth")
    scorer.set_models({"depth": model})
    docs = [doc, blank()("y")]
    scorer.annotate(docs)
    assert [d._.depth for d in docs] == old_depth_results(model, docs)


# --------------------------------------------------------------------------- suggestions

def old_criticises(text, markers, start, end) -> bool:
    praise = markers_within(markers, start, end, suggestions._PRAISE_SET)
    return any((m[2] != "suggestion" or " " in text[m[0]:m[1]] or opens_sentence(text, start, m[0]))
               and not any(p[0] <= m[0] and m[1] <= p[1] for p in praise)
               for m in markers_within(markers, start, end, suggestions._CRITIQUE_SET))


def old_feedback_suggestions(text, comments, markers) -> list[dict]:
    texts_ = load_data("suggestions")
    out: list[dict] = []
    praise = critique = 0
    for c in comments:
        lvl = c["specificity"]
        base = texts_["feedback_level"][str(lvl)]
        if lvl < 2:
            missing = [f for f in ("instance", "impact", "next_step") if not c[f]["met"]]
            parts = [texts_["feedback_missing"][f] for f in missing]
            msg = base["message"] + " " + " ".join(p["message"] for p in parts)
            prompt = parts[0]["prompt"] if parts else ""
            out.append(suggestions._s("feedback", msg.strip(), c["start"], c["end"],
                                      base["severity"], prompt, missing=missing))
        counts = count_in(markers, c["start"], c["end"])
        praises = any(counts.get(cat) for cat in suggestions.PRAISE_CUES)
        criticises = old_criticises(text, markers, c["start"], c["end"])
        praise += praises and not criticises
        critique += criticises and not praises
    if len(comments) >= 3:
        key = "praise_only" if praise == len(comments) else \
            "critique_only" if critique == len(comments) else None
        if key:
            b = texts_["feedback_balance"][key]
            out.append(suggestions._s("feedback", b["message"], comments[0]["start"],
                                      comments[-1]["end"], b["severity"]))
    return out


def old_depth_suggestions(rows, elems, depth_, kind, targets, comments, present) -> list[dict]:
    texts_ = load_data("suggestions")
    out: list[dict] = []
    if not rows or not depth_:
        return out
    level = depth_["level"]
    want = {0: "experience", 1: "feeling", 2: "reflection", 3: "reflection"}[level]
    j = ELEMENTS.index(want)
    best = max(range(len(elems)), key=lambda i: elems[i][1][j]) if elems else 0
    t = texts_["depth_next"][str(level)]
    if kind in suggestions.REFLECTIVE_KINDS or level == 3:
        out.append(suggestions._s("depth", t["message"], rows[best][0], rows[best][1],
                                  t["severity"], t["prompt"], stage=None))
    own = Spans((t["start"], t["end"]) for t in targets + comments)
    for i, e in enumerate(elems):
        start, end = rows[i][0], rows[i][1]
        if e[2] and not rows[i][3] and not any(
                s < end and start < e_ for s, e_ in own.touching(start, end)):
            b = texts_["buzz"]
            out.append(suggestions._s("depth", b["message"], rows[i][0], rows[i][1],
                                      b["severity"], b["prompt"]))
    if kind in suggestions.REFLECTIVE_KINDS:
        for k, stage in enumerate(GIBBS_STAGES):
            if stage in present:
                continue
            earlier = [i for st_ in GIBBS_STAGES[:k] for i in present.get(st_, [])]
            anchor = max(earlier) if earlier else 0
            g = texts_["gibbs_missing"][stage]
            out.append(suggestions._s("elements", g["message"], rows[anchor][0],
                                      rows[anchor][1], "advice", g["prompt"], stage=stage))
    return out


def test_suggestions_on_analysed_corpus_texts():
    for doc in analysed():
        u = doc._
        rows, elems = u.sentences or [], u.elements or []
        targets, comments, markers = u.targets or [], u.feedback or [], u.markers or []
        text = S.text_of(doc)
        assert suggestions.feedback_suggestions(text, comments, markers) == \
            old_feedback_suggestions(text, comments, markers)
        present = u.gibbs_present
        for kind in (u.kind, "reflective_entry", "essay"):
            args = (rows, elems, u.depth, kind, targets, comments, present)
            assert suggestions.depth_suggestions(*args) == old_depth_suggestions(*args)


CATS = ("generic_praise", "positive_eval", "generic_critique", "suggestion", "difficulty_cue",
        "emotion", "hedge")
FEEDBACK_TEXT = ("Keep it up! Keep a diary. You kept it brief, well done. Try to plan ahead. "
                 "Good work on the chronology but consider the risks. Keep up the good work.")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_feedback_suggestions_on_generated_comments(data):
    n = len(FEEDBACK_TEXT)
    bounds = sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=10)))
    comments = [{"start": s, "end": e, "specificity": data.draw(st.integers(0, 2)),
                 **{f: {"met": data.draw(st.booleans())}
                    for f in ("instance", "impact", "next_step")}}
                for s, e in zip(bounds, bounds[1:], strict=False)]
    markers = []
    for s in data.draw(st.lists(st.integers(0, n - 1), max_size=25)):
        markers.append([s, data.draw(st.integers(s + 1, min(n, s + 40))),
                        data.draw(st.sampled_from(CATS))])
    markers.sort()
    assert suggestions.feedback_suggestions(FEEDBACK_TEXT, comments, markers) == \
        old_feedback_suggestions(FEEDBACK_TEXT, comments, markers)


def test_feedback_balance_with_praise_and_criticism():
    """Three praising comments, one of them criticising too: not praise only."""
    text = "Well done. Good work but try to plan. Great job."
    comments = [{"start": s, "end": e, "specificity": 2,
                 **{f: {"met": True} for f in ("instance", "impact", "next_step")}}
                for s, e in ((0, 10), (11, 37), (38, 48))]
    markers = [[0, 9, "generic_praise"], [11, 20, "generic_praise"],
               [26, 36, "generic_critique"], [38, 47, "generic_praise"]]
    for n in (3, 2):
        got = suggestions.feedback_suggestions(text, comments[:n], markers)
        assert got == old_feedback_suggestions(text, comments[:n], markers)
    del markers[2]  # every comment only praises
    got = suggestions.feedback_suggestions(text, comments, markers)
    assert got == old_feedback_suggestions(text, comments, markers) and len(got) == 1


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_depth_suggestions_on_generated_sentences(data):
    bounds = sorted(data.draw(st.sets(st.integers(0, 200), min_size=1, max_size=12)))
    rows = [[s, e, "other", data.draw(st.booleans())]
            for s, e in zip(bounds, [*bounds[1:], 210], strict=True)]
    probs = st.lists(PROB, min_size=len(ELEMENTS), max_size=len(ELEMENTS))
    elems = [[data.draw(st.sampled_from(ELEMENTS)), data.draw(probs), data.draw(st.booleans())]
             for _ in rows]
    spans = st.tuples(st.integers(0, 210), st.integers(0, 30)).map(
        lambda p: {"start": p[0], "end": p[0] + p[1]})
    targets = data.draw(st.lists(spans, max_size=3))
    comments = data.draw(st.lists(spans, max_size=3))
    depth_ = data.draw(st.one_of(st.none(), st.builds(lambda lv: {"level": lv},
                                                       st.integers(0, 3))))
    present = {st_: [0] for st_ in GIBBS_STAGES if data.draw(st.booleans())}
    for kind in ("reflective_entry", "supervision_note", None):
        args = (rows, elems, depth_, kind, targets, comments, present)
        assert suggestions.depth_suggestions(*args) == old_depth_suggestions(*args)


@pytest.mark.parametrize("kind", ["reflective_entry", None])
def test_suggester_on_a_document(kind):
    """The whole component on one analysed document against the old functions."""
    doc = pipeline()("Feedback:\nKeep it up! Keep a diary.\n\nI felt anxious. I will read "
                     "more about it by Friday.\n\nActions\n- JB to book MCA training")
    u = doc._
    u.kind = kind
    pipeline().get_pipe("reflectassist_suggestions")(doc)
    rows, elems = u.sentences or [], u.elements or []
    targets, comments, markers = u.targets or [], u.feedback or [], u.markers or []
    present = suggestions.stages_present(rows, elems, targets, markers)
    assert u.gibbs_present == present
    assert u.suggestions == (
        old_depth_suggestions(rows, elems, u.depth, kind, targets, comments, present)
        + old_feedback_suggestions(S.text_of(doc), comments, markers)
        + suggestions.smart_suggestions(targets, rows, kind))
