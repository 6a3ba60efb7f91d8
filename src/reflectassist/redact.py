"""Redaction: a copy of a text with each personal identifier replaced by a typed placeholder.

``redact(text, identifiers)`` never modifies its input (strings are immutable; the CLI writes
the result to a separate file). Identifiers are the dicts of
:func:`reflectassist.identifiers.find_identifiers` (``start``, ``end``, ``type``); other keys
are ignored, so spans edited or confirmed by a person can be passed as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PLACEHOLDERS = {
    "NAME": "[NAME]",
    "NHS_NUMBER": "[NHS NUMBER]",
    "RECORD_NUMBER": "[RECORD NUMBER]",
    "DOB": "[DATE OF BIRTH]",
    "AGE": "[AGE]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "POSTCODE": "[POSTCODE]",
    "ADDRESS": "[ADDRESS]",
    "PLACE": "[PLACE]",
    "NI_NUMBER": "[NI NUMBER]",
}


def placeholder(kind: str) -> str:
    """``[NAME]`` for ``NAME``; an unknown type gives ``[IDENTIFIER]``."""
    return PLACEHOLDERS.get(kind, "[IDENTIFIER]")


def redact(text: str, identifiers: Iterable[Mapping]) -> str:
    """``text`` with every identifier span replaced by its placeholder.

    Spans must lie inside the text. Overlapping spans are merged into one placeholder (the
    type of the first, i.e. leftmost-then-longest, span), so nothing flagged survives.
    """
    spans = sorted(((int(i["start"]), int(i["end"]), str(i["type"])) for i in identifiers),
                   key=lambda s: (s[0], -s[1]))
    merged: list[list] = []
    for start, end, kind in spans:
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"identifier span {start}:{end} is outside the text "
                             f"(length {len(text)})")
        if start == end:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            continue
        merged.append([start, end, kind])
    parts = []
    pos = 0
    for start, end, kind in merged:
        parts.append(text[pos:start])
        parts.append(placeholder(kind))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def redact_text(text: str) -> tuple[str, list[dict]]:
    """Find the identifiers in ``text`` and redact them: ``(redacted_text, identifiers)``."""
    from .identifiers import find_identifiers

    found = find_identifiers(text)
    return redact(text, found), found
