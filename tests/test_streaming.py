"""Reports are written a document at a time: the streamed reports are the documented ones,
and a batch's memory does not grow with the number of documents."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from cli_inprocess import assert_clean, run
from reflectassist import analysis, report
from reflectassist.analysis import analyse_text

ENTRY = ("I felt anxious on the ward because two staff were off sick. I think I rushed the "
         "handover, which meant a falls risk was missed. Next time I will ask my mentor for "
         "help before the shift starts.")
NOTE = ("Supervision notes\nFeedback: good work on the care plans, but be more specific in "
        "your handovers.\nAgreed actions:\n- Read the falls policy by Friday.\n")


@pytest.fixture(scope="module")
def results(nlp):
    rs = [analyse_text(nlp, ENTRY, "a.txt"), analyse_text(nlp, NOTE, "b <i>.txt"),
          analysis.error_result("c.txt", "not a text file")]
    return rs, {"a.txt": ENTRY, "b <i>.txt": NOTE}


@pytest.mark.parametrize("n", [0, 1, 3])
def test_json_report_is_the_documented_contract(results, n):
    rs = results[0][:n]
    assert report.render_json(rs) == json.dumps(report.contract(rs), ensure_ascii=False,
                                                indent=2)


def test_text_summary_is_each_documents_block_in_order(results):
    rs, texts = results
    blocks = [report.text_block(r, True, texts.get(r["path"])) for r in rs]
    assert report.render_text(rs, texts=texts) == "\n".join(blocks) + "\n"
    assert blocks[0].startswith("== a.txt\n") and blocks[2] == ("== c.txt\n"
                                                                 "   error: not a text file")
    assert 'at "I felt anxious on the ward' in blocks[0]  # quotes the text it was given
    assert "at \"" not in report.text_block(rs[0], True, None)


def reference_charts(docs: list[dict]) -> list[dict]:
    """REFERENCE: the charts as computed from every document's whole view (before the page
    was written from running counts)."""
    from collections import Counter

    from reflectassist import GIBBS_STAGES, LABELS_DEPTH, SMART_CRITERIA

    texts = report.report_texts()
    ok = [d for d in docs if not d["r"].get("error")]
    failed = len(docs) - len(ok)
    depth = Counter(d["r"]["depth"]["level"] for d in ok if d["r"].get("depth"))
    rows = [(f"{k} {LABELS_DEPTH[k]}", depth[k], f"{depth[k]}") for k in range(4)]
    rows += [("not analysed", failed, f"{failed}")] if failed else []
    top = max([v for _, v, _ in rows] + [1])
    out = [("ch-depth", f"n = {len(docs)}.", report._bars(rows, top))]
    has = Counter(s for d in ok for s in report._stages(d["r"]))
    n_ok = len(ok) or 1
    out.append(("ch-gibbs", f"n = {len(ok)}.", report._bars(
        [(s, has[s] / n_ok, f"{report._pct(has[s] / n_ok)} ({has[s]})") for s in GIBBS_STAGES], 1)))
    tg = [t for d in ok for t in d["r"].get("targets") or []]
    smart = [(texts["smart"][c], m / len(tg), f"{report._pct(m / len(tg))} ({m}/{len(tg)})")
             for c in SMART_CRITERIA
             for m in [sum(bool(t["smart"][c]["met"]) for t in tg)]] if tg else []
    out.append(("ch-smart", f"n = {len(tg)} targets." if tg else "No targets",
                report._bars(smart, 1)))
    fb = Counter(f["specificity"] for d in ok for f in d["r"].get("feedback") or [])
    total = sum(fb.values())
    spec = [(texts["specificity"][k], fb[k], f"{fb[k]} ({report._pct(fb[k] / total)})")
            for k in range(3)] if total else []
    out.append(("ch-spec", f"n = {total} comments." if total else "No feedback",
                report._bars(spec, max(fb.values()) if total else 1)))
    return out


def test_batch_charts_and_counts_from_running_counts_equal_those_of_whole_views(results):
    """The HTML writer keeps only running counts for the batch page's summary and charts;
    they must be what every document's whole view gives."""
    rs, texts = results
    for batch in (rs, rs[:2], rs[2:] * 2, rs * 3):
        views = [report.document_view(r, texts.get(r["path"]), n) for n, r in enumerate(batch)]
        counts = report.BatchCounts()
        for v in views:
            counts.add(v)
        got = report.charts(counts)
        want = reference_charts(views)
        assert [(c["id"], c["rows"]) for c in got] == [(i, rows) for i, _, rows in want]
        for c, (_, caption, _) in zip(got, want, strict=True):
            assert caption in c["caption"]
        assert (counts.n, counts.failed, counts.flagged) == (
            len(views), sum(bool(v["r"]["error"]) for v in views),
            sum(bool(v["flags"]) for v in views))


def test_batch_page_holds_each_row_and_section_once_in_order(results):
    rs, texts = results
    page = report.render_html(rs, texts)
    views = [report.document_view(r, texts.get(r["path"]), n) for n, r in enumerate(rs)]
    at = [page.index(report.table_row(v)) for v in views]
    at += [page.index(report.html_section(v)) for v in views]
    assert at == sorted(at) and len(set(at)) == 6
    assert page.count('<section class="doc"') == 3 and page.count("<tr data-doc=") == 3
    assert "b &lt;i&gt;.txt" in page and "<i>.txt" not in page
    assert "<p>3 documents: 2 analysed, <span class=\"err\">1 could not be analysed</span>" in page


def test_one_document_gets_the_single_view(results):
    rs, texts = results
    page = report.render_html(rs[:1], texts)
    assert '<section class="doc"' not in page and 'id="table"' not in page
    assert "<title>reflectassist report: a.txt</title>" in page


def _peak_mib(nlp, tmp_path, n_docs: int, monkeypatch, *args: str) -> float:
    """Peak traced memory of ``check`` over ``n_docs`` results of ~1 MB each."""
    base = analyse_text(nlp, ENTRY, "x.txt")

    def fake(_nlp, sources, **_kwargs):
        for src in sources:
            yield base | {"path": src.path, "padding": "x" * 1_000_000}

    monkeypatch.setattr(analysis, "analyse", fake)
    folder = tmp_path / f"in{n_docs}"
    folder.mkdir()
    for i in range(n_docs):
        (folder / f"e{i:03d}.txt").write_text(ENTRY, encoding="utf-8")
    tracemalloc.start()
    try:
        res = run("check", str(folder), *args, nlp=nlp)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_clean(res)
    assert res.code == 0
    return peak / 2**20


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_memory_does_not_grow_with_the_batch(nlp, tmp_path, monkeypatch, fmt):
    """60 results of 1 MB each: held until the end they would add ~60 MB (the CLI held every
    result and rendered each report as one string: 0.9-1 GB for 5,000 entries)."""
    out = tmp_path / f"report.{fmt}"
    small = _peak_mib(nlp, tmp_path, 3, monkeypatch, "-o", str(out), "--csv",
                      str(tmp_path / "t.csv"))
    large = _peak_mib(nlp, tmp_path, 60, monkeypatch, "-o", str(out), "--csv",
                      str(tmp_path / "t.csv"))
    assert large < small + 15, (small, large)
    if fmt == "json":
        docs = json.loads(out.read_text(encoding="utf-8"))["documents"]
        assert len(docs) == 60 and len(docs[-1]["padding"]) == 1_000_000  # nothing lost
    else:
        assert out.read_text(encoding="utf-8").count('<section class="doc"') == 60
    assert len((tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()) == 61


SECOND = ("On my placement I felt nervous when a resident fell in the lounge. I stayed with "
          "her and called the nurse. Next time I will check the sensor mat at handover.")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_result_is_reported_with_its_own_text(nlp, tmp_path, jobs):
    """The summary quotes each document's own text, with a failed file between them."""
    (tmp_path / "a.txt").write_text(ENTRY, encoding="utf-8")
    (tmp_path / "b.txt").write_text("   ", encoding="utf-8")  # empty: fails, no text
    (tmp_path / "c.txt").write_text(SECOND, encoding="utf-8")
    res = run("check", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
              str(tmp_path / "c.txt"), "-j", jobs, nlp=nlp)
    assert res.code == 1
    a, b, c = res.stdout.split("\n== ")
    quotes = {name: [q for line in block.splitlines() if line.strip().startswith("at \"")
                     for q in line.split('"')[1::2]]
              for name, block in zip("abc", (a, b, c), strict=True)}
    assert quotes["a"] and quotes["c"] and not quotes["b"]
    assert all(q.rstrip("…") in " ".join(ENTRY.split()) for q in quotes["a"])
    assert all(q.rstrip("…") in " ".join(SECOND.split()) for q in quotes["c"])
