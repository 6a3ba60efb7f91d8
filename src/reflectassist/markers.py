"""Lexicon and pattern markers: the evidence words every scorer uses and the report points at.

Matches are stored as plain ``[start_char, end_char, category]`` lists on ``Doc._.markers``
so they survive ``nlp.pipe(n_process=...)`` (Span objects cannot be sent between processes).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import alternation, load_lexicon, plain_quotes, positions
from .segmenter import text_of

try:  # the regular-expression parser (for _lower_twin)
    from re import _constants as _C
    from re import _parser
except ImportError:  # Python 3.10
    try:
        import sre_constants as _C
        import sre_parse as _parser
    except ImportError:  # a Python without either: no twins, the same markers, slower
        _C = _parser = None

if not Doc.has_extension("markers"):
    Doc.set_extension("markers", default=None)


_BOUNDARY_AFTER = r"(?![\w'’])"
_WORD_RUN = re.compile(r"\w+")


@lru_cache(maxsize=1)
def compiled_markers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The regular-expression categories (dates, numbers, quotes ...) of the lexicon."""
    lex = load_lexicon()
    return tuple((category, re.compile(pattern, re.IGNORECASE))
                 for category, pattern in lex["patterns"].items())


@lru_cache(maxsize=1)
def _phrase_groups() -> dict[str, dict[str, set[str]]]:
    """The lower-cased lexicon phrases by first word (``\\w+`` run), then category."""
    groups: dict[str, dict[str, set[str]]] = {}
    for category, phrases in load_lexicon()["phrases"].items():
        for phrase in phrases:
            p = phrase.lower()
            first = _WORD_RUN.match(p)
            if not first:
                raise ValueError(f"lexicon phrase {phrase!r} must start with a word character")
            groups.setdefault(first.group(0), {}).setdefault(category, set()).add(p)
    return groups


@cache
def _phrase_regex(word: str, category: str) -> re.Pattern[str]:
    """The anchored regex of the phrases of ``category`` starting with ``word``, compiled
    when first needed: the plans of :func:`_first_words` need ~350 of the ~1,100 (built when
    the component is made), the others only a non-ASCII word brings, or none (a one-word
    phrase matches without one)."""
    return re.compile(rf"(?:{alternation(_phrase_groups()[word][category])}){_BOUNDARY_AFTER}",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, tuple[tuple[str, re.Pattern[str], bool], ...]]:
    """Lexicon phrases grouped by their first word:
    ``{word: ((category, anchored regex, the word is the category's only phrase), ...)}``.

    A phrase can only match where a word starts, and only where that word equals the phrase's
    first word, so one pass over the text's words with a dictionary lookup finds every match;
    trying ~1,500 alternatives at every character (one big regex per category) was the
    slowest step of the whole analysis. Within a group the longest phrase is tried first.
    The markers step compiles only the regexes it tries (:func:`_phrase_regex`).
    """
    return {word: tuple((category, _phrase_regex(word, category), alts == {word})
                        for category, alts in by_cat.items())
            for word, by_cat in _phrase_groups().items()}


def find_markers(text: str) -> list[list]:
    """Every lexicon phrase and pattern in ``text`` as sorted ``[start, end, category]``.

    Phrases match whole words (not preceded or followed by a word character or apostrophe);
    matches of one category never overlap, as with ``re.finditer``. Curly quotes and
    apostrophes match as plain ones (``lexicon.plain_quotes``).
    """
    return _find_markers(plain_quotes(text))


@lru_cache(maxsize=1024)
def shared_markers(text: str) -> tuple[list, ...]:
    """:func:`find_markers`, cached (a target's or comment's markers are wanted by the feature
    rows and by the SMART rules) and so returned as a tuple: callers only read it."""
    return tuple(_find_markers(plain_quotes(text)))


class _PatternStarts(NamedTuple):
    """Where each \\b-led pattern can start (lexicons.json ``pattern_starts``)."""

    by_word: dict[str, tuple[tuple[str, re.Pattern[str]], ...]]
    digit: tuple[tuple[str, re.Pattern[str]], ...]
    prefixes: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]
    suffixes: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]
    any_prefix: tuple[str, ...]
    any_suffix: tuple[str, ...]
    every: tuple[tuple[str, re.Pattern[str]], ...]  # tried at non-ASCII words
    anywhere: tuple[tuple[str, re.Pattern[str]], ...]  # not listed: searched everywhere
    # (category, pattern, the characters it starts with): tried at those characters
    by_char: tuple[tuple[str, re.Pattern[str], str], ...] = ()
    whole_word: frozenset[str] = frozenset()  # categories whose match is a whole word


@lru_cache(maxsize=1)
def pattern_starts() -> _PatternStarts:
    """Running twelve case-insensitive regexes over the whole text cost more than everything
    else in the markers step; most can only start at a handful of words, so they are tried
    there, in the same pass over the words as the phrases; one that starts with a quotation
    mark is tried at those marks."""
    starts = load_lexicon()["pattern_starts"]
    by_word: dict[str, list] = {}
    digit, prefixes, suffixes, every, anywhere, by_char = [], [], [], [], [], []
    whole_word = {category for category, spec in starts.items()
                  if isinstance(spec, dict) and spec.get("whole_word")}
    for category, rx in compiled_markers():
        spec = starts.get(category)
        if spec is None:
            anywhere.append((category, rx))
            continue
        if "chars" in spec:
            by_char.append((category, rx, spec["chars"]))
            continue
        every.append((category, rx))
        for w in spec.get("words", []):
            by_word.setdefault(w, []).append((category, rx))
        if spec.get("digit"):
            digit.append((category, rx))
        if spec.get("prefixes"):
            prefixes.append((category, tuple(spec["prefixes"]), rx))
        if spec.get("suffixes"):
            suffixes.append((category, tuple(spec["suffixes"]), rx))
    return _PatternStarts({w: tuple(v) for w, v in by_word.items()}, tuple(digit),
                          tuple(prefixes), tuple(suffixes),
                          tuple(p for _, ps, _ in prefixes for p in ps),
                          tuple(x for _, xs, _ in suffixes for x in xs),
                          tuple(every), tuple(anywhere), tuple(by_char), frozenset(whole_word))


def _patterns_at(word: str, low: str, starts: _PatternStarts) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns that can match at a word (by ``pattern_starts``); every listed pattern at
    a non-ASCII word, whose lower-casing can differ from the regex engine's case folding."""
    if not word.isascii():
        return list(starts.every)
    found = list(starts.by_word.get(low, ()))
    if low[0].isdecimal():
        found += starts.digit
    if low.startswith(starts.any_prefix):
        found += [(c, rx) for c, ps, rx in starts.prefixes if low.startswith(ps)]
    if low.endswith(starts.any_suffix):
        found += [(c, rx) for c, xs, rx in starts.suffixes if low.endswith(xs)]
    return found


_Regexes = tuple[tuple[str, re.Pattern[str]], ...]
# (regexes to try, categories whose word alone matches: checked against next_free, not)
_Phrases = tuple[_Regexes, tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _first_words() -> dict[str, tuple[_Phrases, dict[str | None, _Phrases] | None]]:
    """:func:`phrase_index` arranged per ASCII first word so that few regexes are tried:
    ``{word: (phrases, {next word (None: non-ASCII): phrases} or None)}``.

    Nearly every phrase regex tried at a word failed (~300 tries for ~20 matches per
    document). A longer phrase can only match if the text's next word is the phrase's second
    word (only non-word characters separate them), so its regex is tried only then; where
    the word alone is a phrase, it matches as it is (unless an apostrophe follows), and can
    only be inside an earlier match of its category if it is a later word of a phrase.
    Phrases with a non-ASCII character or no second word are always tried by regex, since
    case-insensitive matching folds İ, ı, ſ and the Kelvin sign unlike ``str.lower``.
    """
    groups = _phrase_groups()
    later: dict[str, set[str] | None] = {}  # a category's words after the first (None: any)
    for by_cat in groups.values():
        for category, alts in by_cat.items():
            for p in alts:
                rest = _WORD_RUN.findall(p)[1:]
                if rest and not p.isascii():
                    later[category] = None
                elif later.setdefault(category, set()) is not None:
                    later[category].update(rest)

    def arrange(word: str, regex: list, singles: list) -> _Phrases:
        singles = [c for c in singles if c not in {c for c, _ in regex}]
        checked = [c for c in singles if later[c] is None or word in later[c]]
        return (tuple(regex), tuple(checked), tuple(c for c in singles if c not in checked))

    plans = {}
    for word, by_cat in groups.items():
        if not word.isascii():
            continue  # only non-ASCII text words can be this word: they take the regexes
        always, singles, seconds = [], [], {}
        for category, alts in by_cat.items():
            nexts = [_WORD_RUN.search(p, len(word)) for p in alts - {word}]
            if None in nexts or not all(p.isascii() for p in alts):
                always.append((category, _phrase_regex(word, category)))
                continue
            if word in alts:
                singles.append(category)
            for w in {m.group(0) for m in nexts} | ({None} if nexts else set()):
                seconds.setdefault(w, []).append((category, _phrase_regex(word, category)))
        by_next = {w: arrange(word, always + tried, singles) for w, tried in seconds.items()}
        plans[word] = (arrange(word, always, singles), by_next or None)
    return plans


_Tries = tuple[tuple[str, re.Pattern[str], int], ...]  # (category, regex, subject: see _Plans)


class _Work(NamedTuple):
    """What to try at a word beyond a single one-word phrase. The markers of ``fixed`` (the
    whole word) come out in order; the others may not (see :func:`_find_markers`)."""

    fixed: tuple[str, ...]  # categories matched by the word alone, sorted
    checked: tuple[str, ...]  # the same unless inside an earlier match (see _first_words)
    regex: _Tries  # phrases tried by regex
    patterns: _Tries
    whole_word: tuple[str, ...]  # pattern categories that match the word (``whole_word``)


class _Plan(NamedTuple):
    """What to try at a word, which depends on its text alone (case included, but in
    lower-case texts ASCII words take their lower-case plan: see :class:`_Plans`)."""

    single: str | None  # all there is to do, if not None: the one category matched
    length: int
    by_next: dict[str | None, _Work] | None  # the work if the next word continues a phrase
    work: _Work | None


def _plan(word: str, starts: _PatternStarts, lower: bool) -> _Plan | tuple[()]:
    """:class:`_Plan` of a word; ``()`` if nothing can start there."""
    low = word.lower()
    patterns, whole_word = [], []
    for category, rx in _patterns_at(word, low, starts):
        if category not in starts.whole_word:
            patterns.append((category, rx))
        elif (m := rx.match(word)) and m.end() == len(word) and category not in whole_word:
            whole_word.append(category)  # the same at every occurrence of the word
    if word.isascii():
        phrases, by_next = _first_words().get(low, (None, None))
    elif low in _phrase_groups():  # by regex, as case-insensitive matching folds differently
        phrases = (tuple((c, _phrase_regex(low, c)) for c in _phrase_groups()[low]), (), ())
        by_next = None
    else:
        phrases, by_next = None, None
    if not phrases and not patterns and not whole_word:
        return ()

    pattern_tries = tuple((c, twin, 1) if lower and (twin := _lower_twin(rx)) else (c, rx, 0)
                          for c, rx in patterns)

    def work(phrases: _Phrases | None) -> _Work:
        # phrase regexes are matched as they are: working out the twins of the ~300 that a
        # thousand documents' words bring took ~35 ms and saved ~1 ms of matching
        regex, checked, unchecked = phrases or ((), (), ())
        return _Work(tuple(sorted(unchecked + tuple(whole_word))), checked,
                     tuple((c, rx, 0) for c, rx in regex), pattern_tries, tuple(whole_word))

    if by_next is not None:
        by_next = {w: work(longer) for w, longer in by_next.items()}
    if (phrases is not None and not phrases[0] and not phrases[1] and not patterns
            and not whole_word and len(phrases[2]) <= 1):
        return _Plan(phrases[2][0] if phrases[2] else None, len(word), by_next, None)
    return _Plan(None, len(word), by_next, work(phrases))


class _Plans(dict):
    """word -> :func:`_plan`, worked out on first sight; with ``lower``, for texts taking the
    lower-case way (:func:`_runs`): their ASCII words are lower-case (one plan for "The" and
    "the", and the by_next keys come for free), and a pattern with a :func:`_lower_twin` is
    matched by the twin in the lower-cased text (subject 1), others in the text (0)."""

    def __init__(self, starts: _PatternStarts, lower: bool):
        super().__init__()
        self.starts = starts
        self.lower = lower

    def __missing__(self, word: str) -> _Plan | tuple[()]:
        plan = self[word] = _plan(word, self.starts, self.lower)
        return plan


_PLANS: tuple[_Plans, _Plans] | None = None
_GROUP = re.Match.group
_START = re.Match.start
_ASCII_IS_WORD = [bool(_WORD_RUN.match(chr(c))) for c in range(128)]
# bytes.translate table: ASCII non-word characters to spaces
_ASCII_NON_WORD_TO_SPACE = bytes(c if c >= 128 or _ASCII_IS_WORD[c] else 32 for c in range(256))
# common punctuation outside ASCII, without case; a text with no other non-ASCII character
# has the same word runs as its copy with these replaced by spaces, which can take the fast
# way, and lower-cases to a text of the same length
_PUNCTUATION = tuple(c for c in "–—’‘“”…•£€\u00a0" if not _WORD_RUN.match(c) and c.lower() == c)
_ALPHABET = tuple(map(chr, range(128))) + _PUNCTUATION  # of the texts taking the fast way
_APOSTROPHES = "'’"


_REPEATS = tuple(getattr(_C, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_C, name))
_ATOMIC_GROUP = getattr(_C, "ATOMIC_GROUP", None)  # Python 3.11 on


@lru_cache(maxsize=1024)
def _same_lower_cased(source: str, flags: int) -> bool:
    """Whether the one-character regex ``source`` matches each character of _ALPHABET
    case-insensitively exactly when it matches the lower-cased character case-sensitively."""
    folded, exact = re.compile(source, flags), re.compile(source, flags & ~re.IGNORECASE)
    return all(bool(folded.fullmatch(c)) == bool(exact.fullmatch(c.lower())) for c in _ALPHABET)


def _caseless(items: _parser.SubPattern, flags: int) -> bool:
    """Whether a parsed regex matches every character as :func:`_same_lower_cased` says (and
    has no backreference or inline flags); anything else it has looks at no letter's case."""
    for op, av in items:
        source = None
        if op is _C.LITERAL:
            source = re.escape(chr(av))
        elif op is _C.NOT_LITERAL:
            source = f"[^{re.escape(chr(av))}]"
        elif op is _C.IN:  # \d, \s, \w and their opposites do not change with the case
            parts = []
            for o, a in av:
                if o is _C.LITERAL:
                    parts.append(re.escape(chr(a)))
                elif o is _C.RANGE:
                    parts.append(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
                elif o is not _C.CATEGORY and o is not _C.NEGATE:
                    return False
            source = f"[{''.join(parts)}]" if parts else None
        elif op is _C.BRANCH:
            if not all(_caseless(p, flags) for p in av[1]):
                return False
        elif op is _C.SUBPATTERN:
            if av[1] or av[2] or not _caseless(av[3], flags):
                return False
        elif op in _REPEATS:
            if not _caseless(av[2], flags):
                return False
        elif op is _ATOMIC_GROUP:
            if not _caseless(av, flags):
                return False
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if not _caseless(av[1], flags):
                return False
        elif op is not _C.ANY and op is not _C.AT:
            return False
        if source is not None and not _same_lower_cased(source, flags):
            return False
    return True


@lru_cache(maxsize=4096)
def _lower_twin(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """``rx`` without IGNORECASE, which finds in a lower-cased text taking the fast way what
    ``rx`` finds in the text (offsets are the same); ``None`` if it might not. Matching case
    by case was about half the time of the phrase and pattern regexes."""
    if not rx.flags & re.IGNORECASE:
        return None
    try:
        if not _caseless(_parser.parse(rx.pattern, rx.flags), rx.flags):
            return None
    except Exception:  # a parse this does not know: no twin, only slower
        return None
    return re.compile(rx.pattern, rx.flags & ~re.IGNORECASE)


def _runs(text: str, lower: bool) -> tuple[list[str], list[int], bool]:
    """The ``\\w+`` runs of ``text``, where they start, and whether they were lower-cased
    (with ``lower``, when the text takes the fast way: ASCII but for _PUNCTUATION).
    Scanning with the regex and making a match object per word was a quarter of the time."""
    plain = text
    if not plain.isascii():
        for char in _PUNCTUATION:
            plain = plain.replace(char, " ")
        if not plain.isascii():
            runs = list(_WORD_RUN.finditer(text))
            return list(map(_GROUP, runs)), list(map(_START, runs)), False
    spaced = plain.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE)
    if lower:
        spaced = spaced.lower()
    spaced_text = spaced.decode("ascii")
    words = spaced_text.split()
    if len(spaced) < 256:  # (most comments and targets) numpy costs more than a few finds
        starts, at, find = [], 0, spaced_text.find
        for word in words:
            at = find(word, at)
            starts.append(at)
            at += len(word)
        return words, starts, lower
    is_word = np.frombuffer(b" " + spaced, np.uint8) != 32
    return words, np.flatnonzero(is_word[1:] > is_word[:-1]).tolist(), lower


def _next_to_apostrophes(plans: list, words: list[str], keys: list[str | None],
                         starts_at: list[int], apostrophes: list[int]) -> None:
    """Change the plans of the words right after or before an apostrophe as the rules say:
    no phrase starts after one (``'s``), no one-word phrase ends before one (``don'``). There
    are a few in a text, so this is cheaper than asking at every word."""
    count = len(starts_at)
    for at in apostrophes:
        i = bisect.bisect_left(starts_at, at)  # the first word starting after it
        if i < count and starts_at[i] == at + 1 and plans[i]:
            plans[i] = _cut(plans[i], keys[i + 1], True)
        i -= 1
        if i >= 0 and plans[i] and starts_at[i] + len(words[i]) == at:
            plans[i] = _cut(plans[i], keys[i + 1], False)


def _cut(plan: _Plan | tuple, next_key: str | None, after: bool) -> tuple:
    """A word's plan right after (``after``) or before an apostrophe: its one-word phrases
    go, the whole-word patterns and the patterns stay, and the phrase regexes stay before
    one only. The _Work is made directly: NamedTuple._replace took half of this step."""
    _, length, by_next, work = plan
    if by_next is not None:
        work = by_next.get(next_key, work)
    if work is None:
        return ()
    whole_word = work.whole_word
    return (None, length, None,
            _Work(whole_word, (), () if after else work.regex, work.patterns, whole_word))


def _find_markers(text: str, starts: _PatternStarts | None = None) -> list[list]:
    """:func:`find_markers`; ``starts`` (for tests) replaces :func:`pattern_starts`.

    One pass over the words where something can start (those with a :class:`_Plan`), with
    as few regexes as possible: most words are one-word phrases (``stopword`` ...). The
    markers come out in order but for a few (``later``), which are put in their place:
    sorting them all took a tenth of the time.
    """
    global _PLANS
    if starts is not None:
        plans_by_case = (_Plans(starts, False), _Plans(starts, _lower_keys(starts)))
    else:  # the plans depend on the word alone: remember them
        if _PLANS is None or len(_PLANS[0]) + len(_PLANS[1]) > 100_000:
            _PLANS = (_Plans(pattern_starts(), False),
                      _Plans(pattern_starts(), _lower_keys(pattern_starts())))
        plans_by_case = _PLANS
        starts = _PLANS[0].starts
    words, starts_at, lowered = _runs(text, plans_by_case[1].lower)
    plans = list(map(plans_by_case[lowered].__getitem__, words))
    subjects = (text, text.lower() if lowered else text)  # see _Plans
    # the words' keys in by_next: lower-case if ASCII, else None
    keys = words if lowered else [w.lower() if w.isascii() else None for w in words]
    keys.append("")  # the next word of the last
    apostrophes = positions(text, _APOSTROPHES)
    if apostrophes:
        _next_to_apostrophes(plans, words, keys, starts_at, apostrophes)
    found: list[list] = []
    append = found.append
    later: list[list] = []
    next_free: dict[str, int] = {}
    next_pattern: dict[str, int] = {}
    # the words where something can start, with their start and the next word's key (one
    # zip, not three lookups by index per word); a marker that would break found's order
    # (only one after another of the same word's can) goes to later
    nexts = iter(keys)
    next(nexts)
    for (single, length, by_next, work), start, after in compress(
            zip(plans, starts_at, nexts, strict=True), plans):
        if by_next is not None:
            longer = by_next.get(after)
            if longer is not None:  # the next word can continue a longer phrase
                single, work = None, longer
        if single is not None:
            append([start, start + length, single])
            continue
        if work is None:
            continue
        fixed, checked, regex, patterns, _ = work
        end = start + length
        for category in fixed:
            append([start, end, category])
        if checked:  # none of regex's categories (see _first_words)
            for category in checked:
                if start >= next_free.get(category, 0):
                    marker = [start, end, category]
                    (later if found and marker < found[-1] else found).append(marker)
        if regex:
            for category, rx, subject in regex:
                if start >= next_free.get(category, 0):
                    m = rx.match(subjects[subject], start)
                    if m:
                        next_free[category] = end = m.end()
                        marker = [start, end, category]
                        (later if found and marker < found[-1] else found).append(marker)
        # a \b-led pattern can only start where a word does: as finditer, without the search
        for category, rx, subject in patterns:
            if start >= next_pattern.get(category, 0):
                m = rx.match(subjects[subject], start)
                if m:
                    end = m.end()
                    if end > start:
                        next_pattern[category] = end
                        marker = [start, end, category]
                        (later if found and marker < found[-1] else found).append(marker)
    for category, rx, chars in starts.by_char:
        next_start = 0
        for start in positions(text, chars):
            if start >= next_start:
                m = rx.match(text, start)
                if m and m.end() > start:
                    later.append([start, m.end(), category])
                    next_start = m.end()
    for category, rx in starts.anywhere:
        for m in rx.finditer(text):
            if m.end() > m.start():
                later.append([m.start(), m.end(), category])
    if len(later) > 8:
        found += later
        found.sort()
    else:  # after any equal marker, as a (stable) sort of found + later would put it
        for marker in later:
            bisect.insort(found, marker)
    return found


def _lower_keys(starts: _PatternStarts) -> bool:
    """Whether ASCII words can be looked up lower-case: the plan differs only by the
    ``whole_word`` patterns, which must then not tell case (:func:`_lower_twin`)."""
    return all(_lower_twin(rx) is not None for category, rx in starts.every
               if category in starts.whole_word)


# a character that, next to a part's edge, can change what is found inside it: a word
# character (the edge would cut a word) or an apostrophe (the rules of _next_to_apostrophes
# and the phrases' _BOUNDARY_AFTER look at it)
_EDGE_SENSITIVE = re.compile(r"[\w'’]")
_END = itemgetter(1)


@cache
def _edge_sensitive(char: str) -> bool:
    """Whether ``char`` next to a part's edge is _EDGE_SENSITIVE (remembered: the regex and
    plain_quotes cost more than the rest of a part's check)."""
    return _EDGE_SENSITIVE.match(plain_quotes(char)) is not None


class PartMarkers:
    r"""The markers of parts of a text (its comments, targets) taken from the text's own
    markers, shifted, where that gives exactly :func:`shared_markers` of the part, which is
    called otherwise. Finding them anew cost about a third of the markers step.

    Exact when the characters just outside the part (if any) are neither word characters
    nor apostrophes, and no marker of the text crosses either edge. Then the part has the
    text's words there, and every rule reads the same characters: a regex tried inside the
    part that reads past its end either matched past it in the text (a crossing marker) or
    failed in both; the lexicon's assertions (``\b``, ``(?<!\w)``, ``(?!\w)``,
    _BOUNDARY_AFTER) look one character past an edge and agree with the string's ends next
    to such a character; a match of a category can only stop the next one from starting in
    the part (``next_free`` ...) if it crosses the edge (tests/test_fast_paths_markers2.py
    checks the lexicon has no other assertion).
    """

    def __init__(self, text: str, markers: Sequence[list] | None) -> None:
        """``markers``: those of ``text``, or None if they were not found (a pipeline without
        the markers component): then every part's are found anew."""
        self.text = text
        self.markers = markers
        self._upto, self._reach = 0, 0  # the largest end of markers[:_upto]

    def exact(self, start: int, end: int) -> bool:
        """Whether the markers of ``text`` inside ``[start, end)``, shifted, are the markers of
        ``text[start:end]`` (then, e.g., ``count_in(markers, start, end)`` counts them)."""
        return self._inside(start, end) is not None

    def _inside(self, start: int, end: int) -> tuple[int, int] | None:
        """``(first, last)``: where the markers inside ``[start, end)`` are in ``markers``,
        if :meth:`exact`; else None. (__call__ bisected again for them.)"""
        text, markers = self.text, self.markers
        if markers is None:
            return None
        if ((start > 0 and _edge_sensitive(text[start - 1]))
                or (end < len(text) and _edge_sensitive(text[end]))):
            return None
        first = bisect.bisect_left(markers, [start])
        if first < self._upto:  # (parts mostly come in order: each marker is read once)
            self._upto, self._reach = 0, 0
        reach = max(self._reach, max(map(_END, markers[self._upto:first]), default=0))
        last = bisect.bisect_left(markers, [end], first)
        inner = max(map(_END, markers[first:last]), default=0)
        self._upto, self._reach = last, max(reach, inner)
        # no marker crosses the start or the end
        return (first, last) if reach <= start and inner <= end else None

    def __call__(self, start: int, end: int) -> tuple[list, ...]:
        """:func:`shared_markers` of ``text[start:end]``."""
        inside = self._inside(start, end)
        if inside is None:
            return shared_markers(self.text[start:end])
        return tuple([[s - start, e - start, category]
                      for s, e, category in self.markers[inside[0]:inside[1]]])


def count_markers(doc: Doc, start: int, end: int) -> dict[str, int]:
    """Counts of marker categories fully inside ``[start, end)`` of ``doc.text``."""
    return count_in(doc._.markers or [], start, end)


def count_in(markers: Sequence[list], start: int, end: int) -> dict[str, int]:
    """Counts of the categories of sorted ``markers`` fully inside ``[start, end)``."""
    counts: dict[str, int] = {}
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        s, e, cat = markers[i]
        if s >= end:
            break
        if e <= end:
            counts[cat] = counts.get(cat, 0) + 1
    return counts


def markers_in(doc: Doc, start: int, end: int, categories: set[str] | None = None) -> list[list]:
    """The markers fully inside ``[start, end)`` of ``doc.text`` (of ``categories``)."""
    return markers_within(doc._.markers or [], start, end, categories)


def markers_within(markers: Sequence[list], start: int, end: int,
                   categories: set[str] | None = None) -> list[list]:
    """The sorted ``markers`` fully inside ``[start, end)`` (of ``categories``)."""
    out = []
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        m = markers[i]
        if m[0] >= end:
            break
        if m[1] <= end and (categories is None or m[2] in categories):
            out.append(m)
    return out


class Markers:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        # the lexicon's phrases and patterns, with the patterns' twins, before the first
        # document (and before nlp.pipe's worker processes start)
        _first_words()
        for _, rx in pattern_starts().every:
            _lower_twin(rx)

    def __call__(self, doc: Doc) -> Doc:
        doc._.markers = find_markers(text_of(doc))
        return doc


@Language.factory("reflectassist_markers")
def make_markers(nlp: Language, name: str) -> Markers:
    return Markers(nlp, name)
