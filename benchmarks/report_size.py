"""How big is the batch HTML report for a cohort, and how long does it take to render and open?

    python benchmarks/report_size.py            # 500 documents
    python benchmarks/report_size.py -n 1000 --out /tmp/cohort.html

Runs the shipped pipeline on real texts (the entries and supervision notes in corpora/,
taken in turn from each file, then the examples/, repeated with a suffix if more are
asked for), plus a few unreadable inputs, renders the batch report, and prints its size,
the render time and, if Debian's chromium is installed, the time for the browser to open
the page (navigation start to the load event, and to the first contentful paint) driven
over the DevTools protocol by the helper in tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_texts() -> list[tuple[str, str]]:
    files = sorted((ROOT / "corpora" / "depth").glob("*.jsonl")) + \
        sorted((ROOT / "corpora" / "notes").glob("*.jsonl"))
    per_file = []
    for f in files:
        rows = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        per_file.append([(f"{f.stem}/{r['id']}.txt", r["text"]) for r in rows])
    mixed = [x for group in itertools.zip_longest(*per_file) for x in group if x]
    mixed += [(f"examples/{f.name}", f.read_text(encoding="utf-8"))
              for f in sorted((ROOT / "examples").glob("*.txt"))]
    return mixed


def cohort(n: int, failures: int) -> list[tuple[str, str | None, str | None]]:
    pool = corpus_texts()
    out = []
    for k in range(n - failures):
        path, text = pool[k % len(pool)]
        if k >= len(pool):
            path = path.replace(".txt", f"-{k // len(pool)}.txt")
        out.append((path, text, None))
    out += [(f"unreadable/broken-{k}.txt", None, "cannot decode the file") for k in range(failures)]
    return out


def open_time(html_path: Path) -> dict | None:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from test_browser import Browser, find_chromium
    except ImportError:
        return None
    exe = find_chromium()
    if exe is None:
        return None
    b = Browser(exe, timeout=120)
    try:
        runs = []
        for _ in range(3):
            page = b.open(html_path.as_uri())
            t = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " const p = performance.getEntriesByName('first-contentful-paint')[0];"
                " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
                " fcp: p ? p.startTime : null,"
                " nodes: document.getElementsByTagName('*').length}; })()")
            # interaction: sort by depth, filter to flagged, expand every section (with layout)
            t.update(page.evaluate(
                "(() => { const d = document, t0 = performance.now();"
                " d.querySelectorAll('#docs th button')[2].click(); d.body.offsetHeight;"
                " const t1 = performance.now(); const c = d.getElementById('f-flag');"
                " c.checked = true; c.dispatchEvent(new Event('change')); d.body.offsetHeight;"
                " c.checked = false; c.dispatchEvent(new Event('change'));"
                " const t2 = performance.now(); d.getElementById('f-open').click();"
                " d.body.offsetHeight; const t3 = performance.now();"
                " return {sort: t1 - t0, filter: t2 - t1, expand: t3 - t2}; })()"))
            t["errors"] = len(page.console_errors())
            runs.append(t)
            page.close()
        best = min(runs, key=lambda r: r["load"])
        best["runs"] = [round(r["load"]) for r in runs]
        return best
    finally:
        b.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=500, help="documents (default 500)")
    ap.add_argument("--failures", type=int, default=5, help="unreadable inputs among them")
    ap.add_argument("--out", type=Path, help="keep the report here")
    ap.add_argument("--no-browser", action="store_true", help="skip the open-time measurement")
    args = ap.parse_args()

    from reflectassist.analysis import Source, analyse
    from reflectassist.pipeline import load_pipeline
    from reflectassist.report import render_csv, render_html

    items = cohort(args.n, args.failures)
    nlp = load_pipeline()
    t0 = time.perf_counter()
    results = list(analyse(nlp, (Source(p, t, e) for p, t, e in items)))
    t_analyse = time.perf_counter() - t0
    texts = {p: t for p, t, _ in items if t is not None}

    render_html(results[:2], texts)  # warm the template cache, as the CLI's first call would
    t0 = time.perf_counter()
    html = render_html(results, texts)
    t_render = time.perf_counter() - t0
    t0 = time.perf_counter()
    csv_text = render_csv(results)
    t_csv = time.perf_counter() - t0
    raw = html.encode("utf-8")
    text_chars = sum(len(t) for t in texts.values())

    out = args.out or Path(tempfile.mkdtemp(prefix="reflectassist-bench-")) / "cohort.html"
    out.write_bytes(raw)
    print(f"documents:        {len(results)} ({sum(bool(r['error']) for r in results)} failed)")
    print(f"input text:       {text_chars / 1e6:.2f} M characters")
    print(f"analysis:         {t_analyse:.1f} s")
    print(f"HTML size:        {len(raw) / 1e6:.2f} MB ({len(raw) / len(results) / 1e3:.1f} kB per "
          f"document, {len(raw) / max(text_chars, 1):.1f} bytes per input character; "
          f"gzip {len(gzip.compress(raw)) / 1e6:.2f} MB)")
    print(f"HTML render:      {t_render:.2f} s")
    print(f"CSV:              {len(csv_text.encode()) / 1e3:.0f} kB in {t_csv * 1e3:.0f} ms")
    print(f"report:           {out}")
    if args.no_browser:
        return
    t = open_time(out)
    if t is None:
        print("open time:        not measured (no chromium; install Debian's 'chromium')")
    else:
        print(f"open (Chromium):  load event {t['load']:.0f} ms (runs {t['runs']}), "
              f"DOMContentLoaded {t['dcl']:.0f} ms, first contentful paint "
              f"{t['fcp'] or float('nan'):.0f} ms; {t['nodes']} elements; "
              f"{t['errors']} console errors")
        print(f"interaction:      sort {t['sort']:.0f} ms, filter and unfilter "
              f"{t['filter']:.0f} ms, expand all {t['expand']:.0f} ms")


if __name__ == "__main__":
    main()
