"""The HTML report (single and batch views), the CSV batch table and the JSON contract.

The HTML is parsed with the standard library's HTMLParser: tags must nest, every in-page
link must reach an element, user text must come out as text (never markup), and the
Content-Security-Policy must allow exactly the page's own style sheet and script.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflectassist import GIBBS_STAGES, SMART_CRITERIA, __version__
from reflectassist.analysis import Source, analyse, analyse_text, error_result
from reflectassist.report import (
    CSV_FIELDS,
    render_csv,
    render_html,
    render_json,
    render_text,
    summary_row,
    text_view,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "reflectassist" / "templates"
VOID = {"meta", "br", "input", "img", "hr", "link", "col", "wbr", "source", "area", "base"}
SVG_LEAVES = {"rect", "line"}
HOSTILE = ("Reflective account <script>alert('x')</script> & \"quoted\" 'single'.\n\n"
           "I felt anxious <img src=x onerror=\"alert(1)\"> & rushed because the handover "
           "was late. Looking back, I think the family saw it differently.\n\n"
           "Feedback\n- Good work this month <b onmouseover=alert(2)>here</b>.\n\n"
           "Actions agreed:\n1. Complete the </div></span><svg onload=alert(3)> e-learning "
           "by 28 February and bring the certificate.\n")


class Page(HTMLParser):
    """Collects tags, ids, links, scripts and the text of the marked-up text views."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.texts: dict[str, str] = {}  # text view id -> visible user text
        self.headings: list[int] = []
        self._text_id: str | None = None
        self._text_depth = 0
        self._skip_depth = 0
        self._raw: str | None = None
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("script", "style"):
            self._raw = tag
            self.raw[tag].append("")
        if tag in VOID:
            return
        self.stack.append(tag)
        if self._text_id is not None:
            self._text_depth += 1
            cls = (a.get("class") or "").split()
            if self._skip_depth or "tag" in cls or "ref" in cls:
                self._skip_depth += 1
        elif tag == "div" and "text" in (a.get("class") or "").split():
            self._text_id, self._text_depth = a["id"], 1
            self.texts[a["id"]] = ""

    def handle_startendtag(self, tag, attrs):
        if tag in SVG_LEAVES or tag in VOID:
            self.tags.append((tag, dict(attrs)))
            return
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag in ("script", "style"):
            self._raw = None
        if self._text_id is not None:
            self._text_depth -= 1
            if self._skip_depth:
                self._skip_depth -= 1
            if self._text_depth == 0:
                self._text_id = None

    def handle_data(self, data):
        if self._raw:
            self.raw[self._raw][-1] += data
        if self._text_id is not None and not self._skip_depth:
            self.texts[self._text_id] += data


def sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def check_page(html: str) -> Page:
    """Structure every report must have; returns the parsed page."""
    page = Page(html)
    assert page.errors == []
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    ids = set(page.ids)
    for tag, a in page.tags:
        if tag == "a":
            assert a.get("href", "").startswith("#"), a  # in-page links only
            assert a["href"][1:] in ids, f"dangling link {a['href']}"
            for i in (a.get("data-hl") or "").split():
                assert i in ids, f"dangling highlight {i}"
        assert not any(k.startswith("on") for k in a), (tag, a)
        assert "src" not in a and tag not in ("img", "iframe", "link", "object", "embed"), tag
        assert "style" not in a, "inline style attributes would need 'unsafe-inline'"
    # one inline style sheet and one inline script, both allowed by hash and nothing else
    assert len(page.raw["script"]) == 1 and len(page.raw["style"]) == 1
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    csp = metas[0]["content"]
    assert metas[0]["http-equiv"] == "Content-Security-Policy"
    assert [t for t, _ in page.tags].index("meta") < [t for t, _ in page.tags].index("style")
    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert f"script-src {sha(page.raw['script'][0])}" in csp
    assert f"style-src {sha(page.raw['style'][0])}" in csp
    assert "base-uri 'none'" in csp and "form-action 'none'" in csp
    assert not re.search(r"(?i)\b(?:https?:|ftp:)//", page.raw["style"][0] + page.raw["script"][0])
    assert "@import" not in page.raw["style"][0] and "url(" not in page.raw["style"][0]
    # accessibility basics
    assert re.search(r'<html lang="en">', html)
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    for t, a in page.tags:
        if t == "th":
            assert a.get("scope") == "col"
        if t == "svg":
            assert a.get("role") == "img" and a.get("aria-labelledby")
    labels = {a.get("for") for t, a in page.tags if t == "label"}
    for t, a in page.tags:
        if t in ("input", "select"):
            assert a["id"] in labels
    return page


@pytest.fixture(scope="module")
def note(nlp):
    text = (EXAMPLES / "supervision_note.txt").read_text(encoding="utf-8")
    return analyse_text(nlp, text, path="examples/supervision_note.txt"), text


@pytest.fixture(scope="module")
def cohort(nlp):
    texts, srcs = {}, []
    for f in sorted(EXAMPLES.glob("*.txt")):
        for k in range(3):
            path = f"{f.stem}-{k}.txt"
            texts[path] = f.read_text(encoding="utf-8")
            srcs.append(Source(path, texts[path]))
    srcs.append(Source("broken.txt", None, "cannot decode the file"))
    return list(analyse(nlp, srcs)), texts


# ------------------------------------------------------------------------ single document


def test_single_view_content(note):
    r, text = note
    html = render_html([r], {r["path"]: text})
    page = check_page(html)
    assert "<title>reflectassist report: examples/supervision_note.txt</title>" in html
    assert "<details" not in html and 'id="docs"' not in html  # no batch parts
    # header card: depth and the next level, Gibbs, specificity, SMART summary
    d = r["depth"]
    assert f"{d['level']} &ndash; {d['label']}" in html and "Next level:" in html
    missing = summary_row(r)["gibbs_missing"].split(";")
    for stage in GIBBS_STAGES:
        state = "missing" if stage in missing else "present"
        assert f'<li class="{"n" if state == "missing" else "y"}">{stage} <small>{state}' in html
    # each present stage links to the sentences that make it present (gibbs_evidence)
    assert sorted(r["gibbs_evidence"]) == sorted(r["gibbs_present"])
    for stage, ix in r["gibbs_evidence"].items():
        assert ix and all(0 <= i < len(r["sentences"]) for i in ix)
        item = re.search(rf'<li class="y">{stage} <small>present: (.*?)</small></li>', html)
        assert item, stage
        linked = re.findall(r'<a href="#d0-s(\d+)">(\d+)</a>', item.group(1))
        assert [int(j) for j, _ in linked] == ix[:3]
        assert all(int(n) == int(j) + 1 for j, n in linked)
        assert all(f'id="d0-s{j}"' in html for j, _ in linked)
    assert "4 comments, mean 1.0 of 2" in html
    assert "of 5 targets fully SMART" in html and "criteria met" in html
    # the text view is the original text, sliced exactly, with a label on every sentence
    assert page.texts["d0-text"] == text
    assert html.count('<span class="s e-') == len(r["sentences"]) + 10  # + 10 in the key
    for s in r["sentences"]:
        assert f'<span class="tag">{s["element"]}</span>' in html
    # feedback and targets are marked inline, with a text badge at the start of each
    assert html.count("feedback: vague</span>") == 2
    assert html.count("feedback: specific</span>") == 2
    assert html.count('<span class="tag tt">target: ') == len(r["targets"]) + 1  # + key
    # suggestions: numbered, each linked to its span and linked back from the text
    assert 'id="d0-sugg"' in html
    for k in range(1, html.count('<li id="d0-g') + 1):
        assert f'href="#d0-g{k}"' in html
    go = re.findall(r'<a href="#(d0-[ps]\d+)" data-hl="([^"]+)">“([^”]*)”</a>', html)
    assert go and all(hl.split()[0] == target for target, hl, _ in go)
    quotes = {q for _, _, q in go}
    assert "Good work this month." in quotes and "Review caseload ASAP." in quotes
    # per target, a row of five ticks/crosses with the reason
    rows = re.findall(r"<tr><td><a href=\"#d0-p\d+\"[^>]*>[^<]*</a><br><small>[^<]*</small>"
                      r"</td>((?:<td class=\"[yn]\">[^<]*<br><small>[^<]*</small></td>){5})</tr>",
                      html)
    assert len(rows) == len(r["targets"])
    for t, row in zip(r["targets"], rows, strict=True):
        cells = re.findall(r'<td class="([yn])">([^<]*)<br><small>([^<]*)</small>', row)
        assert [c[0] == "y" for c in cells] == [t["smart"][c]["met"] for c in SMART_CRITERIA]
        assert [c[2] for c in cells] == [
            t["smart"][c]["reason"].replace("'", "&#39;") for c in SMART_CRITERIA]
    # feedback table: instance / impact / next step
    assert "<th scope=\"col\">Next step</th>" in html


def test_user_text_is_always_escaped(nlp):
    path = "<script>alert('path')</script>&\"x\".txt"
    r = analyse_text(nlp, HOSTILE, path=path)
    assert r["feedback"] and r["targets"]
    html = render_html([r], {path: HOSTILE})
    page = check_page(html)
    assert page.texts["d0-text"] == HOSTILE
    assert [t for t, _ in page.tags].count("script") == 1
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<svg onload", "</div></span>"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34;" in html
    assert "<title>reflectassist report: &lt;script&gt;alert(&#39;path&#39;)&lt;/script&gt;" \
        "&amp;&#34;x&#34;.txt</title>" in html
    # the same in the batch view (table cell, section heading, summary)
    html = render_html([r, r | {"path": "second & <i>.txt"}], {path: HOSTILE})
    check_page(html)
    assert "<svg onload" not in html and "<i>.txt" not in html and "second &amp; &lt;i&gt;" in html


def test_templates_never_mark_text_safe():
    for f in TEMPLATES.glob("*.j2"):
        body = f.read_text(encoding="utf-8")
        assert "|safe" not in body.replace(" ", "") and "autoescape false" not in body, f.name
    from reflectassist.report import _env

    assert _env().autoescape is True


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_colours_have_enough_contrast():
    from reflectassist.report import _assets, report_texts

    css = _assets()[0]
    var = dict(re.findall(r"--([a-z]+):(#[0-9a-f]{6}|#[0-9a-f]{3})\b", css))
    for name, e in report_texts()["elements"].items():  # sentence backgrounds, dark text
        assert contrast(var["ink"], e["colour"]) >= 7, name
        assert contrast("#222222", e["colour"]) >= 7, name  # the labels sit on white anyway
    text_pairs = [(var["ink"], "#ffffff"), (var["muted"], "#fafafa"), (var["link"], "#ffffff"),
                  (var["ok"], "#fafafa"), (var["no"], "#fafafa"), (var["adv"], "#f6f6f6"),
                  (var["inf"], "#f6f6f6"), ("#4a1f63", "#ffffff"), ("#0b3f7c", "#ffffff"),
                  ("#5c3700", "#fff8e8"), ("#ffffff", "#333333"), (var["link"], "#f4f6f8")]
    for fg, bg in text_pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg)
    for graphic in (var["bar"], var["fb"], var["tg"], var["no"]):  # bars, underlines, outline
        assert contrast(graphic, "#ffffff") >= 3, graphic


def test_overlapping_and_crossing_spans_nest_safely():
    text = "First sentence here. Second one is here. Third & last <one>."
    r = {
        "path": "x.txt", "kind": "supervision_note", "kind_source": "given",
        "text_length": len(text),
        "depth": {"level": 1, "label": "descriptive reflection",
                  "probabilities": [0.1, 0.5, 0.3, 0.1]},
        "sentences": [
            {"start": 0, "end": 20, "text": text[0:20], "element": "experience",
             "gibbs": "description"},
            {"start": 21, "end": 40, "text": text[21:40], "element": "feeling",
             "gibbs": "feelings", "buzz": True},
            {"start": 41, "end": len(text), "text": text[41:], "element": "nonsense",
             "gibbs": None},
        ],
        # feedback crosses a sentence boundary; a target overlaps it; one span is empty
        "feedback": [{"start": 6, "end": 30, "text": text[6:30], "specificity": 0,
                      "score": 0.8, "instance": {"met": False, "evidence": []},
                      "impact": {"met": False}, "next_step": {"met": True,
                                                               "evidence": [[6, 14, "sentence"]]}},
                     {"start": 50, "end": 50, "text": "", "specificity": 2, "score": 0.9}],
        "targets": [{"start": 15, "end": 45, "text": text[15:45], "verdict": "Not yet SMART",
                     "smart": {c: {"met": c != "time_bound", "score": 0.9, "reason": "why"}
                               for c in SMART_CRITERIA}}],
        "suggestions": [
            {"dimension": "feedback", "message": "Vague.", "start": 6, "end": 30,
             "severity": "important", "prompt": ""},
            {"dimension": "smart", "message": "Not time-bound.", "start": 15, "end": 45,
             "severity": "advice", "prompt": "Add a date"},
            {"dimension": "depth", "message": "Whole text.", "start": 0, "end": len(text),
             "severity": "info", "prompt": ""},
            {"dimension": "depth", "message": "Off the end.", "start": 500, "end": 900,
             "severity": "info", "prompt": ""},
        ],
        "error": None,
    }
    html = render_html([r], {"x.txt": text})
    page = check_page(html)
    assert page.texts["d0-text"] == text
    # every piece of the crossing feedback is highlighted together
    hl = re.search(r'data-hl="([^"]+)">“First', html)
    m = re.search(r'<a href="#(d0-p\d+)" data-hl="([^"]+)">“sentence here', html)
    assert m and len(m.group(2).split()) == 4  # 6-15, 15-20, the gap 20-21, 21-30
    assert hl is not None and len(hl.group(1).split()) == 3  # the whole-text suggestion
    assert html.count("feedback: vague</span>") == 1 and html.count("target: 4/5 SMART") == 1
    assert '<mark class="fb f0 tg"' in html
    assert "Off the end." in html  # listed, just not linked
    assert '<span class="tag bz">feeling · buzzwords</span>' in html
    assert '<span class="s e-other"' in html  # unknown element falls back to "other"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab <&>\n'\"", min_size=0, max_size=60),
       st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6),
       st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=4),
       st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=4))
def test_text_view_covers_the_text_exactly_once(text, sents, fbs, tgs):
    r = {"sentences": [{"start": a, "end": b, "element": "feeling"} for a, b in sents],
         "feedback": [{"start": a, "end": b, "specificity": 1} for a, b in fbs],
         "targets": [{"start": a, "end": b, "smart": {c: {"met": True} for c in SMART_CRITERIA}}
                     for a, b in tgs]}
    view = text_view(r, text, "d0")
    assert "".join(p["text"] for b in view["blocks"] for p in b["pieces"]) == text
    seen = [b["j"] for b in view["blocks"] if b["j"] is not None]
    assert len(seen) == len(set(seen))  # one block per sentence
    for (kind, j), ids in view["anchors"].items():
        if kind in ("f", "t"):
            items = r["feedback" if kind == "f" else "targets"]
            a, b = max(0, items[j]["start"]), min(len(text), items[j]["end"])
            covered = "".join(p["text"] for blk in view["blocks"] for p in blk["pieces"]
                              if p.get("id") in ids)
            assert covered == text[a:b]


def test_missing_or_mismatched_text_is_rebuilt_from_the_spans(note):
    r, text = note
    for texts in (None, {r["path"]: "something else entirely"}):
        html = render_html([r], texts)
        page = check_page(html)
        assert "The original text was not available" in html
        shown = page.texts["d0-text"]
        for s in r["sentences"]:
            assert shown[s["start"]:s["end"]] == s["text"]
    # CRLF text from a caller that did not normalise: offsets still fit after normalising
    html = render_html([r], {r["path"]: text.replace("\n", "\r\n")})
    assert "not available" not in html and check_page(html).texts["d0-text"] == text


def test_error_document_single_view():
    html = render_html([error_result("gone.txt", "file not found")], {})
    check_page(html)
    assert "Could not analyse this document: file not found" in html


# ------------------------------------------------------------------------ batch view


def test_batch_view_content(cohort):
    results, texts = cohort
    html = render_html(results, texts)
    page = check_page(html)
    n = len(results)
    assert f"<title>reflectassist report: {n} documents</title>" in html
    # the table: one row per document, sortable values, filter attributes
    rows = re.findall(r"<tr data-doc=\"(d\d+)\" data-kind=\"(\w*)\" data-depth=\"(\w)\" "
                      r"data-flag=\"([01])\">", html)
    assert [r[0] for r in rows] == [f"d{k}" for k in range(n)]
    assert rows[-1][1:] == ("", "x", "1")  # the failure
    assert {r[1] for r in rows[:-1]} == {"reflective_entry", "supervision_note"}
    for header in ("Document", "Kind", "Depth", "Gibbs stages", "Feedback specificity",
                   "SMART criteria met", "Flags", "Failure"):
        assert f'<th scope="col">{header}' in html
    assert '<td class="err" data-v="1">cannot decode the file</td>' in html
    assert "1 target not SMART" in html and "2 vague feedback" in html
    assert "1 could not be analysed" in html
    # filter controls exist but stay hidden until the script shows them
    assert '<div class="controls" id="controls" hidden>' in html
    # charts: inline SVG with a title and a description carrying the numbers
    for chart in ("ch-depth", "ch-gibbs", "ch-smart", "ch-spec"):
        assert f'<figure class="chart" id="{chart}">' in html
        assert f'<title id="{chart}-t">' in html and f'<desc id="{chart}-d">' in html
    assert "2 dialogic reflection: 6" in html and "not analysed: 1" in html
    assert "vague: 6 (50%)" in html and "specific: 6 (50%)" in html
    smart = re.search(r'<desc id="ch-smart-d">([^<]*)</desc>', html).group(1)
    assert smart.startswith("Specific: ") and "Time-bound: " in smart
    # a section per document, collapsed, with the full analysis inside
    assert html.count('<details class="more">') == n - 1
    assert html.count('<section class="doc"') == n
    for k in range(n - 1):
        assert page.texts[f"d{k}-text"] == texts[results[k]["path"]]
    assert html.count('<ul class="key"') == 1


def test_empty_batch_renders():
    html = render_html([], {})
    check_page(html)
    assert "0 documents" in html


def test_batch_of_failures_only():
    results = [error_result("a.txt", "file not found"), error_result("b.txt", "empty text")]
    html = render_html(results, {})
    check_page(html)
    assert "No targets were found" in html and "No feedback comments were found" in html


def test_batch_report_stays_small(nlp):
    text = (EXAMPLES / "supervision_note.txt").read_text(encoding="utf-8")
    results = list(analyse(nlp, [Source(f"n{k}.txt", text) for k in range(40)]))
    html = render_html(results, {f"n{k}.txt": text for k in range(40)})
    assert html.count("<style>") == 1 and html.count("<script>") == 1
    # a dense note (4 feedback comments, 4 targets, 5 suggestions) costs about 13 kB; the
    # 500-document cohort of benchmarks/report_size.py averages about 10 kB per document
    per_doc = len(html.encode()) / 40
    assert per_doc < 16_000, per_doc


# ------------------------------------------------------------------------ CSV, JSON, text


def test_csv_batch_table(cohort):
    results, _ = cohort
    out = render_csv(results)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0].keys()) == CSV_FIELDS
    # the original columns keep their positions; new ones are appended
    assert CSV_FIELDS[:12] == ("path", "kind", "depth", "depth_label", "gibbs_stages",
                               "gibbs_missing", "feedback_comments",
                               "feedback_mean_specificity", "targets", "smart_share",
                               "suggestions", "error")
    assert len(rows) == len(results)
    note = next(r for r in rows if r["kind"] == "supervision_note")
    assert note["feedback_vague"] == "2" and note["feedback_specific"] == "2"
    assert note["targets_all_smart"] == "2" and float(note["smart_share"]) == 0.76
    assert "2 vague feedback" in note["flags"]
    assert rows[-1]["error"] == "cannot decode the file" and rows[-1]["depth"] == ""


@pytest.mark.parametrize("path", ["=HYPERLINK(\"http://x\")", "+1.txt", "-a.txt", "@x.txt",
                                  "\tx.txt", "\rx.txt"])
def test_csv_neutralises_formulas(path):
    out = render_csv([error_result(path, "=cmd|' /C calc'!A0")])
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["path"] == "'" + path and row["error"].startswith("'=")


def test_json_contract_unchanged(note):
    r, _ = note
    data = json.loads(render_json([r]))
    assert data == {"version": __version__, "documents": [r], "notes": []}


def test_notes_on_the_inputs_are_kept_in_the_json_and_html_reports(note, cohort):
    """Skipped files and reading remarks were only printed on the terminal: a kept report
    did not say what it had left out. User-written file names are escaped in the HTML."""
    r, _ = note
    notes = ["a/.hidden.txt: skipped (hidden)", "<b>x</b>.pdf: page(s) 2 have no extractable"
             " text (scanned?)"]
    assert json.loads(render_json([r], notes))["notes"] == notes
    assert json.loads(render_json([], notes)) == {"version": __version__, "documents": [],
                                                   "notes": notes}
    results, _ = cohort
    for page in (render_html([r], notes=notes), render_html(results, notes=notes)):
        assert '<h2 id="notes">Notes on the inputs</h2>' in page
        assert "<li>a/.hidden.txt: skipped (hidden)</li>" in page
        assert "&lt;b&gt;x&lt;/b&gt;.pdf" in page and "<b>x</b>" not in page
    assert "Notes on the inputs" not in render_html(results)


def test_render_text_still_summarises(cohort):
    results, _ = cohort
    out = render_text(results)
    assert "depth:" in out and "error: cannot decode the file" in out


def test_text_summary_counts_comments_in_good_english(nlp):
    from reflectassist.analysis import analyse_text
    from reflectassist.report import render_text

    one = analyse_text(nlp, "Feedback:\n- Your SBAR call about bed 4 on Tuesday got the "
                            "registrar there in ten minutes.\n")
    two = analyse_text(nlp, "Feedback:\n- Your SBAR call about bed 4 on Tuesday got the "
                            "registrar there in ten minutes.\n- Good work this month.\n")
    assert len(one["feedback"]) == 1 and len(two["feedback"]) == 2
    assert "   feedback: 1 comment (" in render_text([one])
    assert "   feedback: 2 comments (" in render_text([two])
