"""Third round of targets.py fast paths against the code they replace.

Each REFERENCE below is the code as it was before: ``CANDIDATE_RE`` without the look-ahead
that lets the regex engine skip the characters no match starts with, and the splitting
helpers splitting a whole text into words when they only look at its first or last few
(``len(head.split()) < 3`` on the text before every candidate join, ``tail.split()[0]`` twice
on the text after it).  They run on every corpus line and document (targets and their SMART
scores) and on generated notes: action tables, bullet lists, dates, owners, "by", "within",
numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import targets as T
from reflectassist.lexicon import lexicon_set
from reflectassist.segmenter import text_of
from test_fast_paths_targets import corpus_lines, pipeline

# --------------------------------------------------------------------------- references

REF_CANDIDATE_RE = re.compile(r"(?<!\s)(?:\s*;\s*(?:and\s+)?|,?\s+(?:and|&|as well as)\s+|"
                              r",\s+|\s+[-–]\s+)")


def ref_clause_start(tail: str) -> tuple[bool, str | None]:
    m = T.SUBJECT_RE.match(tail)
    if m and (m.group("actor") is None or T._is_actor(m.group("actor"))) and \
            m.group("verb").lower() not in T.DETERMINERS:
        return True, m.group("verb")
    first = tail.split()[0] if tail.split() else ""
    return False, first if T._is_verb(first) else None


def ref_refers_back(clause: str) -> bool:
    words = [w.lower().strip(".,;()") for w in clause.split()]
    if any(w in ("this", "these", "results") for w in words[1:4]):
        return True
    if T._find_phrase("refer_back", clause):
        return True
    return T.ONE_OF_RE.search(clause) is not None


def ref_keeps_one(head: str, clause: str, verb: str) -> bool:
    words = clause.split()
    if verb.lower() in T.FOLLOW_ON_VERBS or verb.lower() in T._lex_set("follow_on_verbs"):
        return True
    if len(words) > 1 and words[1].lower().strip(".,;") in T._lex_set("no_object_words"):
        return True
    last = head.split()
    if last and T._is_verb(last[-1]) and (len(last) == 1 or last[-2].lower() in ("to", "will")):
        return True
    return ref_refers_back(clause)


def ref_opens_clause(head: str) -> bool:
    words = head.split()
    if not words or words[0].lower() in T.SUBORDINATORS:
        return False
    own, verb = ref_clause_start(head)
    return own or verb is not None or bool(T._intends(head) or T._note_style(head)
                                           or (T._may_be_third_person(head)
                                               and T.THIRD_PERSON_RE.search(head)))


def ref_split_points(text: str) -> list[tuple[int, int]]:
    if not any(h in text for h in T.CANDIDATE_HINTS):
        return []
    cands = T._outside_brackets(text, REF_CANDIDATE_RE.finditer(text))
    starts = [ref_clause_start(text[m.end():]) for m in cands]
    points: list[tuple[int, int]] = []
    for k, m in enumerate(cands):
        head, tail = text[:m.start()], text[m.end():]
        own, verb = starts[k]
        sep = m.group().strip()
        if len(head.split()) < 3 or len(tail.split()) < 2 or verb is None:
            continue
        clause = text[m.end():cands[k + 1].start()] if k + 1 < len(cands) else tail
        if (len(clause.split()) < 4 and not own) or T._is_check(tail, verb):
            continue
        if sep in ("-", "–"):
            if own and T.SUBJECT_RE.match(tail).group("actor"):
                points.append(m.span())
        elif sep == ",":
            later = any(s[1] and cands[j].group().strip(", ") in ("and", "&")
                        for j, s in enumerate(starts) if j > k)
            prev = text[points[-1][1] if points else 0:m.start()]
            if ref_opens_clause(prev) and ((own and not T.SUBJECT_RE.match(tail).group("bare"))
                                           or (later and not ref_keeps_one(head, clause, verb))):
                points.append(m.span())
        elif own or not ref_keeps_one(head, clause, verb):
            points.append(m.span())
    return points


def ref_pieces(body: str) -> list[tuple[int, int]]:
    points = ref_split_points(body)
    bounds = zip([0, *(b for _, b in points)], [*(a for a, _ in points), len(body)], strict=True)
    out = []
    for s, e in bounds:
        e = s + len(body[s:e].rstrip(" ;,-–"))
        inner = T._bracket_target(body[s:e])
        if inner:
            out.append((s, s + len(body[s:s + inner[0]].rstrip(" (").rstrip())))
            out.append((s + inner[0], s + inner[1]))
        elif e - s >= 3:
            out.append((s, e))
    return out


def ref_sentence_starts(text: str) -> list[int]:
    inner = text.rstrip()[:-1]
    if "." not in inner and "!" not in inner and "?" not in inner:
        return []
    abbrevs = lexicon_set("abbreviations")
    heads = ((m.end(), text[:m.start() + 1])
             for m in T._outside_brackets(text, T.SENTENCE_GAP_RE.finditer(text)))
    return [end for end, head in heads if len(T.strip_marker(head).split()) >= 3
            and head.split()[-1].lower().rstrip(".") not in abbrevs]


def ref_is_wish(body: str) -> bool:
    wish = T._find_phrase("wish", body)
    if wish is None or T._intends(body[:wish.start()]):
        return False
    before = body[:wish.start()].lower().split()[-2:]
    return not any(w in ("if", "when", "whether", "unless") for w in before)


def ref_is_target(text: str, body: str, section: str, own_line: bool) -> bool:
    if not body or body.endswith(":") and len(body.split()) <= 6:
        return False
    if section == "targets" and (own_line or T.MARKER_RE.match(text)
                                 or T._starts_with_action(body)):
        reads_as_one = len(body.split()) >= 2
    else:
        reads_as_one = T._reads_as_target(text, body)
    return reads_as_one and not T.is_excluded(body) and not ref_is_wish(body)


REFERENCES = {"CANDIDATE_RE": REF_CANDIDATE_RE, "_clause_start": ref_clause_start,
              "_refers_back": ref_refers_back, "_keeps_one": ref_keeps_one,
              "_opens_clause": ref_opens_clause, "_split_points": ref_split_points,
              "_pieces": ref_pieces, "_sentence_starts": ref_sentence_starts,
              "_is_wish": ref_is_wish, "_is_target": ref_is_target}


@contextmanager
def old_code() -> Iterator[None]:
    """targets.py running the references in place of the new code (module globals, which
    every function looks up when called)."""
    saved = {name: getattr(T, name) for name in REFERENCES}
    try:
        for name, ref in REFERENCES.items():
            setattr(T, name, ref)
        yield
    finally:
        for name, new in saved.items():
            setattr(T, name, new)


# --------------------------------------------------------------------------- checks

def check_text(text: str) -> None:
    """Every changed helper against its reference on ``text`` and on its cuts at each
    candidate join (the heads, tails and clauses the splitter hands them)."""
    assert [m.span() for m in T.CANDIDATE_RE.finditer(text)] == \
        [m.span() for m in REF_CANDIDATE_RE.finditer(text)], text
    assert T._split_points(text) == ref_split_points(text), text
    assert T._pieces(text) == ref_pieces(text), text
    assert T._sentence_starts(text) == ref_sentence_starts(text), text
    assert T._is_wish(text) == ref_is_wish(text), text
    body = T.strip_marker(text)
    for section in ("other", "targets", "feedback"):
        for own in (True, False):
            assert T._is_target(text, body, section, own) == \
                ref_is_target(text, body, section, own), (text, section, own)
    cuts = [text]
    for m in REF_CANDIDATE_RE.finditer(text):
        cuts += [text[:m.start()], text[m.end():]]
    for cut in cuts:
        assert T._clause_start(cut) == ref_clause_start(cut), cut
        assert T._opens_clause(cut) == ref_opens_clause(cut), cut
        assert T._refers_back(cut) == ref_refers_back(cut), cut
        for verb in ("book", "send", "Review", "tell"):
            assert T._keeps_one(cut, text, verb) == ref_keeps_one(cut, text, verb), (cut, verb)
            assert T._keeps_one(text, cut, verb) == ref_keeps_one(text, cut, verb), (cut, verb)


def check_docs(texts) -> None:
    """The targets found, their texts and SMART scores: new code, then the references."""
    nlp = pipeline()
    pipe = nlp.get_pipe("reflectassist_targets")
    later = [n for n in ("reflectassist_targets", "reflectassist_suggestions",
                         "reflectassist_result") if n in nlp.pipe_names]
    docs = list(nlp.pipe(texts, disable=later))
    pipe.annotate(docs)
    new = [(T.extract_targets(d), d._.targets) for d in docs]
    with old_code():
        pipe.annotate(docs)
        old = [(T.extract_targets(d), d._.targets) for d in docs]
    for doc, n, o in zip(docs, new, old, strict=True):
        assert n == o, text_of(doc)


# --------------------------------------------------------------------------- corpus

def test_old_code_swaps_in_and_out():
    """The document check really runs the references (so it can fail), and puts back the
    new code afterwards."""
    new = {name: getattr(T, name) for name in REFERENCES}
    with old_code():
        assert all(getattr(T, name) is ref for name, ref in REFERENCES.items())
    assert all(getattr(T, name) is fn for name, fn in new.items())


def test_lines_of_the_corpus():
    for line in corpus_lines():
        check_text(line)


def test_documents_of_the_corpus():
    texts = corpus_texts()
    for i in range(0, len(texts), 64):  # annotate a batch at a time, as the pipeline does
        check_docs(texts[i:i + 64])


# --------------------------------------------------------------------------- generated notes

WORDS = ("I", "will", "JB", "SW", "Sam", "to", "book", "send", "review", "read", "complete",
         "the", "policy", "and", "&", "as well as", "then", "also", "this", "these", "one",
         "each", "by", "within", "before", "Friday", "3 May", "12/05", "2", "4 wks", "weeks",
         "the deputy", "manager", "PA", "check", "it", "Actions", "Actions:", "Goal 1:",
         "Agreed action", "Who", "By when", "Action", "|", "\t", "-", "*", "•", "1.", "2)",
         "a)", "(", ")", '"', ";", ",", ".", ":", "–", "when", "if", "wants to", "would like",
         "done", "é", "Mr.", "e.g.")
GAPS = (" ", " ", " ", "  ", ", ", "; ", " - ", " – ", ". ", "\n", "\t", " | ", "")


def generated(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


@settings(max_examples=600, deadline=None)
@example("Book the room, send the invite and review the notes by Friday")
@example("JB to book the review - SW to send the notes within 2 weeks")
@example("Read the policy and discuss it, then complete one audit each week")
@example("I will book and complete the course by 3 May; PA to check 10 sets of notes")
@example("a b  , c d e and f g h i ")
@example(" x ,  y")
@given(generated())
def test_texts_generated(text):
    check_text(text)
    check_text(text.lower())


@settings(max_examples=120, deadline=None)
@example("Actions:\n- JB to book the review by Friday, and SW to send the notes within 2 "
         "weeks\n- I will read the policy and discuss it at the next supervision")
@example("Agreed action | Who | By when\nBook the room and send the invite | JB | 3 May\n"
         "Read the policy, complete the audit and review it | SW | within 4 wks")
@example("Action\tWho\tWhen\nBook the course\tSam\tFriday\n\tPA\t12/05")
@example("Targets\n1. Complete 2 audits a month, and reflect on one.\n2) Shadow the deputy "
         "(manager to arrange it before Friday)")
@given(st.lists(generated(14), min_size=1, max_size=6).map("\n".join))
def test_documents_generated(text):
    check_docs([text])
