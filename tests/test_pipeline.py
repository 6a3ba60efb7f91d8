"""The shipped pipeline: loads with spacy.load alone, results on Doc._/Span._, offsets exact."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from reflectassist import ELEMENTS, GIBBS, KINDS, SMART_CRITERIA
from reflectassist.pipeline import PIPE_NAMES


def test_spacy_load_works_without_importing_reflectassist(model_path):
    code = (
        "import sys, spacy\n"
        f"nlp = spacy.load({str(model_path)!r})\n"
        "assert 'reflectassist' in sys.modules  # loaded through the spacy_factories entry points\n"
        "doc = nlp('I felt anxious on my first night shift. Next time I will ask for help.')\n"
        "print(doc._.depth['level'], len(doc._.sentences))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    level, n = out.stdout.split()
    assert 0 <= int(level) <= 3 and int(n) == 2


def test_pipeline_components_in_order(nlp):
    assert tuple(nlp.pipe_names) == PIPE_NAMES


def test_model_files_are_plain_arrays_with_checksums(model_path):
    for comp in ("reflectassist_elements", "reflectassist_depth", "reflectassist_feedback",
                 "reflectassist_targets"):
        record = json.loads((model_path / comp / "models.json").read_text())
        assert record["files"]
        for info in record["files"].values():
            assert info["file"].endswith(".npz") and len(info["sha256"]) == 64
            with np.load(model_path / comp / info["file"], allow_pickle=False) as npz:
                assert all(npz[k].dtype != object for k in npz.files)
    assert not list(model_path.rglob("*.pkl")) and not list(model_path.rglob("*.pickle"))
    assert not list(model_path.rglob("*.skops"))


def test_results_on_doc_and_span_extensions(nlp):
    text = ("On Monday I supported Mr B with his lunch. I felt rushed because the unit was short "
            "of staff. Perhaps he saw my hurry as impatience. Next time I will sit down with him "
            "for the whole meal.")
    doc = nlp(text)
    assert doc._.kind in KINDS
    assert set(doc._.depth) >= {"level", "label", "probabilities"}
    assert abs(sum(doc._.depth["probabilities"]) - 1) < 1e-3
    sents = [s for s in doc.sents if s.text.strip()]
    assert len(sents) == 4
    for sent in sents:
        assert sent._.element in ELEMENTS
        assert sent._.gibbs == GIBBS[sent._.element]
        assert len(sent._.element_probs) == 9
    assert sents[-1]._.element == "intention"
    assert sents[1]._.element in ("feeling", "reflection")


def test_span_extensions_read_the_sentence_they_start_in(nlp):
    text = ("Reflection\n\n- I noticed Mrs K was quieter than usual.  She said she was fine. "
            "I think I accepted that too quickly, because the ward was busy.\n\nNext time I "
            "will come back after the round and ask again.")
    doc = nlp(text)
    rows, elements = doc._.sentences, doc._.elements
    assert len(rows) >= 4 and len(elements) == len(rows)
    for (s, e, *_), (element, probs, buzz) in zip(rows, elements, strict=True):
        for span in (doc.char_span(s, e, alignment_mode="expand"),
                     doc.char_span(s, s + 1, alignment_mode="expand")):
            assert (span._.element, span._.element_probs, span._.buzz) == (element, probs, buzz)
    before = doc.char_span(rows[1][0] - 1, rows[1][1], alignment_mode="expand")
    assert before.text[:1].isspace() and before._.element == elements[1][0]


def test_targets_and_feedback_offsets_match_text(nlp):
    text = ("Feedback:\n- Your SBAR call about bed 4 on Tuesday got the registrar there in ten "
            "minutes, which kept Mrs K safe.\n- Good work.\n\nActions agreed:\n"
            "1. JB to complete the sepsis e-learning by 31 March.\n2. Improve confidence ASAP.")
    doc = nlp(text)
    assert doc._.feedback and doc._.targets
    for item in doc._.feedback + doc._.targets:
        assert text[item["start"]:item["end"]] == item["text"]
    for t in doc._.targets:
        assert set(t["smart"]) == set(SMART_CRITERIA)
    texts = [t["text"] for t in doc._.targets]
    assert "JB to complete the sepsis e-learning by 31 March." in texts


@pytest.mark.parametrize("text", ["", "   \n\t", "?!", "ok", "\n\n- \n1."])
def test_degenerate_texts_do_not_crash(nlp, text):
    doc = nlp(text)
    for s, e, _sec, _head in doc._.sentences:
        assert text[s:e].strip() == text[s:e] != ""
    assert doc._.depth is not None or not doc._.sentences


def test_kind_override_via_component_cfg(nlp):
    doc = nlp("I felt fine.", component_cfg={"reflectassist_kind": {"kind": "portfolio_entry"}})
    assert doc._.kind == "portfolio_entry" and doc._.kind_source == "given"


@pytest.mark.parametrize("text,kind", [
    ("Supervision record\nSupervisee: JB  Supervisor: AK\nWe discussed caseload.\n"
     "Actions agreed:\nJB to book training.", "supervision_note"),
    ("Portfolio entry for practice assessor\nProficiency: communication\nOn placement I "
     "learned to use SBAR. My assessor observed me.", "portfolio_entry"),
    ("Clinical supervision is a formal process. It supports practitioners to maintain "
     "standards. Organisations should protect time for it. Research suggests benefits.",
     "essay"),
    ("Yesterday I helped a resident to shower. I felt nervous because it was my first time.",
     "reflective_entry"),
])
def test_kind_detection(nlp, text, kind):
    assert nlp(text)._.kind == kind


def explode_on_boom(nlp, monkeypatch) -> None:
    """Make the kind component raise on any text holding "BOOM" (forked --jobs workers
    inherit the patch)."""
    kind = nlp.get_pipe("reflectassist_kind")
    original = type(kind).__call__

    def fragile(self, doc, kind=None):
        if "BOOM" in doc.text:
            raise RuntimeError("component exploded")
        return original(self, doc, kind)

    monkeypatch.setattr(type(kind), "__call__", fragile)


def test_one_failing_document_does_not_stop_the_stream(nlp, monkeypatch, caplog):
    """A document that makes a component raise gets an error result; the documents around it,
    before and after, in the same pipe batch and later ones, are all analysed, in order."""
    from reflectassist.analysis import analyse
    from reflectassist.source import Source

    explode_on_boom(nlp, monkeypatch)
    texts = [f"Entry {i}. I felt anxious on the ward and next time I will ask for help."
             for i in range(9)]
    texts[4] = "BOOM in the middle."
    sources = [Source(f"d{i}.txt", t) for i, t in enumerate(texts)]
    sources.insert(2, Source("bad.txt", None, error="cannot read"))
    with caplog.at_level("DEBUG", logger="reflectassist"):
        results = list(analyse(nlp, sources, batch_size=3))
    assert [r["path"] for r in results] == [s.path for s in sources]
    recovery = [r for r in caplog.records if "one by one" in r.getMessage()]
    assert len(recovery) == 1 and "new pipe" in recovery[0].getMessage()
    errors = {r["path"]: r["error"] for r in results if r["error"]}
    assert errors == {"bad.txt": "cannot read", "d4.txt": "analysis failed: component exploded"}
    assert all(r["depth"] is not None for r in results if not r["error"])


def test_a_failing_result_builder_or_input_stream_loses_nothing(nlp, monkeypatch):
    """If turning one Doc into its result fails, that document gets an error result and the
    others are kept; if the input stream itself fails, everything read before is reported
    and then the error is raised, not swallowed."""
    from reflectassist import analysis
    from reflectassist.source import Source

    original = analysis.doc_to_result

    def fragile(doc, path):
        if "BADROW" in doc.text:
            raise IndexError("bad row")
        return original(doc, path)

    monkeypatch.setattr(analysis, "doc_to_result", fragile)
    monkeypatch.setattr(analysis, "_one", lambda nlp_, src, cfg: analysis.error_result(
        src.path, "analysis failed: bad row"))
    texts = ["I felt anxious on the ward.", "BADROW here.", "Next time I will ask.",
             "She said it went well.", "Good work."]
    for batch_size in (2, 3):
        out = list(analysis.analyse(nlp, [Source(f"p{i}", t) for i, t in enumerate(texts)],
                                    batch_size=batch_size))
        assert [r["path"] for r in out] == [f"p{i}" for i in range(5)]
        assert [bool(r["error"]) for r in out] == [False, True, False, False, False]

    def broken_stream():
        yield Source("a", "I felt anxious on the ward.")
        yield Source("b", "Next time I will ask for help.")
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for r in analysis.analyse(nlp, broken_stream(), batch_size=4):
            got.append(r["path"])
    assert got == ["a", "b"]


def test_docs_round_trip_with_cached_msgpack_hooks(nlp):
    """The cached hook lookup (for --jobs) finds the same hooks, numpy values still round-trip,
    and a hook registered, replaced or removed later is picked up."""
    import numpy as np
    import srsly.msgpack as srsly_msgpack
    from spacy.tokens import Doc

    from reflectassist.pipeline import cache_msgpack_hooks

    cache_msgpack_hooks()
    assert set(srsly_msgpack.msgpack_decoders.get_all()) >= {"numpy"}
    doc = nlp("I felt anxious before the review. Next time I will prepare a summary.")
    doc.user_data["array"] = np.arange(3)
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert back.text == doc.text and back._.markers == doc._.markers
    assert back._.elements == doc._.elements and back._.depth == doc._.depth
    assert np.array_equal(back.user_data["array"], np.arange(3))

    calls = []

    @srsly_msgpack.msgpack_decoders("reflectassist_test_hook")
    def hook(obj, chain=None):
        calls.append(obj)
        return obj if chain is None else chain(obj)

    try:
        Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert calls

        @srsly_msgpack.msgpack_decoders("reflectassist_test_hook")  # replaced under its name
        def other(obj, chain=None):
            calls.append("replaced")
            return obj if chain is None else chain(obj)

        Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert "replaced" in calls
    finally:
        import catalogue

        catalogue._remove(("srsly", "msgpack_decoders", "reflectassist_test_hook"))
    assert "reflectassist_test_hook" not in srsly_msgpack.msgpack_decoders.get_all()


def test_garbage_made_between_analyses_is_still_collected(nlp):
    """analyse() freezes the objects that exist when it is first called (to spare the garbage
    collector from rescanning the models); later cycles must still be collected."""
    import gc
    import weakref

    from reflectassist.analysis import analyse_text

    class Node:
        pass

    analyse_text(nlp, "I felt unsure at first. Next time I will ask earlier.")
    a, b = Node(), Node()
    a.other, b.other = b, a
    ref = weakref.ref(a)
    del a, b
    analyse_text(nlp, "We agreed two targets for the next review.")
    gc.collect()
    assert ref() is None


def test_garbage_made_before_the_first_analysis_is_not_frozen():
    """The freeze collects first: a cycle that was already unreachable is freed, not kept."""
    import subprocess
    import sys

    code = ("import gc, weakref\n"
            "from reflectassist.analysis import _freeze_loaded_objects\n"
            "class Node: pass\n"
            "a, b = Node(), Node(); a.other, b.other = b, a; ref = weakref.ref(a); del a, b\n"
            "_freeze_loaded_objects(); gc.collect()\n"
            "print(ref() is None)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == "True"


def test_analysis_collects_less_often_and_puts_the_threshold_back(nlp):
    """While analyse() runs, the youngest generation's threshold is raised (documents leave
    little cyclic garbage); afterwards, or if the caller stops early, it is what it was."""
    import gc

    from reflectassist.analysis import YOUNG_THRESHOLD, analyse
    from reflectassist.source import Source

    before = gc.get_threshold()
    sources = [Source(f"d{i}.txt", f"Entry {i}. I felt unsure. Next time I will ask.")
               for i in range(3)]
    seen = [gc.get_threshold() for _ in analyse(nlp, sources)]
    assert seen and all(t[0] == max(before[0], YOUNG_THRESHOLD) and t[1:] == before[1:]
                        for t in seen)
    assert gc.get_threshold() == before
    run = analyse(nlp, sources)
    next(run)
    run.close()  # stopped early
    assert gc.get_threshold() == before


def test_analysis_leaves_a_switched_off_collector_alone(nlp):
    """Automatic collection switched off (gc.disable() or a threshold of 0) stays off while
    the analysis runs, not only afterwards."""
    import gc

    from reflectassist.analysis import analyse
    from reflectassist.source import Source

    sources = [Source(f"d{i}.txt", f"Entry {i}. I felt unsure. Next time I will ask.")
               for i in range(3)]
    before = gc.get_threshold()
    try:
        gc.disable()
        seen = [(gc.isenabled(), gc.get_threshold()) for _ in analyse(nlp, sources)]
        assert seen == [(False, before)] * 3
        gc.enable()
        gc.set_threshold(0, *before[1:])
        seen = [gc.get_threshold() for _ in analyse(nlp, sources)]
        assert seen == [(0, *before[1:])] * 3
    finally:
        gc.enable()
        gc.set_threshold(*before)


def test_heap_padding_is_set_once_on_glibc_and_skipped_elsewhere(monkeypatch):
    """keep_heap_padding asks glibc's malloc to keep 64 MB at the heap's top (fewer page
    faults); once per process, and nothing is tried on other platforms."""
    import ctypes

    from reflectassist import analysis

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    opened: list[str] = []

    def cdll(name: str) -> Libc:
        opened.append(name)
        return Libc()

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    monkeypatch.setattr(analysis, "_PADDED", False)
    monkeypatch.setattr(analysis.sys, "platform", "linux")
    analysis.keep_heap_padding()
    analysis.keep_heap_padding()
    assert opened == ["libc.so.6"] and calls == [(-2, 64 * 1024 * 1024)]

    monkeypatch.setattr(analysis, "_PADDED", False)
    monkeypatch.setattr(analysis.sys, "platform", "darwin")
    analysis.keep_heap_padding()
    assert len(calls) == 1

    def no_libc(name: str) -> Libc:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    monkeypatch.setattr(analysis, "_PADDED", False)
    monkeypatch.setattr(analysis.sys, "platform", "linux")
    analysis.keep_heap_padding()  # musl and others: no error
    assert len(calls) == 1


def test_jobs_give_the_same_results_and_recover_from_a_failing_document(nlp, monkeypatch,
                                                                        caplog):
    """``--jobs 2`` (spaCy's multiprocessing) gives the results of one process, in order;
    a document that makes a worker's component raise gets an error result, the others are
    analysed (workers are forked, so they inherit the patched component)."""
    from reflectassist.analysis import analyse
    from reflectassist.source import Source

    texts = [f"Entry {i}. I felt anxious on the ward because we were short of staff. "
             f"Feedback: your handover to bed {i} was clear. JB to finish the e-learning by "
             f"{i + 1} May." for i in range(7)]
    sources = [Source(f"d{i}.txt", t) for i, t in enumerate(texts)]
    one = list(analyse(nlp, sources, batch_size=2))
    two = list(analyse(nlp, sources, batch_size=2, n_process=2))
    assert two == one and not any(r["error"] for r in one)

    explode_on_boom(nlp, monkeypatch)
    sources[3] = Source("d3.txt", "BOOM in the middle.")
    with caplog.at_level("DEBUG", logger="reflectassist"):
        got = list(analyse(nlp, sources, batch_size=2, n_process=2))
    assert [r["path"] for r in got] == [s.path for s in sources]
    assert [r["error"] for r in got].count(None) == 6
    assert got[3]["error"] == "analysis failed: component exploded"
    assert [r for i, r in enumerate(got) if i != 3] == [r for i, r in enumerate(one) if i != 3]
    assert any("starting 2 new worker processes" in r.getMessage() for r in caplog.records)


def test_an_error_result_has_every_key_of_a_result(nlp):
    from reflectassist.analysis import analyse_text, error_result

    assert set(error_result("x.txt", "bad")) == set(analyse_text(nlp, "I felt sad."))


def test_loaded_pipeline_keeps_each_docs_own_text(nlp):
    """The loaded pipeline's tokenizer keeps the input text for the components (instead of
    spaCy rebuilding it from the tokens); it is exactly the text the tokens spell, through
    ``__call__`` and ``pipe``, and the wrapped tokenizer's own methods still work."""
    from reflectassist.segmenter import TEXT_KEY

    texts = ["Hello there.  I said   hi.\n\n- item\t\tdone ", " leading", "e.g. w/c 3rd",
             "“Curly” quotes’ and\u00a0no-break", "x" * 3000, "\n\n\n"]
    for doc in [nlp.make_doc(t) for t in texts] + list(nlp.tokenizer.pipe(texts)):
        assert doc.user_data[TEXT_KEY] == doc.text
    assert [t.text for t in nlp.tokenizer("e.g. this")] == ["e.g.", "this"]
    assert nlp.tokenizer.to_bytes() == nlp.tokenizer.tokenizer.to_bytes()


def test_jobs_work_with_the_spawn_start_method(model_path, tmp_path):
    """macOS and Windows start worker processes with "spawn", for which spaCy pickles the
    pipeline and every Doc/Span extension: a getter that was a closure or a lambda made
    ``--jobs 2`` fail there before any document was analysed."""
    script = tmp_path / "spawn_jobs.py"
    script.write_text(
        "import json, multiprocessing, sys\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.set_start_method('spawn')\n"
        "    from reflectassist.analysis import Source, analyse\n"
        "    from reflectassist.pipeline import load_pipeline\n"
        "    nlp = load_pipeline(sys.argv[1])\n"
        "    texts = ['I felt anxious. Next time I will ask my supervisor by Friday.',\n"
        "             'Feedback:\\n- Good audit work.\\n- You need to file notes on time.'] * 3\n"
        "    src = [Source(f'd{i}.txt', t) for i, t in enumerate(texts)]\n"
        "    one = list(analyse(nlp, src))\n"
        "    two = list(analyse(nlp, src, batch_size=2, n_process=2))\n"
        "    print(json.dumps([one == two, [r['error'] for r in two]]))\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(model_path)], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    same, errors = json.loads(out.stdout.strip().splitlines()[-1])
    assert same and errors == [None] * 6


def test_result_carrier_packs_the_result_for_worker_processes(nlp):
    """Asked to pack (as analyse() does for ``--jobs``), the last component returns an empty
    Doc carrying the analysed Doc's result, which survives the bytes round trip that spaCy's
    multiprocessing makes; not asked, it leaves the Doc alone."""
    from spacy.tokens import Doc

    from reflectassist.analysis import RESULT_PIPE, doc_to_result, result_of

    text = ("I felt anxious before the review because I had missed a deadline. "
            "Feedback: your notes were clear. Target: finish the audit by 3 June.")
    full = nlp(text)
    assert len(full) > 0 and full._.result is None
    expected = doc_to_result(full, "a.txt")
    packed = nlp(text, component_cfg={RESULT_PIPE: {"pack": True}})
    assert len(packed) == 0 and packed.text == ""
    back = Doc(nlp.vocab).from_bytes(packed.to_bytes())
    assert result_of(back, "a.txt") == expected
    assert len(packed.to_bytes()) * 2 < len(full.to_bytes())
    assert result_of(full, "a.txt") == expected


def test_a_pipeline_saved_without_the_result_carrier_still_loads_with_it(nlp, tmp_path):
    from reflectassist.analysis import RESULT_PIPE, analyse
    from reflectassist.pipeline import load_pipeline
    from reflectassist.source import Source

    nlp.to_disk(tmp_path / "p")
    old = load_pipeline(tmp_path / "p")
    old.remove_pipe(RESULT_PIPE)
    old.to_disk(tmp_path / "old")
    reloaded = load_pipeline(tmp_path / "old")
    assert reloaded.pipe_names[-1] == RESULT_PIPE
    src = [Source(f"d{i}.txt", f"Entry {i}. I felt unsure, so I asked my mentor.")
           for i in range(3)]
    assert list(analyse(reloaded, src, n_process=2)) == list(analyse(nlp, src))
