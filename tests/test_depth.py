"""Depth must follow reasoning, not length or reflective buzzwords; suggestions point at text."""

from __future__ import annotations

DESCRIPTIVE = (
    "I arrived for my late shift at two o'clock and took handover from the morning nurse. "
    "There were six patients in my bay. Mr A needed his dressing changed and I did this after "
    "the drug round. Mrs C went to theatre at four and came back at seven. I did her "
    "observations every thirty minutes as the chart said. The relatives of the man in bed "
    "five visited at six and asked about discharge, so I told them the doctor would come. "
    "At nine I handed over to the night staff and went home."
)

BUZZ = [
    "I reflected deeply on this experience.",
    "It was a valuable learning experience.",
    "Lessons were learned.",
    "Using Gibbs' reflective cycle helped me reflect.",
    "I have grown as a practitioner.",
    "This really made me think.",
    "It was an eye-opening experience.",
    "I reflected on my practice.",
    "This was a steep learning curve.",
    "I gained a lot from this reflection.",
]

CRITICAL = (
    "Last week I helped Mrs K, who has dementia, to get up at half six because the early "
    "shift gets everyone washed before breakfast. She pushed my hand away and shouted. I "
    "wrote in her notes that she was resistive to care.\n\n"
    "I felt uncomfortable writing that and I have kept thinking about why. From Mrs K's side, "
    "a stranger woke her in the dark and started undressing her; pushing me away was probably "
    "the most sensible thing she could do. I had assumed the problem was her behaviour, but "
    "the timing was ours, set by a rota built around staff numbers rather than around the "
    "people who live here. Calling her resistive turned our routine into her fault, and that "
    "label will follow her into every handover and care review. I now see how much power we "
    "have in the words we choose in records, and how the home's culture makes task-centred "
    "care feel normal. I have started asking residents when they want to get up and I "
    "raised the wake-up routine at the team meeting, because this is not about one morning "
    "but about whose home this is."
)


def level(nlp, text):
    return nlp(text)._.depth["level"]


def test_buzzword_stuffing_does_not_raise_level(nlp):
    base = level(nlp, DESCRIPTIVE)
    stuffed = DESCRIPTIVE + " " + " ".join(BUZZ)
    assert level(nlp, stuffed) <= base
    assert base <= 1


def test_buzz_sentences_are_flagged(nlp):
    doc = nlp(DESCRIPTIVE + " " + " ".join(BUZZ))
    flagged = [s.text for s in doc.sents if s._.buzz]
    assert len(flagged) >= 8


def test_critical_entry_scores_high_and_truncation_lowers_it(nlp):
    full = level(nlp, CRITICAL)
    descriptive_half = CRITICAL.split("\n\n")[0]
    assert full >= 2
    assert level(nlp, descriptive_half) < full


def test_length_alone_does_not_raise_level(nlp):
    doubled = DESCRIPTIVE + " " + DESCRIPTIVE.replace("late shift", "early shift")
    assert level(nlp, doubled) <= max(level(nlp, DESCRIPTIVE), 1)


def test_suggestions_point_at_sentences(nlp):
    doc = nlp(DESCRIPTIVE + " " + BUZZ[0])
    sugg = doc._.suggestions
    depth = [s for s in sugg if s["dimension"] == "depth"]
    assert depth, "a descriptive entry gets advice on the next level"
    starts = {s for s, _e, _sec, _h in doc._.sentences}
    for s in sugg:
        assert s["start"] in starts
    buzz_sugg = [s for s in depth if "no reasoning" in s["message"]]
    assert buzz_sugg and doc.text[buzz_sugg[0]["start"]:buzz_sugg[0]["end"]] == BUZZ[0]
    missing = {s.get("stage") for s in sugg if s["dimension"] == "elements"}
    assert "action plan" in missing and "feelings" in missing


def test_headings_are_not_buzz_and_evaluation_cues_count(nlp):
    text = ("Reflective account: a fall on the ward\n\n"
            "On Monday Mr D fell while I was on my break. What went well was that I stopped, "
            "checked him and called for help. What I found hard was telling his daughter.")
    doc = nlp(text)
    buzz = [s for s in doc._.suggestions if "no reasoning" in s["message"]]
    assert not buzz
    missing = {s.get("stage") for s in doc._.suggestions if s["dimension"] == "elements"}
    assert "evaluation" not in missing


def test_buzz_sentences_still_show_their_gibbs_stage(nlp):
    """A thin action plan is reported as present (the stage follows the sentence's element,
    LABELS.md); it gets advice on itself (here SMART advice: it is also a target), not advice
    to add an action plan it already has."""
    text = (DESCRIPTIVE + " I reflected on my practice and I will improve my communication "
            "skills.")
    doc = nlp(text)
    last = doc._.elements[-1]
    assert last[0] == "intention" and last[2], last  # intention, and buzz
    assert "action plan" in doc._.gibbs_present
    stages = {s.get("stage") for s in doc._.suggestions if s["dimension"] == "elements"}
    assert "action plan" not in stages
    start = doc._.sentences[-1][0]
    assert any(s["start"] <= start < s["end"] and s["dimension"] == "smart"
               for s in doc._.suggestions)


def test_targets_and_feedback_get_no_buzz_advice(nlp):
    text = ("Supervision notes\n\nDiscussed the safeguarding referral for the family.\n\n"
            "Agreed actions:\n1. Book the safeguarding level 3 course by 30 June.\n"
            "2. Be more reflective.\n")
    doc = nlp(text)
    target = next(t for t in doc._.targets if t["text"].startswith("Be more reflective"))
    row = next(r for r in doc._.sentences if r[0] <= target["start"] < r[1])
    i = doc._.sentences.index(row)
    assert doc._.elements[i][2], "the target is a buzz sentence"
    anchored = [s for s in doc._.suggestions if s["start"] < target["end"]
                and target["start"] < s["end"]]
    assert any(s["dimension"] == "smart" for s in anchored)
    assert not any("no reasoning" in s["message"] for s in anchored)


def test_a_target_is_an_action_plan(nlp):
    """A sentence holding a target is an action plan, whatever element it reads as."""
    text = DESCRIPTIVE + "\n\nAction | Who | When\nAudit 5 care plans | TL | 30/04\n"
    doc = nlp(text)
    target = next(t for t in doc._.targets if t["text"].startswith("Audit 5 care plans"))
    row = next(i for i, r in enumerate(doc._.sentences) if r[0] <= target["start"] < r[1])
    assert doc._.elements[row][0] != "intention"  # the table row reads as no intention
    assert row in doc._.gibbs_present["action plan"]
    assert not any(s.get("stage") == "action plan" for s in doc._.suggestions)
