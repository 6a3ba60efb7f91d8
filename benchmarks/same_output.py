"""Does a refactor leave the analysis output unchanged? Writes or checks a snapshot.

    python benchmarks/same_output.py --write /tmp/before.jsonl   # before the change
    python benchmarks/same_output.py --check /tmp/before.jsonl   # after it: exit 1 on a difference
    python benchmarks/same_output.py --check /tmp/before.jsonl --jobs 2   # the --jobs path

The documents are every text of corpora/depth/*.jsonl and corpora/notes/*.jsonl, the
examples, and the same texts cut at odd places (mid-word, mid-sentence), so edge cases of
offsets and boundaries are covered too. Each line of the snapshot is one document's result
(``analysis.analyse``) as sorted JSON; ``--check`` prints the first differing field of each
changed document.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import corpus_pool  # noqa: E402


def documents() -> list[tuple[str, str]]:
    pool = corpus_pool()
    pool += [(f"examples/{p.name}", p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "examples").glob("*.txt"))]
    cut = [(f"{p}#cut", t[len(t) // 7: len(t) - len(t) // 5]) for p, t in pool[::3]]
    return pool + [(p, t) for p, t in cut if t.strip()]


def first_difference(a, b, where: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            d = first_difference(a.get(k), b.get(k), f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None if len(a) == len(b) else f"{where}: {len(a)} items != {len(b)} items"
    return None if a == b else f"{where}: {a!r} != {b!r}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the snapshot here")
    group.add_argument("--check", type=Path, help="compare with this snapshot")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes, as the CLI's --jobs "
                    "(default 1)")
    args = ap.parse_args()

    from reflectassist.analysis import Source, analyse
    from reflectassist.pipeline import load_pipeline

    nlp = load_pipeline()
    docs = documents()
    t0 = time.perf_counter()
    lines = [json.dumps(r, sort_keys=True, ensure_ascii=False)
             for r in analyse(nlp, (Source(p, t) for p, t in docs), n_process=args.jobs)]
    print(f"same_output: {len(lines)} documents analysed in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"same_output: snapshot written to {args.write}", file=sys.stderr)
        return 0
    before = args.check.read_text(encoding="utf-8").splitlines()
    if len(before) != len(lines):
        print(f"same_output: {len(before)} documents in the snapshot, {len(lines)} now")
        return 1
    changed = 0
    for old, new in zip(before, lines, strict=True):
        if old != new:
            changed += 1
            a, b = json.loads(old), json.loads(new)
            print(f"{a['path']}: {first_difference(a, b)}")
    print(f"same_output: {changed} of {len(lines)} documents differ", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
