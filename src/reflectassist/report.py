"""Render analysis results as terminal text, JSON, CSV or a self-contained HTML report.

HTML comes from the Jinja2 templates in ``templates/`` with autoescaping on, so user text
is always escaped: nothing user-controlled is marked safe, except the batch page's document
sections, which are the section macro's output, escaped when it was rendered (``_page``
takes ``sections`` from ``html_section`` only). The page is one file:
inline CSS and SVG, a small optional inline script, and a Content-Security-Policy that
allows exactly that style sheet and that script (by SHA-256 hash) and nothing else, so it
makes no network requests and injected markup could not run even if it were not escaped.

Two views: a single document (one input), and a batch view (several inputs) with a
sortable, filterable table, inline SVG charts and a collapsible section per document.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any, TextIO

from . import GIBBS, GIBBS_STAGES, KINDS, LABELS_DEPTH, SMART_CRITERIA, __version__
from .lexicon import load_data

#: kinds for which Gibbs coverage and a missing action plan are reported as flags
REFLECTIVE_KINDS = frozenset({"reflective_entry", "portfolio_entry"})
#: kinds expected to end with targets or agreed actions
TARGET_KINDS = REFLECTIVE_KINDS | {"supervision_note"}
#: the CSV / batch-table columns, in order (new columns are only ever appended)
CSV_FIELDS = (
    "path", "kind", "depth", "depth_label", "gibbs_stages", "gibbs_missing",
    "feedback_comments", "feedback_mean_specificity", "targets", "smart_share", "suggestions",
    "error",
    # added with the production report; appended so that column positions stay stable
    "depth_confidence", "feedback_vague", "feedback_partly_specific", "feedback_specific",
    "targets_all_smart", "important_suggestions", "flags",
    "identifiers",
)
FEEDBACK_PARTS = ("instance", "impact", "next_step")
SEVERITY_ORDER = {"important": 0, "advice": 1, "info": 2}
#: at most this many elements are highlighted for one suggestion
MAX_HIGHLIGHT = 40


def report_texts() -> dict[str, Any]:
    """Labels, descriptions and colours for the report (``data/report_texts.json``)."""
    return load_data("report_texts")


def contract(results: list[dict], notes: Sequence[str] = ()) -> dict:
    """The JSON report: the documents, and the notes on the inputs (files skipped, remarks
    on how a file was read), so a kept report says what it left out."""
    return {"version": __version__, "documents": results, "notes": list(notes)}


def render_json(results: list[dict], notes: Sequence[str] = ()) -> str:
    """``json.dumps(contract(results, notes), ensure_ascii=False, indent=2)``, written by
    :class:`JsonWriter` (tested to give the same text)."""
    return _render(JsonWriter, results, notes=notes)


def json_document(r: dict) -> str:
    """One document of the JSON report, indented as an item of its "documents" list."""
    return "\n".join("    " + line
                     for line in json.dumps(r, ensure_ascii=False, indent=2).split("\n"))


# --------------------------------------------------------------------------- summaries


def _stages(r: dict) -> set[str]:
    if r.get("gibbs_present") is not None:
        return set(r["gibbs_present"])
    return {s["gibbs"] for s in r.get("sentences") or [] if s.get("gibbs") and not s.get("buzz")}


def _smart_met(t: dict) -> int:
    return sum(bool(t["smart"][c]["met"]) for c in SMART_CRITERIA if c in t.get("smart", {}))


def flags(r: dict) -> list[str]:
    """Short warnings for the batch table: what a supervisor may want to look at first."""
    if r.get("error"):
        return []
    out = []
    d = r.get("depth") or {}
    probs = d.get("probabilities") or []
    if probs and max(probs) < report_texts()["uncertain_below"]:
        out.append("uncertain depth")
    buzz = sum(bool(s.get("buzz")) for s in r.get("sentences") or [])
    if buzz:
        out.append(f"{buzz} buzzword sentence{'s' if buzz > 1 else ''}")
    vague = sum(f.get("specificity") == 0 for f in r.get("feedback") or [])
    if vague:
        out.append(f"{vague} vague feedback")
    targets = r.get("targets") or []
    not_smart = sum(_smart_met(t) < len(SMART_CRITERIA) for t in targets)
    if not_smart:
        out.append(f"{not_smart} target{'s' if not_smart > 1 else ''} not SMART")
    if not targets and r.get("kind") in TARGET_KINDS:
        out.append("no targets")
    ids = len(r.get("identifiers") or [])
    if ids:
        out.append(f"{ids} possible identifier{'s' if ids > 1 else ''}")
    return out


def summary_row(r: dict) -> dict:
    """One flat row per document: the batch table and the CSV share it."""
    stages = _stages(r)
    fb = r.get("feedback") or []
    tg = r.get("targets") or []
    met = sum(_smart_met(t) for t in tg)
    spec = Counter(c.get("specificity") for c in fb)
    d = r.get("depth")
    return {
        "path": r["path"],
        "kind": r.get("kind") or "",
        "depth": "" if not d else d["level"],
        "depth_label": "" if not d else d["label"],
        "gibbs_stages": len(stages),
        "gibbs_missing": ";".join(s for s in GIBBS_STAGES if s not in stages) if d else "",
        "feedback_comments": len(fb),
        "feedback_mean_specificity": round(sum(c["specificity"] for c in fb) / len(fb), 2)
        if fb else "",
        "targets": len(tg),
        "smart_share": round(met / (len(SMART_CRITERIA) * len(tg)), 2) if tg else "",
        "suggestions": len(r.get("suggestions") or []),
        "error": r.get("error") or "",
        "depth_confidence": round(max(d["probabilities"]), 2)
        if d and d.get("probabilities") else "",
        "feedback_vague": spec[0],
        "feedback_partly_specific": spec[1],
        "feedback_specific": spec[2],
        "targets_all_smart": sum(_smart_met(t) == len(SMART_CRITERIA) for t in tg),
        "important_suggestions": sum(s.get("severity") == "important"
                                     for s in r.get("suggestions") or []),
        "flags": "; ".join(flags(r)),
        "identifiers": len(r.get("identifiers") or []),
    }


GIBBS_LINKS = 3  # sentences linked per Gibbs stage in a document's view

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render_csv(results: list[dict]) -> str:
    """The batch table, one row per document, for gradebooks and spreadsheets."""
    return _render(CsvWriter, results)


def csv_row(r: dict) -> dict:
    """A document's CSV row. A document that failed has only its path and error: zeros in
    its result cells would be counted by spreadsheet averages as if it had been analysed."""
    row = summary_row(r)
    if r.get("error"):
        row = {k: v if k in ("path", "error") else "" for k, v in row.items()}
    # neutralise spreadsheet formulas in user-controlled cells (paths, error messages)
    return {k: ("'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
            for k, v in row.items()}


def render_text(results: list[dict], details: bool = True,
                texts: dict[str, str] | None = None) -> str:
    """Terminal summary; with ``details`` every suggestion is listed (no report to look at),
    otherwise the first eight."""
    return _render(TextWriter, results, texts, details=details)


def text_block(r: dict, details: bool = True, text: str | None = None) -> str:
    """One document's lines of the terminal summary (``text``: the text analysed, to quote
    where each suggestion applies)."""
    lines = [f"== {r['path']}"]
    if r["error"]:
        lines.append(f"   error: {r['error']}")
        return _safe("\n".join(lines))
    d = r["depth"]
    lines.append(f"   kind: {r['kind']} ({r['kind_source']})")
    lines.append(f"   depth: {d['level']} {d['label']} (p={max(d['probabilities']):.2f})")
    row = summary_row(r)
    missing = row["gibbs_missing"].replace(";", ", ") or "none"
    lines.append(f"   Gibbs stages: {row['gibbs_stages']}/6 (missing: {missing})")
    if r["feedback"]:
        c = Counter(f["specificity"] for f in r["feedback"])
        n = len(r["feedback"])
        lines.append(f"   feedback: {n} comment{'' if n == 1 else 's'} "
                     f"(vague {c[0]}, partly specific {c[1]}, specific {c[2]})")
    if r["targets"]:
        lines.append(f"   targets: {len(r['targets'])}, SMART criteria met "
                     f"{row['smart_share']:.0%}")
        for t in r["targets"]:
            lines.append(f"     - {_clip(t['text'])}: {t['verdict']}")
    if r.get("identifiers"):
        ids = r["identifiers"]
        lines.append(f"   possible identifiers: {len(ids)}; check before sharing, or use "
                     "`reflectassist redact`")
        for i in ids[:10]:
            lines.append(f"     - {_clip(i['text'], 40)} ({i['type'].lower().replace('_', ' ')}"
                         f": {i['reason']})")
        if len(ids) > 10:
            lines.append(f"     ... {len(ids) - 10} more in the JSON or HTML report")
    groups: dict[tuple[str, str], list[dict]] = {}
    for s in r["suggestions"]:
        if s["severity"] != "info":
            groups.setdefault((s["dimension"], s["message"]), []).append(s)
    shown = list(groups.items()) if details else list(groups.items())[:8]
    for (dim, message), items in shown:
        where = ""
        if text is not None:
            quotes = [f"\"{_clip(text[s['start']:s['end']], 40)}\"" for s in items[:3]]
            more = f" and {len(items) - 3} more" if len(items) > 3 else ""
            where = f"\n       at {', '.join(quotes)}{more}"
        elif len(items) > 1:
            where = f" (x{len(items)})"
        lines.append(f"   * [{dim}] {message}{where}")
    if len(shown) < len(groups):
        lines.append(f"   ... {len(groups) - len(shown)} more suggestions in the report")
    return _safe("\n".join(lines))


_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127, *range(128, 160)])


def _safe(text: str) -> str:
    """Drop control characters (ANSI/OSC escapes) before user text reaches a terminal."""
    return text.translate(_CONTROL)


def _clip(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- text view


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _offsets_fit(r: dict, text: str) -> bool:
    n = r.get("text_length")
    if isinstance(n, int) and n and n != len(text):
        return False
    for key in ("sentences", "feedback", "targets"):
        for s in r.get(key) or []:
            if "text" in s and text[s["start"]:s["end"]] != s["text"]:
                return False
    return True


def source_text(r: dict, text: str | None) -> tuple[str | None, bool]:
    """The text the offsets index, and whether it is the original (else rebuilt).

    The CLI passes the text it analysed. If it is missing or does not match the offsets
    (e.g. a caller passed the raw file), the text is rebuilt from the quoted spans in the
    result, with spaces where nothing was quoted.
    """
    if r.get("error"):
        return None, False
    for candidate in (text, _normalise(text) if text is not None else None):
        if candidate is not None and _offsets_fit(r, candidate):
            return candidate, True
    spans = [s for key in ("sentences", "feedback", "targets") for s in r.get(key) or []
             if isinstance(s.get("text"), str)]
    if not spans:
        return None, False
    n = max([r.get("text_length") or 0] + [s["start"] + len(s["text"]) for s in spans])
    buf = [" "] * n
    for s in spans:
        buf[s["start"]:s["start"] + len(s["text"])] = list(s["text"])
    return "".join(buf), False


def _spans(items: list[dict], n: int) -> list[tuple[int, int, int]]:
    """(start, end, index) of every item with a non-empty span inside [0, n]."""
    out = []
    for j, it in enumerate(items or []):
        try:
            a, b = int(it["start"]), int(it["end"])
        except (KeyError, TypeError, ValueError):
            continue
        a, b = max(0, min(a, n)), max(0, min(b, n))
        if a < b:
            out.append((a, b, j))
    return out


def text_view(r: dict, text: str, did: str) -> dict:
    """Cut the text at every sentence, feedback and target boundary.

    Returns ``blocks``: one per sentence (and one per stretch between sentences), each a
    flat list of pieces; a piece inside feedback or targets becomes one ``<mark>`` with the
    classes of every span covering it, so overlapping spans never need nested or crossing
    tags. ``anchors`` maps ("s"|"f"|"t", index) to the element ids that show that span.
    """
    n = len(text)
    texts = report_texts()
    sents, last = [], 0
    for a, b, j in sorted(_spans(r.get("sentences"), n)):
        a = max(a, last)  # overlapping sentences (should not happen): clip, never nest
        if a < b:
            sents.append((a, b, j))
            last = b
    fbs = _spans(r.get("feedback"), n)
    tgs = _spans(r.get("targets"), n)
    cuts = sorted({0, n}.union(*({a, b} for a, b, _ in sents + fbs + tgs)))
    starts = {("f", j): a for a, _, j in fbs} | {("t", j): a for a, _, j in tgs}
    blocks: list[dict] = []
    anchors: dict[tuple[str, int], list[str]] = {}
    where: dict[str, int] = {}
    si = pn = 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        while si < len(sents) and sents[si][1] <= a:
            si += 1
        sj = sents[si][2] if si < len(sents) and sents[si][0] <= a else None
        if not blocks or blocks[-1]["j"] != sj:
            block = {"j": sj, "pieces": [], "refs": [], "linked": False}
            if sj is not None:
                s = r["sentences"][sj]
                el = s.get("element") if s.get("element") in texts["elements"] else "other"
                block.update(id=f"{did}-s{sj}", el=el, label=texts["elements"][el]["label"],
                             buzz=bool(s.get("buzz")))
                anchors[("s", sj)] = [block["id"]]
                where[block["id"]] = len(blocks)
            blocks.append(block)
        piece: dict[str, Any] = {"text": text[a:b], "cls": ""}
        f_in = [j for fa, fb_, j in fbs if fa <= a and b <= fb_]
        t_in = [j for ta, tb, j in tgs if ta <= a and b <= tb]
        if f_in or t_in:
            pid = f"{did}-p{pn}"
            pn += 1
            cls = []
            badges = []
            if f_in:
                spec = r["feedback"][f_in[0]].get("specificity")
                cls += ["fb", f"f{spec}"]
            if t_in:
                cls.append("tg")
            for j in f_in:
                anchors.setdefault(("f", j), []).append(pid)
                if starts[("f", j)] == a:
                    spec = r["feedback"][j].get("specificity")
                    label = texts["specificity"][spec] if spec in (0, 1, 2) else "?"
                    badges.append({"cls": "tf", "label": f"feedback: {label}"})
            for j in t_in:
                anchors.setdefault(("t", j), []).append(pid)
                if starts[("t", j)] == a:
                    met = _smart_met(r["targets"][j])
                    label = "SMART" if met == len(SMART_CRITERIA) else f"{met}/5 SMART"
                    badges.append({"cls": "tt", "label": f"target: {label}"})
            piece.update(id=pid, cls=" ".join(cls), badges=badges)
            where[pid] = len(blocks) - 1
        blocks[-1]["pieces"].append(piece)
    return {"blocks": blocks, "anchors": anchors, "where": where, "sents": sents}


def _suggestion_anchor(s: dict, r: dict, view: dict) -> list[str]:
    """Element ids showing the span a suggestion is about (exact feedback/target, else
    the sentences it overlaps)."""
    a, b = s.get("start"), s.get("end")
    if not isinstance(a, int) or not isinstance(b, int):
        return []
    for key, code in (("feedback", "f"), ("targets", "t")):
        for j, it in enumerate(r.get(key) or []):
            if it.get("start") == a and it.get("end") == b and (code, j) in view["anchors"]:
                return view["anchors"][(code, j)][:MAX_HIGHLIGHT]
    ids = []
    for sa, sb, j in view["sents"]:
        if sa < b and a < sb or a == b and sa <= a < sb:
            ids.append(view["anchors"][("s", j)][0])
    return ids[:MAX_HIGHLIGHT]


# --------------------------------------------------------------------------- documents


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def document_view(r: dict, text: str | None, n: int) -> dict:
    """Everything the template needs for one document (ids are ``d<n>-...``)."""
    texts = report_texts()
    did = f"d{n}"
    row = summary_row(r)
    kind = r.get("kind") or ""
    doc: dict[str, Any] = {"id": did, "r": r, "row": row, "flags": flags(r),
                           "kind_label": texts["kinds"].get(kind, kind.replace("_", " ")),
                           "depth": None, "blocks": [], "suggestions": [], "feedback": [],
                           "targets": [], "original": False}
    if r.get("error"):
        return doc
    d = r.get("depth")
    if d:
        level = d.get("level")
        probs = d.get("probabilities") or []
        info = texts["depth"].get(str(level), {"about": "", "next": ""})
        doc["depth"] = {"level": level, "label": d.get("label", ""), "about": info["about"],
                        "next": info["next"],
                        "confidence": _pct(probs[level]) if isinstance(level, int)
                        and 0 <= level < len(probs) else "",
                        "uncertain": bool(probs) and max(probs) < texts["uncertain_below"]}
    stages = _stages(r)
    doc["gibbs"] = [{"stage": s, "present": s in stages, "links": []} for s in GIBBS_STAGES]
    doc["gibbs_present"] = len(stages)
    fb = r.get("feedback") or []
    spec = Counter(f.get("specificity") for f in fb)
    doc["spec_counts"] = [(texts["specificity"][k], spec[k]) for k in range(3)]
    tg = r.get("targets") or []
    doc["smart_summary"] = {
        "n": len(tg), "all": row["targets_all_smart"],
        "met": sum(_smart_met(t) for t in tg), "of": len(SMART_CRITERIA) * len(tg),
        "share": _pct(row["smart_share"]) if tg else "",
        "per": [(texts["smart"][c], sum(bool(t["smart"][c]["met"]) for t in tg))
                for c in SMART_CRITERIA],
    }
    text, original = source_text(r, text)
    doc["original"] = original
    if text is None:
        return doc
    view = text_view(r, text, did)
    doc["blocks"] = view["blocks"]
    evidence = r.get("gibbs_evidence") or {}
    for g in doc["gibbs"]:  # the sentences that make a stage present, to jump to
        g["links"] = [{"n": i + 1, "id": view["anchors"][("s", i)][0]}
                      for i in evidence.get(g["stage"], [])[:GIBBS_LINKS]
                      if ("s", i) in view["anchors"]]
        for link in g["links"]:  # a sentence gets its id only when something links to it
            view["blocks"][view["where"][link["id"]]]["linked"] = True
    # suggestions: most severe first, then in text order. Suggestions with the same advice
    # (e.g. "not time-bound" for two targets) become one item linking to every span.
    sugg = sorted(enumerate(r.get("suggestions") or []),
                  key=lambda p: (SEVERITY_ORDER.get(p[1].get("severity"), 3),
                                 p[1].get("start") or 0, p[0]))
    items: list[dict] = []
    by_advice: dict[tuple, dict] = {}
    for _, s in sugg:
        key = (s.get("dimension"), s.get("severity"), s.get("message"), s.get("prompt"))
        item = by_advice.get(key)
        if item is None:
            k = len(items) + 1
            item = by_advice[key] = {
                "n": k, "id": f"{did}-g{k}", "s": s, "links": [],
                "severity": texts["severity"].get(s.get("severity"), s.get("severity", "")),
                "dimension": texts["dimension"].get(s.get("dimension"), s.get("dimension", ""))}
            items.append(item)
        ids = _suggestion_anchor(s, r, view)
        if ids and all(ln["ids"][0] != ids[0] for ln in item["links"]):
            quote = text[max(0, s["start"]):max(0, s["end"])]
            item["links"].append({"ids": ids, "quote": _clip(quote, 60)})
            block = view["blocks"][view["where"][ids[0]]]
            if item["n"] not in block["refs"]:
                block["refs"].append(item["n"])
            for i in ids:
                if i in view["where"]:
                    view["blocks"][view["where"][i]]["linked"] = True
    doc["suggestions"] = items
    doc["feedback"] = [
        {"f": f, "ids": view["anchors"].get(("f", j), []),
         "label": texts["specificity"][f["specificity"]]
         if f.get("specificity") in (0, 1, 2) else "?",
         "parts": [{"name": texts["feedback_parts"][p], "met": bool((f.get(p) or {}).get("met")),
                    "evidence": list(dict.fromkeys(e[2] for e in (f.get(p) or {}).get("evidence")
                                                   or [] if len(e) > 2))}
                   for p in FEEDBACK_PARTS]}
        for j, f in enumerate(fb)]
    doc["targets"] = [
        {"t": t, "ids": view["anchors"].get(("t", j), []), "met": _smart_met(t),
         "criteria": [{"name": texts["smart"][c], "met": bool(t["smart"][c]["met"]),
                       "reason": t["smart"][c].get("reason", ""),
                       "score": t["smart"][c].get("score")} for c in SMART_CRITERIA]}
        for j, t in enumerate(tg)]
    return doc


# --------------------------------------------------------------------------- batch charts


def _bars(rows: list[tuple[str, float, str]], top: float) -> list[dict]:
    width = 200
    return [{"label": label, "shown": shown,
             "w": round(width * value / top, 1) if top else 0} for label, value, shown in rows]


class BatchCounts:
    """What the batch page's summary and charts count, added up a document at a time (so
    that no document has to be kept for them)."""

    def __init__(self) -> None:
        self.n = self.failed = self.flagged = self.targets = 0
        self.depth: Counter = Counter()
        self.stages: Counter = Counter()
        self.smart: Counter = Counter()
        self.specificity: Counter = Counter()

    def add(self, doc: dict) -> None:
        """Count a document's view (``document_view``)."""
        r = doc["r"]
        self.n += 1
        self.flagged += bool(doc["flags"])
        if r.get("error"):
            self.failed += 1
            return
        if r.get("depth"):
            self.depth[r["depth"]["level"]] += 1
        self.stages.update(_stages(r))
        for t in r.get("targets") or []:
            self.targets += 1
            self.smart.update(c for c in SMART_CRITERIA if t["smart"][c]["met"])
        self.specificity.update(f["specificity"] for f in r.get("feedback") or [])


def charts(counts: BatchCounts) -> list[dict]:
    texts = report_texts()
    failed = counts.failed
    out = []
    depth = counts.depth
    rows = [(f"{k} {LABELS_DEPTH[k]}", depth[k], f"{depth[k]}") for k in range(4)]
    if failed:
        rows.append(("not analysed", failed, f"{failed}"))
    out.append({"id": "ch-depth", "title": "Reflection depth across documents",
                "caption": f"Documents per reflection depth level (Hatton & Smith), "
                           f"n = {counts.n}.",
                "rows": _bars(rows, max([v for _, v, _ in rows] + [1]))})
    n_ok = counts.n - failed
    has = counts.stages
    rows = [(s, has[s] / (n_ok or 1), f"{_pct(has[s] / (n_ok or 1))} ({has[s]})")
            for s in GIBBS_STAGES]
    out.append({"id": "ch-gibbs", "title": "Gibbs stages present",
                "caption": f"Share of analysed documents with each Gibbs stage, n = {n_ok}.",
                "rows": _bars(rows, 1)})
    tg = counts.targets
    if tg:
        rows = []
        for c in SMART_CRITERIA:
            m = counts.smart[c]
            rows.append((texts["smart"][c], m / tg, f"{_pct(m / tg)} ({m}/{tg})"))
        out.append({"id": "ch-smart", "title": "SMART criteria met",
                    "caption": f"Share of targets meeting each SMART criterion, "
                               f"n = {tg} targets.", "rows": _bars(rows, 1)})
    else:
        out.append({"id": "ch-smart", "title": "SMART criteria met", "rows": [],
                    "caption": "No targets were found in these documents."})
    fb = counts.specificity
    total = sum(fb.values())
    if total:
        rows = [(texts["specificity"][k], fb[k], f"{fb[k]} ({_pct(fb[k] / total)})")
                for k in range(3)]
        out.append({"id": "ch-spec", "title": "Feedback specificity",
                    "caption": f"Feedback comments per specificity level, n = {total} comments.",
                    "rows": _bars(rows, max(fb.values()))})
    else:
        out.append({"id": "ch-spec", "title": "Feedback specificity", "rows": [],
                    "caption": "No feedback comments were found in these documents."})
    for c in out:
        c["desc"] = "; ".join(f"{b['label']}: {b['shown']}" for b in c["rows"]) or c["caption"]
    return out


# --------------------------------------------------------------------------- HTML


def _csp_hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode(
        "ascii") + "'"


@cache
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("reflectassist", "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)


@cache
def _assets() -> tuple[str, str, str]:
    """The inline style sheet, the inline script and the CSP allowing exactly those two."""
    env = _env()
    css = env.get_template("report.css.j2").render(elements=report_texts()["elements"])
    js = env.get_template("report.js.j2").render()
    csp = ("default-src 'none'; "
           f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
           "base-uri 'none'; form-action 'none'")
    return css, js, csp


def render_html(results: list[dict], texts: dict[str, str] | None = None,
                notes: Sequence[str] = ()) -> str:
    """One self-contained HTML page: the single-document view for one result, else the
    batch view. ``texts`` maps each result's path to the text that was analysed; ``notes``
    are the notes on the inputs (files skipped, remarks on reading)."""
    return _render(HtmlWriter, results, texts, notes=notes)


def html_section(doc: dict) -> str:
    """A document's section of the batch page (``doc``: its ``document_view``)."""
    return _env().get_template("_document.html.j2").module.section(doc, _criteria())


def _criteria() -> list[str]:
    return [report_texts()["smart"][c] for c in SMART_CRITERIA]


def table_row(doc: dict) -> str:
    """A document's row of the batch page's table (``doc``: its ``document_view``)."""
    return _env().get_template("_document.html.j2").module.table_row(doc)


def _page(out: TextIO, doc: dict | None, counts: BatchCounts | None = None,
          rows: Iterable[str] = (), sections: Iterable[str] = (),
          notes: Sequence[str] = ()) -> None:
    """Write the page: the single view of ``doc``, or (``doc`` None) the batch view, whose
    summary and charts come from ``counts`` and whose table rows and document sections are
    ``rows`` and ``sections`` (from ``table_row`` and ``html_section``)."""
    from markupsafe import Markup

    css, js, csp = _assets()
    batch = doc is None
    rt = report_texts()
    out.writelines(_env().get_template("report.html.j2").generate(
        doc=doc, batch=batch, version=__version__, csp=csp,
        css=Markup(css), js=Markup(js),  # our own static assets, never user text
        # rendered by table_row and html_section, which escaped the user text in them
        rows=map(Markup, rows), sections=map(Markup, sections),
        charts=charts(counts) if batch else [],
        elements=rt["elements"], gibbs_of=GIBBS,
        criteria=_criteria(), kinds=KINDS, kind_labels=rt["kinds"],
        n_docs=counts.n if batch else 1,
        n_failed=counts.failed if batch else 0,
        n_flagged=counts.flagged if batch else 0, notes=list(notes),
    ))


# --------------------------------------------------------------------------- writers


class ReportWriter:
    """Writes one report to a text stream a document at a time, so that memory does not
    grow with the batch (5,000 entries held as results took 0.5-1 GB): ``add`` each result
    in order, with the text that was analysed, then ``close``."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.n = 0

    def add(self, r: dict, text: str | None = None) -> None:
        self.n += 1

    def close(self, notes: Sequence[str] = ()) -> None:
        """Finish the report; ``notes`` on the inputs (files skipped, remarks on reading)
        go into the reports that are kept (JSON, HTML)."""

    def discard(self) -> None:
        """Free what the writer holds (temporary files), finished or not."""

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


class JsonWriter(ReportWriter):
    """The JSON report (``render_json``), each document written as it comes."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        out.write('{\n  "version": ' + json.dumps(__version__) + ',\n  "documents": [')

    def add(self, r: dict, text: str | None = None) -> None:
        self.out.write(("," if self.n else "") + "\n" + json_document(r))
        super().add(r)

    def close(self, notes: Sequence[str] = ()) -> None:
        listed = json.dumps(list(notes), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.out.write(("\n  ]" if self.n else "]") + ',\n  "notes": ' + listed + "\n}")


class CsvWriter(ReportWriter):
    """The CSV table (``render_csv``), a row per document as it comes."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.csv = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        self.csv.writeheader()

    def add(self, r: dict, text: str | None = None) -> None:
        self.csv.writerow(csv_row(r))
        super().add(r)


class TextWriter(ReportWriter):
    """The terminal summary (``render_text``), a block per document as it comes."""

    def __init__(self, out: TextIO, details: bool = True) -> None:
        super().__init__(out)
        self.details = details

    def add(self, r: dict, text: str | None = None) -> None:
        self.out.write(("\n" if self.n else "") + text_block(r, self.details, text))
        super().add(r)

    def close(self, notes: Sequence[str] = ()) -> None:  # the CLI prints the notes itself
        self.out.write("\n")


class HtmlWriter(ReportWriter):
    """The HTML report (``render_html``). The batch page shows its summary, charts and table
    before the documents, so each document's table row and section are rendered as it comes
    into temporary files and only counts are kept; the page is written at ``close``. The
    first document's whole view is kept until a second one shows that this is a batch, as a
    single document gets the single view."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.first: dict | None = None
        self.counts = BatchCounts()
        self.rows, self.sections = spool(), spool()

    def add(self, r: dict, text: str | None = None) -> None:
        doc = document_view(r, text, self.n)
        if self.n == 0:
            self.first = doc
        else:
            if self.first is not None:
                self._spool(self.first)
                self.first = None
            self._spool(doc)
        self.counts.add(doc)
        super().add(r)

    def _spool(self, doc: dict) -> None:
        self.rows.write(table_row(doc))
        self.sections.write(html_section(doc))

    def close(self, notes: Sequence[str] = ()) -> None:
        if self.n == 1:
            _page(self.out, self.first, notes=notes)
        else:
            _page(self.out, None, self.counts, read_back(self.rows),
                  read_back(self.sections), notes)

    def discard(self) -> None:
        self.rows.close()
        self.sections.close()


def spool() -> TextIO:
    """A temporary file for a report being written (deleted when closed)."""
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="")


def read_back(spooled: TextIO) -> Iterator[str]:
    """A temporary file's text from its start, in pieces of whole lines (~64 KiB): no piece
    ends inside an ANSI sequence, which ``typer.echo`` strips when standard output is not a
    terminal and which never spans a line."""
    spooled.seek(0)
    return map("".join, iter(lambda: spooled.readlines(1 << 16), []))


def _render(writer: type[ReportWriter], results: list[dict],
            texts: dict[str, str] | None = None, notes: Sequence[str] = (),
            **kwargs: Any) -> str:
    """A report of ``results`` as one string, written by ``writer``."""
    buf = io.StringIO()
    with writer(buf, **kwargs) as w:
        for r in results:
            w.add(r, (texts or {}).get(r["path"]))
        w.close(notes)
    return buf.getvalue()
