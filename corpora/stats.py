"""Print the corpus figures quoted in corpora/README.md: python corpora/stats.py"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def load(task: str) -> list[dict]:
    out = []
    for p in sorted((ROOT / task).glob("*.jsonl")):
        out += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line]
    return out


def words(t: str) -> int:
    return len(t.split())


def main() -> None:
    depth = load("depth")
    print(f"depth entries: {len(depth)}  scenarios: {len({d['scenario'] for d in depth})}")
    for lvl in range(4):
        ws = [words(d["text"]) for d in depth if d["depth"] == lvl]
        print(f"  level {lvl}: n={len(ws)} words median={statistics.median(ws):.0f} "
              f"min={min(ws)} max={max(ws)}")
    print("  kinds:", dict(Counter(d["kind"] for d in depth)))
    print("  styles:", dict(Counter(d.get("style") for d in depth)))
    print("  distinct roles:", len({d.get("role", "").lower() for d in depth}),
          " settings:", len({d.get("setting", "").lower() for d in depth}))
    el = Counter(s["element"] for d in depth for s in d.get("sentences", []))
    print(f"  labelled sentences: {sum(el.values())}", dict(el.most_common()))
    fb = load("feedback")
    levels = dict(sorted(Counter(f["specificity"] for f in fb).items()))
    print(f"feedback comments: {len(fb)}", levels)
    print("  sources:", dict(Counter(f.get("source") for f in fb).most_common()))
    for lvl in range(3):
        ws = [words(f["text"]) for f in fb if f["specificity"] == lvl]
        print(f"  level {lvl}: words median={statistics.median(ws):.0f} "
              f"min={min(ws)} max={max(ws)}")
    sm = load("smart")
    print(f"smart targets: {len(sm)}")
    for c in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        cnt = Counter(str(t.get(c)) for t in sm)
        print(f"  {c}: true={cnt['True']} false={cnt['False']} null={cnt['None']}")
    notes = load("notes")
    print(f"annotated notes: {len(notes)}  feedback spans: "
          f"{sum(len(n.get('feedback', [])) for n in notes)}  target spans: "
          f"{sum(len(n.get('targets', [])) for n in notes)}")
    for p in sorted((ROOT / "notes").glob("*.jsonl")):
        part = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x]
        fb_levels = Counter(f["specificity"] for n in part for f in n.get("feedback", []))
        print(f"  {p.name}: {len(part)} documents, feedback spans "
              f"{sum(fb_levels.values())} (levels 0/1/2: {fb_levels[0]}/{fb_levels[1]}/"
              f"{fb_levels[2]}), target spans {sum(len(n.get('targets', [])) for n in part)}, "
              f"kinds {dict(Counter(n.get('kind') for n in part).most_common())}")
    pii = load("pii")
    if pii:
        print(f"identifier snippets: {len(pii)}",
              dict(Counter(e["type"] for p in pii for e in p["entities"]).most_common()))


if __name__ == "__main__":
    main()
