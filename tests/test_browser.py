"""End-to-end: open the HTML reports in headless Chromium and watch what the page does.

Only Debian's ``chromium`` and the standard library are needed: the browser is driven over
the DevTools protocol on a pipe (``--remote-debugging-pipe``, file descriptors 3 and 4,
messages separated by NUL bytes). The tests assert that the pages make no network request,
log no console error, never run script injected through user text, still read without
JavaScript, print with every section expanded, and they save screenshots.

Without a browser the tests skip with the reason; ``REFLECTASSIST_REQUIRE_BROWSER=1`` (set
by ``.ci/run``) turns that skip into a failure. ``REFLECTASSIST_CHROMIUM`` may name the
executable; ``REFLECTASSIST_SCREENSHOTS`` a folder to copy the screenshots to.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PWNED = "PWNED"
INJECTED = (
    "Reflective account: <script>document.title='PWNED';window.pwned=1</script> "
    "& \"quotes\" 'single' <b>bold?</b>\n\n"
    "Last week I admitted Mr <img src=x onerror=\"document.title='PWNED';window.pwned=2\"> "
    "to the ward. I felt anxious & rushed because the \"handover\" was late. "
    "Looking back, I think the family saw it differently <svg onload=\"window.pwned=3\">.\n\n"
    "Feedback\n- Good work this month <script>window.pwned=4</script>.\n"
    "- When you rang the GP on Friday you summarised the risks clearly, which made the "
    "review quick; next time send the summary by email too.\n\n"
    "Actions agreed:\n1. Complete the <iframe src=\"https://example.org\"></iframe> "
    "e-learning by 28 February and bring the certificate.\n"
    "2. Improve my communication <a href=\"javascript:window.pwned=5\">now</a>.\n"
)


def find_chromium() -> str | None:
    exe = os.environ.get("REFLECTASSIST_CHROMIUM")
    if exe:
        return exe if shutil.which(exe) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def require_chromium() -> str:
    exe = find_chromium() if os.name == "posix" else None
    if exe is None:
        reason = ("no Chromium found (install Debian's 'chromium' or set "
                  "REFLECTASSIST_CHROMIUM; POSIX only) - the browser tests of the HTML report "
                  "did not run")
        if os.environ.get("REFLECTASSIST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; REFLECTASSIST_REQUIRE_BROWSER=1 requires them")
        pytest.skip(reason)
    return exe


class CDPError(RuntimeError):
    pass


class Browser:
    """A headless Chromium driven over the DevTools protocol on a pipe (stdlib only)."""

    FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-default-apps", "--disable-extensions", "--mute-audio",
             "--disable-features=Translate,MediaRouter,OptimizationHints")

    def __init__(self, exe: str, timeout: float = 60.0):
        import fcntl  # POSIX only, like the pipe wiring below

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="reflectassist-chromium-")
        to_browser_r, self._w = os.pipe()
        self._r, from_browser_w = os.pipe()
        # move our ends of the pipes high so that dup2 onto 3 and 4 cannot clobber them
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 100)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 100)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire_fds():  # runs in the child between fork and exec
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        try:
            self.proc = subprocess.Popen(
                [exe, *self.FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                close_fds=False, preexec_fn=wire_fds)
        finally:
            os.close(child_r)
            os.close(child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    # -- protocol
    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        return self._id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._r], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise CDPError("Chromium closed the DevTools pipe")
                self._buf += chunk
            elif self.proc.poll() is not None:
                raise CDPError(f"Chromium exited with code {self.proc.returncode}")
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def wait(self, pred, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._read(deadline)
            if "method" in msg:
                self.events.append(msg)
            if pred(msg):
                return msg

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        n = self.send(method, params, session)
        msg = self.wait(lambda m: m.get("id") == n)
        if "error" in msg:
            raise CDPError(f"{method}: {msg['error']}")
        return msg.get("result", {})

    # -- pages
    def open(self, url: str, script: bool = True, media: str = "",
             width: int = 1200, height: int = 900) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"]
        page = Page(self, sid, url, target)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=sid)
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": False}, sid)
        if not script:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True}, sid)
        if media:
            self.call("Emulation.setEmulatedMedia", {"media": media}, sid)
        start = len(self.events)
        self.call("Page.navigate", {"url": url}, sid)
        self.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == sid)
        page.first_event = start
        self.pump(0.2)  # let late console messages and requests arrive
        return page

    def pump(self, seconds: float) -> None:
        """Collect events for a while (works even when page script is disabled)."""
        try:
            self.wait(lambda m: False, timeout=seconds)
        except TimeoutError:
            pass

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("Browser.close")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=10)
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, sid: str, url: str, target: str):
        self.b, self.sid, self.url, self.target, self.first_event = browser, sid, url, target, 0

    def close(self) -> None:
        self.b.call("Target.closeTarget", {"targetId": self.target})

    def evaluate(self, expr: str):
        res = self.b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                               "awaitPromise": True}, self.sid)
        if "exceptionDetails" in res:
            raise CDPError(f"{expr}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def _events(self, *methods: str) -> list[dict]:
        return [e for e in self.b.events[self.first_event:]
                if e.get("sessionId") == self.sid and e["method"] in methods]

    def console_errors(self) -> list[str]:
        out = []
        for e in self._events("Runtime.consoleAPICalled", "Runtime.exceptionThrown",
                              "Log.entryAdded"):
            p = e["params"]
            if e["method"] == "Runtime.exceptionThrown":
                out.append(json.dumps(p["exceptionDetails"])[:500])
            elif e["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description")))
                                    for a in p["args"]))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append(p["entry"]["text"])
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self._events("Network.requestWillBeSent")]

    def blocked(self) -> dict[str, str]:
        """URL -> reason for every request the browser refused to make (e.g. "csp")."""
        urls = {e["params"]["requestId"]: e["params"]["request"]["url"]
                for e in self._events("Network.requestWillBeSent")}
        return {urls.get(e["params"]["requestId"], "?"): e["params"].get("blockedReason", "")
                for e in self._events("Network.loadingFailed")
                if e["params"].get("blockedReason")}

    def screenshot(self, path: Path, full: bool = False) -> Path:
        params = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
            h = self.evaluate("document.documentElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": 1200, "height": min(h, 4000), "scale": 1}
        data = self.b.call("Page.captureScreenshot", params, self.sid)["data"]
        path.write_bytes(base64.b64decode(data))
        folder = os.environ.get("REFLECTASSIST_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(folder) / path.name)
        return path


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def browser():
    b = Browser(require_chromium())
    try:
        b.call("Browser.getVersion")
        yield b
    finally:
        b.close()


def _write(tmp_path: Path, name: str, html: str) -> str:
    f = tmp_path / name
    f.write_text(html, encoding="utf-8")
    return f.as_uri()


def _no_network(page: Page) -> None:
    """The only request is the report file itself."""
    assert [u for u in page.requests() if u.split("#")[0] != page.url] == []


@pytest.fixture(scope="module")
def injected_result(nlp):
    from reflectassist.analysis import analyse_text

    path = "notes/<img src=x onerror=\"document.title='PWNED'\">&amp;.txt"
    return analyse_text(nlp, INJECTED, path=path), path


# ------------------------------------------------------------------------------ tests


def test_single_report_in_browser(browser, injected_result, tmp_path):
    from reflectassist.report import render_html

    result, path = injected_result
    assert result["feedback"] and result["targets"], "the input should exercise both marks"
    url = _write(tmp_path, "single.html", render_html([result], {path: INJECTED}))
    page = browser.open(url)
    # the title shows the (hostile) file name as text and nothing has rewritten it
    assert page.evaluate("document.title") == f"reflectassist report: {path}"
    assert page.evaluate("window.pwned === undefined")
    assert page.evaluate("document.querySelectorAll('img, iframe, svg [onload], "
                         "a[href^=javascript]').length") == 0
    # the injected markup is shown as text, where the user wrote it
    text = page.evaluate("document.getElementById('d0-text').textContent")
    assert "<script>document.title='PWNED';window.pwned=1</script>" in text
    assert '<img src=x onerror="document.title=\'PWNED\';window.pwned=2">' in text
    # our own script is allowed by its CSP hash and ran
    assert page.evaluate("document.documentElement.classList.contains('js')")
    assert page.console_errors() == []
    _no_network(page)
    # a suggestion link scrolls to and highlights its words
    link = page.evaluate("(() => { const a = document.querySelector('ol.sugg .go a'); a.click();"
                         " return a.getAttribute('data-hl'); })()")
    assert link
    browser.pump(0.1)
    assert page.evaluate(f"document.getElementById({link.split()[0]!r}).classList"
                         ".contains('hl')")
    shot = page.screenshot(tmp_path / "report-single.png", full=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_csp_blocks_script_even_if_escaping_failed(browser, injected_result, tmp_path):
    """Defence in depth: splice raw markup into the page as if escaping had failed."""
    from reflectassist.report import render_html

    result, path = injected_result
    html = render_html([result], {path: INJECTED})
    evil = ("<script>document.title='PWNED';window.pwned=9</script>"
            "<img src=\"data:,x\" onerror=\"window.pwned=10\">"
            "<img src=\"https://example.org/x.png\">")
    html = html.replace("<main id=\"main\">", "<main id=\"main\">" + evil, 1)
    page = browser.open(_write(tmp_path, "spliced.html", html))
    assert page.evaluate("document.title") == f"reflectassist report: {path}"
    assert page.evaluate("window.pwned === undefined")
    # the external image was attempted by the parser and refused by the CSP, not fetched
    others = [u for u in page.requests() if u.split("#")[0] != page.url]
    blocked = page.blocked()
    assert "https://example.org/x.png" in others
    assert all(blocked.get(u) == "csp" for u in others), (others, blocked)
    errors = page.console_errors()
    assert errors and all("Content Security Policy" in e for e in errors), errors


def test_batch_report_in_browser(browser, nlp, injected_result, tmp_path):
    from reflectassist.analysis import Source, analyse
    from reflectassist.report import render_html

    srcs, texts = [], {}
    for f in sorted(EXAMPLES.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        for k in range(6):
            texts[f"{f.stem}-{k}.txt"] = text
            srcs.append(Source(f"{f.stem}-{k}.txt", text))
    srcs.append(Source("missing.txt", None, "file not found"))
    results = list(analyse(nlp, srcs))
    result, path = injected_result
    results.append(result)
    texts[path] = INJECTED
    url = _write(tmp_path, "batch.html", render_html(results, texts))
    page = browser.open(url)
    assert page.evaluate("document.title") == f"reflectassist report: {len(results)} documents"
    assert page.evaluate("window.pwned === undefined")
    assert page.console_errors() == []
    _no_network(page)
    n = len(results)
    assert page.evaluate("document.querySelectorAll('#docs tbody tr').length") == n
    assert page.evaluate("document.querySelectorAll('.chart svg').length") >= 3
    assert page.evaluate("document.getElementById('controls').hidden") is False
    page.screenshot(tmp_path / "report-batch.png", full=True)
    # sort by depth, descending on the second click; failures (-1) end up last
    page.evaluate("document.querySelectorAll('#docs th button')[2].click()")
    page.evaluate("document.querySelectorAll('#docs th button')[2].click()")
    assert page.evaluate("document.querySelectorAll('#docs th')[2].getAttribute('aria-sort')") \
        == "descending"
    depths = page.evaluate("[...document.querySelectorAll('#docs tbody tr')]"
                           ".map(r => parseFloat(r.cells[2].dataset.v))")
    assert depths == sorted(depths, reverse=True) and depths[-1] == -1
    # filter: only flagged or failed documents, and their sections
    page.evaluate("(() => { const c = document.getElementById('f-flag'); c.checked = true;"
                  " c.dispatchEvent(new Event('change')); })()")
    shown = page.evaluate("[...document.querySelectorAll('#docs tbody tr')]"
                          ".filter(r => !r.hidden).map(r => r.dataset.flag)")
    assert shown and set(shown) == {"1"}
    assert "documents shown" in page.evaluate("document.getElementById('f-count').textContent")
    page.evaluate("(() => { const c = document.getElementById('f-flag'); c.checked = false;"
                  " c.dispatchEvent(new Event('change')); })()")
    # a table link opens the document's collapsed section
    assert page.evaluate("document.querySelector('#d0 details').open") is False
    page.evaluate("document.querySelector('#docs a[href=\"#d0\"]').click()")
    assert page.evaluate("document.querySelector('#d0 details').open") is True
    # inside it, a suggestion link brings its words into view and highlights them
    hl = page.evaluate("(() => { const a = document.querySelector('#d13 .go a');"
                       " document.querySelector('#d13 details').open = true; a.click();"
                       " return a.getAttribute('data-hl'); })()")
    browser.pump(0.2)
    first = hl.split()[0]
    assert page.evaluate(f"document.getElementById({first!r}).classList.contains('hl')")
    top = page.evaluate(f"document.getElementById({first!r}).getBoundingClientRect().top")
    assert 0 <= top <= 900, top
    assert page.evaluate("document.activeElement.id") == first
    assert page.console_errors() == []


def test_reads_without_javascript(browser, nlp, tmp_path):
    from reflectassist.analysis import Source, analyse
    from reflectassist.report import render_html

    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(EXAMPLES.glob("*.txt"))}
    results = list(analyse(nlp, [Source(k, v) for k, v in texts.items()]))
    page = browser.open(_write(tmp_path, "nojs.html", render_html(results, texts)), script=False)
    assert page.evaluate("document.documentElement.classList.contains('js')") is False
    # the controls that need script stay hidden; everything else is there
    assert page.evaluate("getComputedStyle(document.getElementById('controls')).display") \
        == "none"
    assert page.evaluate("document.querySelectorAll('#docs tbody tr').length") == 2
    assert page.evaluate("document.querySelector('#d0 .text').textContent.length") > 500
    assert page.console_errors() == []
    _no_network(page)
    page.screenshot(tmp_path / "report-nojs.png")


def test_print_shows_every_section(browser, nlp, tmp_path):
    from reflectassist.analysis import Source, analyse
    from reflectassist.report import render_html

    texts = {f.name: f.read_text(encoding="utf-8") for f in sorted(EXAMPLES.glob("*.txt"))}
    results = list(analyse(nlp, [Source(k, v) for k, v in texts.items()]))
    url = _write(tmp_path, "print.html", render_html(results, texts))
    page = browser.open(url, script=False, media="print")
    # collapsed sections are laid out when printed, even without script
    assert page.evaluate("document.querySelector('#d1 .text').getBoundingClientRect()"
                         ".height") > 100
    assert page.evaluate("getComputedStyle(document.querySelector('#d1 summary')).display") \
        == "none"
    pdf = browser.call("Page.printToPDF", {"printBackground": True}, page.sid)["data"]
    assert base64.b64decode(pdf)[:5] == b"%PDF-"
    assert page.console_errors() == []
    _no_network(page)
