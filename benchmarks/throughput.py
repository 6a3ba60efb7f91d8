"""How fast is the analysis, where does the time go, how much memory, how slow is start-up?

    python benchmarks/throughput.py                      # 1000 corpus texts, one process
    python benchmarks/throughput.py --jobs 2             # the CLI's --jobs 2
    python benchmarks/throughput.py --n 5000 --json      # machine-readable figures
    python benchmarks/throughput.py --texts my_notes/    # your own .txt files instead

The corpus is N texts sampled (fixed seed, cycling when N is larger than the pool) from
corpora/depth/*.jsonl and corpora/notes/*.jsonl, or read from the .txt files under --texts.
"Words" are whitespace-separated words of the input (``len(text.split())``), the same
count for every measurement. Measured:

- full analysis: ``analysis.analyse()`` as the CLI calls it (``--jobs`` -> n_process),
  results consumed and discarded as they stream, after loading the pipeline and a short
  warm-up outside the timing;
- bare tokenization: ``spacy.blank("en")`` through ``nlp.pipe`` with the same n_process and
  batch size, the floor any spaCy pipeline pays; and the time ratio full / bare; with
  ``--jobs`` above 1 also bare tokenization in one process (spaCy's multiprocessing makes
  bare tokenization slower, so that is the fastest floor) and the ratio to it;
- each of these in its own fresh process, ``--rounds`` times (default 5), the measurements
  of a round in turn and every other round in reverse order, so that a machine slowing
  down or speeding up during the run weighs on all of them alike; the medians are reported
  (and ratios of medians), with every run's time, and the share of the fastest bare
  throughput round by round (each round's full and bare runs were neighbours) with its
  median; in one process also the same share in CPU seconds of the process, which leaves
  out time the machine gave to other tenants (on a shared virtual machine the wall-clock
  figures of one run and the next differed by up to 40%);
- time per component: one process, stage by stage over all the documents (the tokenizer,
  then each component's ``pipe`` or ``__call__`` exactly as ``nlp.pipe`` would call it,
  then ``doc_to_result``), so no stage's time leaks into another's;
- peak RSS (``ru_maxrss``, and for the workers ``RUSAGE_CHILDREN``) of a fresh subprocess
  that loads the pipeline and analyses the same N texts streamed from a temporary file, and
  (Linux) the peak of its and its workers' proportional set sizes summed, sampled; then the
  same of ``reflectassist check`` itself on the N texts written as .txt files to a temporary
  folder, with ``-o report.html --csv table.csv`` (what a trainer runs on a cohort);
- cold start: wall time of ``reflectassist check <example>`` and ``reflectassist --help``
  in fresh processes (median of --repeats), the phases of the check path, and the top 10
  imports by cumulative time from ``python -X importtime`` on the check path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXAMPLE = ROOT / "examples" / "reflective_entry.txt"
MiB = 1024 * 1024


# ----------------------------------------------------------------------------- corpus

def corpus_pool() -> list[tuple[str, str]]:
    files = sorted((ROOT / "corpora" / "depth").glob("*.jsonl")) + \
        sorted((ROOT / "corpora" / "notes").glob("*.jsonl"))
    pool = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if rec.get("text", "").strip():
                    pool.append((f"{f.parent.name}/{rec['id']}.txt", rec["text"]))
    return pool


def txt_pool(folder: Path) -> list[tuple[str, str]]:
    pool = []
    for f in sorted(folder.rglob("*.txt")):
        text = f.read_text(encoding="utf-8", errors="replace")
        if text.strip():  # analyse() does not run the pipeline on empty texts
            pool.append((str(f), text))
    return pool


def build_corpus(n: int, seed: int, texts: Path | None) -> list[tuple[str, str]]:
    """N (path, text) pairs: the pool shuffled with ``seed``, cycled (reshuffled each round)
    if N is larger than the pool."""
    pool = txt_pool(texts) if texts else corpus_pool()
    if not pool:
        sys.exit(f"throughput: no non-empty texts found in {texts or 'corpora/'}")
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    rnd = 0
    while len(out) < n:
        order = pool[:]
        rng.shuffle(order)
        out += [(p if rnd == 0 else f"{p}#{rnd}", t) for p, t in order[:n - len(out)]]
        rnd += 1
    return out


def words(corpus: list[tuple[str, str]]) -> int:
    return sum(len(t.split()) for _, t in corpus)


def rate(n_docs: int, n_words: int, seconds: float) -> dict:
    return {"seconds": round(seconds, 3), "docs_per_s": round(n_docs / seconds, 2),
            "words_per_s": round(n_words / seconds, 1)}


# ----------------------------------------------------------------------------- throughput

def measure_full(nlp, corpus, jobs: int, batch_size: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of the full analysis."""
    from reflectassist.analysis import Source, analyse

    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in analyse(nlp, (Source(p, t) for p, t in corpus), batch_size=batch_size,
                     n_process=jobs):
        n += 1  # consumed and discarded, as it streams
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert n == len(corpus), (n, len(corpus))
    return seconds, cpu


def measure_bare(corpus, jobs: int, batch_size: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of bare tokenization."""
    import spacy

    blank = spacy.blank("en")
    list(blank.pipe((t for _, t in corpus[:10]), batch_size=batch_size))  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in blank.pipe((t for _, t in corpus), batch_size=batch_size, n_process=jobs):
        pass
    return time.perf_counter() - t0, time.process_time() - c0


def breakdown(nlp, corpus, batch_size: int) -> list[tuple[str, float]]:
    """Seconds per stage, running each stage over every document before the next, calling
    each component as ``nlp.pipe`` does (``pipe(docs, batch_size=...)`` if it has one,
    otherwise ``__call__`` per document), with the garbage collector set as ``analyse()``
    sets it."""
    from reflectassist.analysis import _fewer_collections, doc_to_result

    with _fewer_collections():
        return _stages(nlp, corpus, batch_size, doc_to_result)


def _stages(nlp, corpus, batch_size: int, doc_to_result) -> list[tuple[str, float]]:
    stages: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    docs = list(nlp.tokenizer.pipe((t for _, t in corpus), batch_size=batch_size))
    stages.append(("tokenizer", time.perf_counter() - t0))
    for name, proc in nlp.pipeline:
        t0 = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        stages.append((name, time.perf_counter() - t0))
    t0 = time.perf_counter()
    for (path, _), doc in zip(corpus, docs, strict=True):
        doc_to_result(doc, path)
    stages.append(("doc_to_result (analysis.py)", time.perf_counter() - t0))
    return stages


# ----------------------------------------------------------------------------- memory

def maxrss_mib(who: int) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / MiB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, else KiB


def write_corpus(corpus: list[tuple[str, str]], folder: Path) -> Path:
    f = folder / "corpus.jsonl"
    with open(f, "w", encoding="utf-8") as fh:
        for p, t in corpus:
            fh.write(json.dumps({"path": p, "text": t}) + "\n")
    return f


def read_corpus(corpus_file: Path) -> Iterator[tuple[str, str]]:
    with open(corpus_file, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            yield rec["path"], rec["text"]


def child(*args: str) -> dict:
    """Run this script with ``args`` in a fresh process; its last line of output, as JSON."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"throughput: {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_child(what: str, corpus_file: Path, jobs: int, batch_size: int) -> None:
    """Runs in a fresh process: time the full analysis (``what`` = full, after loading the
    pipeline and a warm-up) or bare tokenization (bare) of the texts in corpus_file."""
    corpus = list(read_corpus(corpus_file))
    out: dict = {}
    if what == "full":
        from reflectassist.analysis import Source, analyse, keep_heap_padding
        from reflectassist.pipeline import load_pipeline

        t0 = time.perf_counter()
        nlp = load_pipeline()
        out["load_s"] = time.perf_counter() - t0
        keep_heap_padding()  # as reflectassist check does once the pipeline is loaded
        for _ in analyse(nlp, (Source(p, t) for p, t in corpus[:8])):  # warm-up, lazy data
            pass
        out["seconds"], out["cpu_seconds"] = measure_full(nlp, corpus, jobs, batch_size)
    else:
        out["seconds"], out["cpu_seconds"] = measure_bare(corpus, jobs, batch_size)
    print(json.dumps(out))


def measure_rounds(corpus_file: Path, jobs: int, batch_size: int, rounds: int,
                   log) -> tuple[dict[tuple[str, int], list[float]], list[float],
                                 dict[tuple[str, int], list[float]]]:
    """Seconds of every run of each measurement, each run in a fresh process (a round runs
    each measurement once, every other round in reverse order), the pipeline's load time in
    each full-analysis run, and the CPU seconds of every run's own process."""
    plan = [("full", jobs), ("bare", jobs)] + ([("bare", 1)] if jobs > 1 else [])
    runs: dict[tuple[str, int], list[float]] = {m: [] for m in plan}
    cpu: dict[tuple[str, int], list[float]] = {m: [] for m in plan}
    load: list[float] = []
    for r in range(rounds):
        for what, j in plan if r % 2 == 0 else plan[::-1]:
            name = "full analysis" if what == "full" else "bare tokenization"
            log(f"round {r + 1}/{rounds}: {name}, {j} process{'es' if j > 1 else ''}")
            got = child("--time-child", what, "--corpus-file", str(corpus_file), "--jobs",
                        str(j), "--batch-size", str(batch_size))
            runs[(what, j)].append(got["seconds"])
            cpu[(what, j)].append(got["cpu_seconds"])
            if "load_s" in got:
                load.append(got["load_s"])
    return runs, load, cpu


def pss_mib(pid: int) -> float:
    """Proportional set size of a process (Linux): its private pages plus its share of the
    pages it shares, so the figures of a parent and its forked workers add up."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants_of(pid: int) -> list[int]:
    found = children_of(pid)
    for child_pid in list(found):
        found += descendants_of(child_pid)
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


class PeakPss:
    """Samples the summed PSS of a process (this one by default) and its descendants every
    ``every`` seconds in a thread (Linux only; ``peak`` stays None elsewhere): the memory a
    ``--jobs`` run holds at once, which the per-process peak RSS figures cannot add up to
    (forked workers share the loaded models with the main process)."""

    def __init__(self, every: float = 0.25, pid: int | None = None) -> None:
        import threading

        self.every, self.peak, self.pid = every, None, pid or os.getpid()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if os.path.exists(f"/proc/{os.getpid()}/smaps_rollup"):
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            total = pss_mib(self.pid) + sum(pss_mib(c) for c in descendants_of(self.pid))
            self.peak = max(self.peak or 0.0, total)

    def stop(self) -> float | None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak


def rss_child(corpus_file: Path, jobs: int, batch_size: int) -> None:
    """Runs in a fresh process: load, analyse the texts streamed from corpus_file, report."""
    out = {"start_mib": maxrss_mib(resource.RUSAGE_SELF)}
    from reflectassist.analysis import Source, analyse, keep_heap_padding
    from reflectassist.pipeline import load_pipeline

    nlp = load_pipeline()
    keep_heap_padding()  # as reflectassist check does once the pipeline is loaded
    out["after_load_mib"] = maxrss_mib(resource.RUSAGE_SELF)

    def sources():
        for path, text in read_corpus(corpus_file):
            yield Source(path, text)

    n = 0
    sampler = PeakPss()
    t0 = time.perf_counter()
    for _ in analyse(nlp, sources(), batch_size=batch_size, n_process=jobs):
        n += 1
    out["seconds"] = round(time.perf_counter() - t0, 3)
    out["peak_total_pss_mib"] = sampler.stop()
    out["docs"] = n
    out["after_analysis_mib"] = maxrss_mib(resource.RUSAGE_SELF)
    out["children_max_mib"] = maxrss_mib(resource.RUSAGE_CHILDREN) if jobs > 1 else None
    print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}))


def measure_rss(corpus_file: Path, jobs: int, batch_size: int) -> dict:
    return child("--rss-child", str(corpus_file), "--jobs", str(jobs), "--batch-size",
                 str(batch_size))


def write_texts(corpus: list[tuple[str, str]], folder: Path) -> Path:
    """The texts as a folder of .txt files, as a trainer's cohort arrives."""
    texts = folder / "texts"
    texts.mkdir()
    for i, (_, text) in enumerate(corpus):
        (texts / f"{i:05d}.txt").write_text(text, encoding="utf-8")
    return texts


def cli_rss_child(texts: Path, jobs: int) -> None:
    """Runs in a fresh process: ``reflectassist check`` on the folder as a user runs it, with
    an HTML report and the CSV table; its peak RSS (and of its workers), and the peak of
    their PSS summed."""
    out = texts.parent
    cmd = [*cli_command(), "check", str(texts), "-o", str(out / "report.html"), "--csv",
           str(out / "table.csv"), "-q", "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = PeakPss(pid=proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    peak_pss = sampler.stop()
    if proc.returncode not in (0, 1):
        sys.exit(f"throughput: {' '.join(cmd)} exited {proc.returncode}: {err[-1000:]}")
    print(json.dumps({"seconds": round(seconds, 1),
                      "peak_rss_mib": round(maxrss_mib(resource.RUSAGE_CHILDREN), 1),
                      "peak_total_pss_mib": None if peak_pss is None else round(peak_pss, 1),
                      "report_mib": round((out / "report.html").stat().st_size / MiB, 1)}))


# ----------------------------------------------------------------------------- start-up

def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "reflectassist"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "reflectassist.cli"]


def wall(cmd: list[str], repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        runs.append(time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return {"median_s": round(statistics.median(runs), 3), "runs_s": [round(r, 3) for r in runs]}


def startup_child(example: Path) -> None:
    """Runs in a fresh process: the check path phase by phase (seconds)."""
    clock = time.perf_counter
    phases: dict[str, float] = {}
    t0 = clock()
    import reflectassist.cli  # noqa: F401

    phases["import reflectassist.cli (typer)"] = clock() - t0
    t0 = clock()
    import spacy  # noqa: F401

    phases["import spacy"] = clock() - t0
    from reflectassist import component, pipeline, textmodel

    t0 = clock()
    pipeline._register_factories()
    phases["import reflectassist components"] = clock() - t0

    load = {"sha256": 0.0, "np.load + spec": 0.0}
    per_component: dict[str, float] = {}

    def timed(fn, key):
        def wrapper(*args, **kwargs):
            s = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                load[key] += clock() - s
        return wrapper

    def timed_models(path):
        s = clock()
        try:
            return orig_load_models(path)
        finally:
            per_component[Path(path).name] = clock() - s

    # instrument what exists (the loading code may change; a missing hook just reads 0)
    orig_load_models = getattr(component, "load_models", None)
    if orig_load_models is not None:
        component.load_models = timed_models
    for module, attr, key in ((textmodel, "sha256", "sha256"),
                              (textmodel.np, "load", "np.load + spec")):
        if hasattr(module, attr):
            setattr(module, attr, timed(getattr(module, attr), key))
    t0 = clock()
    nlp = pipeline.load_pipeline()
    phases["load_pipeline()"] = clock() - t0
    from reflectassist.analysis import analyse_text

    text = example.read_text(encoding="utf-8")
    t0 = clock()
    result = analyse_text(nlp, text, str(example))
    phases["analyse the example (first document)"] = clock() - t0
    t0 = clock()
    from reflectassist.report import render_text

    render_text([result], details=True, texts={str(example): text})
    phases["import report + render_text"] = clock() - t0
    print(json.dumps({"phases": {k: round(v, 3) for k, v in phases.items()},
                      "model_files": {k: round(v, 3) for k, v in load.items()},
                      "per_component_load": {k: round(v, 3) for k, v in per_component.items()}}))


IMPORTTIME_RX = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S.*)$")


def importtime(example: Path, top: int = 10) -> dict:
    code = ("import sys; sys.argv = ['reflectassist', 'check', sys.argv[1]]; "
            "from reflectassist.cli import main; main()")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, str(example)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        m = IMPORTTIME_RX.match(line)
        if m:
            rows.append({"module": m.group(4), "self_ms": int(m.group(1)) / 1000,
                         "cumulative_ms": int(m.group(2)) / 1000,
                         "depth": (len(m.group(3)) - 1) // 2})
    total = sum(r["self_ms"] for r in rows)
    rows.sort(key=lambda r: r["cumulative_ms"], reverse=True)
    first_level = [r for r in rows if r["depth"] == 0][:top]
    return {"total_import_ms": round(total, 1), "modules": len(rows),
            "top_cumulative": rows[:top], "top_level": first_level}


def measure_startup(example: Path, repeats: int) -> dict:
    cmd = cli_command()
    out = {"command": cmd,
           "check": wall([*cmd, "check", str(example)], repeats),
           "help": wall([*cmd, "--help"], repeats)}
    proc = subprocess.run([sys.executable, __file__, "--startup-child", str(example)],
                          capture_output=True, text=True, check=True)
    out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    out["importtime"] = importtime(example)
    return out


# ----------------------------------------------------------------------------- report

def fmt_rate(label: str, r: dict) -> str:
    return (f"  {label:<34}{r['seconds']:>9.2f}{r['docs_per_s']:>11.1f}"
            f"{r['words_per_s']:>12,.0f}   runs {', '.join(f'{x:.2f}' for x in r['runs_s'])}")


def print_shares(label: str, shares: list[float]) -> None:
    print(f"  {label}: {', '.join(f'{x:.1f}%' for x in shares)} "
          f"(median {statistics.median(shares):.1f}%)")


def print_table(res: dict) -> None:
    c = res["corpus"]
    print(f"reflectassist throughput: {c['docs']} docs, {c['words']:,} words "
          f"({c['words'] / c['docs']:.0f}/doc) from {c['source']}; jobs {res['jobs']}, "
          f"batch size {res['batch_size']}; {res['cpus']} CPUs, Python {res['python']}, "
          f"spaCy {res['spacy']}")
    print(f"  load_pipeline() (median, fresh processes): {res['load_s']:.2f} s")
    print(f"  median of {res['rounds']} fresh-process runs each")
    print(f"  {'':<34}{'seconds':>9}{'docs/s':>11}{'words/s':>12}   (seconds of each run)")
    print(fmt_rate("full analysis (analyse())", res["full"]))
    print(fmt_rate('bare tokenizer (spacy.blank("en"))', res["bare"]))
    print(f"  full / bare time ratio: {res['full_over_bare']:.1f}x "
          f"(full analysis at {100 / res['full_over_bare']:.1f}% of bare throughput)")
    if res.get("bare_one_process"):
        print(fmt_rate("bare tokenizer, one process", res["bare_one_process"]))
        r = res["full_over_bare_one_process"]
        print(f"  full (jobs {res['jobs']}) / bare (one process) time ratio: {r:.1f}x "
              f"(full analysis at {100 / r:.1f}% of the fastest bare throughput)")
    print_shares("share of the fastest bare throughput, round by round",
                 res["share_per_round_pct"])
    if res.get("cpu_share_per_round_pct"):
        print_shares("the same in CPU seconds of the process", res["cpu_share_per_round_pct"])
    if res.get("components"):
        total = sum(s for _, s in res["components"])
        n = c["docs"]
        ref = res["components_reference_s"]
        print(f"\ntime per stage (one process, stage by stage; total {total:.2f} s"
              + (f" vs {ref:.2f} s for analyse() above)" if ref is not None else ")"))
        print(f"  {'stage':<34}{'seconds':>9}{'ms/doc':>9}{'share':>8}")
        for name, s in sorted(res["components"], key=lambda x: -x[1]):
            print(f"  {name:<34}{s:>9.2f}{1000 * s / n:>9.2f}{100 * s / total:>7.1f}%")
    if res.get("rss"):
        r = res["rss"]
        kids = (f", largest worker {r['children_max_mib']:.0f} MiB"
                if r.get("children_max_mib") is not None else "")
        print(f"\npeak RSS (fresh process, {r['docs']} docs streamed, results discarded, "
              f"{r['seconds']:.1f} s): start {r['start_mib']:.0f} MiB, after load "
              f"{r['after_load_mib']:.0f} MiB, after analysis {r['after_analysis_mib']:.0f} MiB"
              f"{kids}")
        if r.get("peak_total_pss_mib") is not None:
            print(f"  peak PSS of the process{' and its workers' if res['jobs'] > 1 else ''} "
                  f"together (sampled every 0.25 s): {r['peak_total_pss_mib']:.0f} MiB")
    if res.get("cli_rss"):
        r = res["cli_rss"]
        print(f"reflectassist check on the {c['docs']} texts as .txt files, -o report.html "
              f"--csv table.csv --jobs {res['jobs']} ({r['seconds']:.1f} s, report "
              f"{r['report_mib']:.0f} MiB): peak RSS {r['peak_rss_mib']:.0f} MiB"
              + ("" if r.get("peak_total_pss_mib") is None else
                 f", peak PSS of it{' and its workers' if res['jobs'] > 1 else ''} "
                 f"{r['peak_total_pss_mib']:.0f} MiB"))
    if res.get("startup"):
        s = res["startup"]
        ex = Path(res["example"]).relative_to(ROOT) if Path(res["example"]).is_relative_to(
            ROOT) else res["example"]
        print(f"\ncold start (fresh process, median of {len(s['check']['runs_s'])}):")
        print(f"  reflectassist check {ex}: {s['check']['median_s']:.2f} s "
              f"(runs {s['check']['runs_s']})")
        print(f"  reflectassist --help: {s['help']['median_s']:.2f} s (runs {s['help']['runs_s']})")
        print("  check path, phase by phase (one fresh process):")
        for k, v in s["phases"].items():
            print(f"    {k:<44}{v:>7.2f} s")
        comp = ", ".join(f"{k.removeprefix('reflectassist_')} {v:.2f}"
                         for k, v in s["per_component_load"].items())
        files = ", ".join(f"{k} {v:.2f}" for k, v in s["model_files"].items())
        print(f"    model files by component (s): {comp}")
        print(f"    model files by step (s): {files}")
        it = s["importtime"]
        print(f"  python -X importtime, check path: {it['modules']} modules, "
              f"{it['total_import_ms'] / 1000:.2f} s of imports; top 10 by cumulative time:")
        print(f"    {'cumul ms':>9}{'self ms':>9}  module")
        for r in it["top_cumulative"]:
            print(f"    {r['cumulative_ms']:>9.0f}{r['self_ms']:>9.1f}  "
                  f"{'  ' * r['depth']}{r['module']}")
        print("  the same, imported directly (not by another module), top 5: " + ", ".join(
            f"{r['module']} {r['cumulative_ms']:.0f} ms" for r in it["top_level"][:5]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:6]))
    ap.add_argument("--n", type=int, default=1000, help="documents (default 1000)")
    ap.add_argument("--texts", type=Path, help="read the .txt files under this folder "
                    "(recursively) instead of sampling corpora/")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="n_process, as the CLI's --jobs "
                    "(default 1)")
    ap.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size "
                    "(default 64, analyse()'s default)")
    ap.add_argument("--example", type=Path, default=DEFAULT_EXAMPLE,
                    help="file for the cold-start `reflectassist check` (default "
                         "examples/reflective_entry.txt)")
    ap.add_argument("--repeats", type=int, default=3, help="cold-start runs (median)")
    ap.add_argument("--no-breakdown", action="store_true", help="skip the per-component times")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocess")
    ap.add_argument("--no-startup", action="store_true", help="skip the cold-start figures")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of "
                    "the table")
    ap.add_argument("--rounds", type=int, default=5, help="fresh-process runs of each "
                    "throughput measurement, medians reported (default 5)")
    ap.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cli-rss-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--time-child", choices=("full", "bare"), help=argparse.SUPPRESS)
    ap.add_argument("--corpus-file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--startup-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.jobs, args.batch_size)
        return
    if args.cli_rss_child:
        cli_rss_child(args.cli_rss_child, args.jobs)
        return
    if args.startup_child:
        startup_child(args.startup_child)
        return
    if args.time_child:
        time_child(args.time_child, args.corpus_file, args.jobs, args.batch_size)
        return
    if min(args.n, args.jobs, args.batch_size, args.rounds) < 1:
        ap.error("--n, --jobs, --batch-size and --rounds must be at least 1")

    def log(msg: str) -> None:
        print(f"[throughput] {msg}", file=sys.stderr, flush=True)

    corpus = build_corpus(args.n, args.seed, args.texts)
    n_words = words(corpus)
    res: dict = {"corpus": {"docs": len(corpus), "words": n_words, "seed": args.seed,
                            "source": str(args.texts) if args.texts else
                            "corpora/depth + corpora/notes"},
                 "jobs": args.jobs, "batch_size": args.batch_size, "cpus": os.cpu_count(),
                 "python": sys.version.split()[0], "example": str(args.example.resolve())}
    with tempfile.TemporaryDirectory(prefix="reflectassist-bench-") as tmp:
        corpus_file = write_corpus(corpus, Path(tmp))
        if not args.no_rss:
            # first, while this process is still small: Linux carries ru_maxrss over fork
            # and exec, so a child started after a pipeline is loaded here would report it
            log("peak RSS in a fresh subprocess")
            res["rss"] = measure_rss(corpus_file, args.jobs, args.batch_size)
            log("peak RSS of `reflectassist check` on the texts as files")
            res["cli_rss"] = child("--cli-rss-child", str(write_texts(corpus, Path(tmp))),
                                   "--jobs", str(args.jobs))
        runs, load, cpu = measure_rounds(corpus_file, args.jobs, args.batch_size, args.rounds,
                                         log)

    def timed(key: tuple[str, int]) -> tuple[float, dict]:
        seconds = statistics.median(runs[key])
        return seconds, {**rate(len(corpus), n_words, seconds),
                         "runs_s": [round(x, 3) for x in runs[key]]}

    res["rounds"] = args.rounds
    res["load_s"] = round(statistics.median(load), 3)
    full_s, res["full"] = timed(("full", args.jobs))
    bare_s, res["bare"] = timed(("bare", args.jobs))
    res["full_over_bare"] = round(full_s / bare_s, 2)
    floor = ("bare", 1)
    if args.jobs > 1:  # spaCy's multiprocessing slows bare tokenization: compare with both
        bare1_s, res["bare_one_process"] = timed(floor)
        res["full_over_bare_one_process"] = round(full_s / bare1_s, 2)
    # the same share run by run: the full analysis and the fastest floor of one round ran
    # next to each other, so a machine that is slower for a while weighs on both
    res["share_per_round_pct"] = [round(100 * b / f, 1) for f, b in
                                  zip(runs[("full", args.jobs)], runs[floor], strict=True)]
    if args.jobs == 1:  # CPU seconds of the one process: what other tenants take is left out
        res["cpu_share_per_round_pct"] = [round(100 * b / f, 1) for f, b in
                                          zip(cpu[("full", 1)], cpu[floor], strict=True)]

    import spacy

    res["spacy"] = spacy.__version__
    if not args.no_breakdown:
        from reflectassist.analysis import Source, analyse
        from reflectassist.pipeline import load_pipeline

        log("per-component breakdown (one process)")
        nlp = load_pipeline()
        for _ in analyse(nlp, (Source(p, t) for p, t in corpus[:8])):  # warm-up, lazy data
            pass
        res["components"] = [(k, round(v, 3)) for k, v in
                             breakdown(nlp, corpus, args.batch_size)]
        res["components_reference_s"] = round(full_s, 3) if args.jobs == 1 else None
    if not args.no_startup:
        log("cold start")
        res["startup"] = measure_startup(args.example.resolve(), args.repeats)
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        print_table(res)


if __name__ == "__main__":
    main()
