"""Render analysis results as terminal text, JSON, CSV or a self-contained HTML report.

HTML comes from Jinja2 templates in ``templates/`` with autoescaping on, so user text is
always escaped; the page has a Content-Security-Policy and makes no network requests.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from . import GIBBS_STAGES, SMART_CRITERIA, __version__

ELEMENT_COLOURS = {
    "experience": "#dbe9f6", "feeling": "#fde2e4", "belief": "#efe3f7", "difficulty": "#fff1c9",
    "perspective": "#d8f3ea", "reflection": "#c9f0d6", "learning": "#e5f5c4",
    "intention": "#ffe0c2", "other": "#eeeeee",
}


def contract(results: list[dict]) -> dict:
    return {"version": __version__, "documents": results}


def render_json(results: list[dict]) -> str:
    return json.dumps(contract(results), ensure_ascii=False, indent=2)


def summary_row(r: dict) -> dict:
    """One flat row per document: the batch table and the CSV share it."""
    stages = {s["gibbs"] for s in r["sentences"] if s.get("gibbs") and not s.get("buzz")}
    fb = r["feedback"]
    tg = r["targets"]
    met = sum(t["smart"][c]["met"] for t in tg for c in SMART_CRITERIA)
    return {
        "path": r["path"],
        "kind": r["kind"] or "",
        "depth": "" if not r["depth"] else r["depth"]["level"],
        "depth_label": "" if not r["depth"] else r["depth"]["label"],
        "gibbs_stages": len(stages),
        "gibbs_missing": ";".join(s for s in GIBBS_STAGES if s not in stages) if r["depth"] else "",
        "feedback_comments": len(fb),
        "feedback_mean_specificity": round(sum(c["specificity"] for c in fb) / len(fb), 2)
        if fb else "",
        "targets": len(tg),
        "smart_share": round(met / (5 * len(tg)), 2) if tg else "",
        "suggestions": len(r["suggestions"]),
        "error": r["error"] or "",
    }


def render_csv(results: list[dict]) -> str:
    buf = io.StringIO()
    rows = [summary_row(r) for r in results]
    fields = list(summary_row({"path": "", "kind": None, "depth": None, "sentences": [],
                               "feedback": [], "targets": [], "suggestions": [],
                               "error": None}).keys())
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for row in rows:
        # neutralise spreadsheet formulas in user-controlled cells
        row = {k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
               for k, v in row.items()}
        w.writerow(row)
    return buf.getvalue()


def render_text(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"== {r['path']}")
        if r["error"]:
            lines.append(f"   error: {r['error']}")
            continue
        d = r["depth"]
        lines.append(f"   kind: {r['kind']} ({r['kind_source']})")
        lines.append(f"   depth: {d['level']} {d['label']} (p={max(d['probabilities']):.2f})")
        row = summary_row(r)
        missing = row["gibbs_missing"].replace(";", ", ") or "none"
        lines.append(f"   Gibbs stages: {row['gibbs_stages']}/6 (missing: {missing})")
        if r["feedback"]:
            c = Counter(f["specificity"] for f in r["feedback"])
            lines.append(f"   feedback: {len(r['feedback'])} comments "
                         f"(vague {c[0]}, partly specific {c[1]}, specific {c[2]})")
        if r["targets"]:
            lines.append(f"   targets: {len(r['targets'])}, SMART criteria met "
                         f"{row['smart_share']:.0%}")
            for t in r["targets"]:
                lines.append(f"     - {_clip(t['text'])}: {t['verdict']}")
        for s in r["suggestions"][:8]:
            if s["severity"] != "info":
                lines.append(f"   * [{s['dimension']}] {s['message']}")
        if len(r["suggestions"]) > 8:
            lines.append(f"   ... {len(r['suggestions']) - 8} more suggestions in the report")
    return "\n".join(lines) + "\n"


def _clip(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def segments(r: dict) -> list[dict]:
    """Split the text into plain and sentence pieces for inline marking in HTML."""
    text = r.get("_text")
    if text is None:
        return []
    out, pos = [], 0
    for i, s in enumerate(r["sentences"]):
        if s["start"] > pos:
            out.append({"text": text[pos:s["start"]], "sentence": None})
        out.append({"text": text[s["start"]:s["end"]], "sentence": s, "index": i})
        pos = s["end"]
    if pos < len(text):
        out.append({"text": text[pos:], "sentence": None})
    return out


def render_html(results: list[dict], texts: dict[str, str] | None = None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("reflectassist", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    docs = []
    for n, r in enumerate(results):
        r = dict(r)
        r["_text"] = (texts or {}).get(r["path"])
        docs.append({"id": f"doc{n}", "r": r, "row": summary_row(r), "segments": segments(r)})
    depth_counts = Counter(d["r"]["depth"]["level"] for d in docs if d["r"]["depth"])
    template = env.get_template("report.html.j2")
    return template.render(docs=docs, version=__version__, colours=ELEMENT_COLOURS,
                           criteria=SMART_CRITERIA, stages=GIBBS_STAGES,
                           depth_counts=[depth_counts.get(k, 0) for k in range(4)],
                           batch=len(docs) > 1)
