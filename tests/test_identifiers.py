"""Personal identifiers (issue 9): every type, every look-alike of pii.md, redaction, offsets.

All sentences here were written for these tests; none is taken from corpora/pii.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
import spacy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reflectassist.identifiers import (
    IDENTIFIER_TYPES,
    find_identifiers,
    is_valid_nhs_number,
    nhs_check_digit,
)
from reflectassist.lexicon import load_data
from reflectassist.redact import PLACEHOLDERS, redact, redact_text


def spans(text: str, kind: str | None = None) -> list[tuple[str, str]]:
    found = find_identifiers(text)
    return [(d["type"], d["text"]) for d in found if kind is None or d["type"] == kind]


def texts(text: str, kind: str) -> list[str]:
    return [t for _, t in spans(text, kind)]


# --------------------------------------------------------------------------- contract


def test_result_shape_offsets_and_order():
    text = ("Rang Mrs Okonkwo's son on 07700 900318; NHS 943 476 5919, DOB 04/02/1951, "
            "lives at 7 Cherry Tree Close, LS6 2QT.")
    found = find_identifiers(text)
    assert [d["type"] for d in found] == ["NAME", "PHONE", "NHS_NUMBER", "DOB", "ADDRESS",
                                          "POSTCODE"]
    for d in found:
        assert set(d) == {"start", "end", "type", "text", "reason"}
        assert text[d["start"]:d["end"]] == d["text"]
        assert d["type"] in IDENTIFIER_TYPES and d["reason"]
    assert all(a["end"] <= b["start"] for a, b in zip(found, found[1:], strict=False))


def test_empty_and_identifier_free_text():
    assert find_identifiers("") == []
    assert find_identifiers("The patient was anxious before her procedure, so I stayed.") == []


def test_offsets_count_code_points_with_accents_and_emoji():
    text = "🙂 Tŷ Coch café: Mrs Ó Súilleabháin rang from 029 2018 0447."
    found = find_identifiers(text)
    assert ("NAME", "Mrs Ó Súilleabháin") in [(d["type"], d["text"]) for d in found]
    for d in found:
        assert text[d["start"]:d["end"]] == d["text"]


# --------------------------------------------------------------------------- NHS numbers


def test_nhs_check_digit_worked_examples_from_the_guideline():
    assert nhs_check_digit("999654321") == 8
    assert nhs_check_digit("999123456") is None  # 11 - 1 = 10: no valid number
    assert is_valid_nhs_number("999 654 3218")
    assert not is_valid_nhs_number("999 654 3215")


@pytest.mark.parametrize("written", ["943 476 5919", "9434765919", "943-476-5919"])
def test_valid_nhs_number_in_every_layout(written):
    assert spans(f"NHS no. {written} checked against the wristband.") == [
        ("NHS_NUMBER", written)]


@pytest.mark.parametrize("text", [
    "The referral gave NHS number 943 476 5918 but the Spine rejected it.",
    "Audit ref 999 123 4560 was logged for the notes review.",
    "Training certificate 401 023 2136 is on my portfolio.",
    "Asset tag 123 456 7890 was on the pump.",
])
def test_numbers_failing_the_check_digit_are_not_nhs_numbers(text):
    assert spans(text, "NHS_NUMBER") == []


def test_nhs_number_is_not_taken_from_inside_a_longer_number():
    assert spans("Order 19434765919 and 943 476 59190 arrived.", "NHS_NUMBER") == []


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize("number", ["07700 900417", "07700900417", "07700 900 417",
                                    "+44 7700 900582", "+44 (0)7700 900582", "0113 496 0872",
                                    "029 2018 0447", "(0116) 496 0773", "01632 960123",
                                    "0300 123 4567"])
def test_uk_phone_numbers(number):
    assert spans(f"Her number is {number} if you need it.") == [("PHONE", number)]


@pytest.mark.parametrize("text", [
    "Call 999 or 111, or the Samaritans on 116 123.",
    "Bleep 4471 for the outreach team, or ext 4-5521.",
    "The log ID was 0161 4400 21 on the CAD screen.",
    "Reference 0800/2291/5734 was on the letter.",
    "At 14:30 the BP was 142/88 and RR 28.",
])
def test_phone_look_alikes(text):
    assert spans(text, "PHONE") == []


def test_two_phone_numbers_side_by_side_are_separate():
    text = "Office 0113 496 0872 or mobile 07700 900123."
    assert texts(text, "PHONE") == ["0113 496 0872", "07700 900123"]


# --------------------------------------------------------------------------- email


def test_emails_personal_and_team():
    text = ("I emailed a.nwosu88@gmail.com and copied duty.team@example-council.gov.uk; the "
            "PALS inbox and NHSmail are not addresses.")
    assert spans(text) == [("EMAIL", "a.nwosu88@gmail.com"),
                           ("EMAIL", "duty.team@example-council.gov.uk")]


def test_email_with_a_year_is_one_span_and_not_a_dob():
    assert spans("Write to kayla.marsh1994@example.com today.") == [
        ("EMAIL", "kayla.marsh1994@example.com")]


def test_email_look_alikes():
    assert spans("I emailed the team and messaged @carer_support on social media.") == []


# --------------------------------------------------------------------------- postcodes


@pytest.mark.parametrize("code", ["LS8 3QW", "CF24 4HQ", "BT7 3GF", "EH6 7LB", "SW1A 1AA",
                                  "M14 5TT", "B5 7RN"])
def test_postcodes(code):
    assert spans(f"The flat is in {code}, near the bus stop.") == [("POSTCODE", code)]


@pytest.mark.parametrize("text", [
    "Her vitamin B12 was low.",
    "Traffic on the M62 was bad.",
    "He was moved from bed B2 to cell C14.",
    "Ask for form SA100 at reception.",
    "QQ1 1AA is not a postcode area.",
])
def test_postcode_look_alikes(text):
    assert spans(text, "POSTCODE") == []


# --------------------------------------------------------------------------- NI numbers


@pytest.mark.parametrize("ni", ["JR 48 19 27 C", "JR481927C", "AB 123456 D"])
def test_ni_numbers(ni):
    assert spans(f"NI {ni} was on the form.") == [("NI_NUMBER", ni)]


@pytest.mark.parametrize("text", [
    "The HMRC example QQ 12 34 56 C is a placeholder.",
    "GB 12 34 56 A and TN 31 25 71 A are never issued.",
    "DA 12 34 56 B has a bad first letter.",
    "She asked for her NI number for the PIP and ESA50 forms; she is Band 6.",
    "AB 12 34 56 E has a bad suffix.",
])
def test_ni_look_alikes(text):
    assert spans(text, "NI_NUMBER") == []


# --------------------------------------------------------------------------- record numbers


@pytest.mark.parametrize("text,value", [
    ("MRN 4482917 on the wristband.", "4482917"),
    ("Case ref SC/2291/23 was opened.", "SC/2291/23"),
    ("Hospital no. RXF 2281945 was missing.", "RXF 2281945"),
    ("RiO 1018842 had the wrong address.", "1018842"),
    ("Prison no. A4821KD was on the escort form.", "A4821KD"),
    ("Client ID: 55102 on the equipment list.", "55102"),
    ("YOT ref YO/5521/22 is on the order.", "YO/5521/22"),
])
def test_record_numbers_value_only(text, value):
    assert texts(text, "RECORD_NUMBER") == [value]


@pytest.mark.parametrize("text", [
    "Datix 2024/3187 was raised after the fall.",
    "Incident no. 2023/441 is closed.",
    "Policy v4.2 and forms ESA50 and DS1500 are attached.",
    "Proficiency 3.4 and module 7 are signed off.",
    "Bed 12, bay 3, room 4 and cubicle 12.",
])
def test_record_number_look_alikes(text):
    assert spans(text, "RECORD_NUMBER") == []


# --------------------------------------------------------------------------- DOB


@pytest.mark.parametrize("text,value", [
    ("DOB 03/11/1962 on the MAR chart.", "03/11/1962"),
    ("She was born 9 January 1979 in Lagos.", "9 January 1979"),
    ("Mr K (b. 1931) lives alone.", "1931"),
    ("d.o.b. 5th Sept 1990, confirmed.", "5th Sept 1990"),
    ("Date of birth: 04/17/2019.", "04/17/2019"),
    ("Baby Ivo was born 02/01/2025 at home.", "02/01/2025"),
    ("born at 16:52 on 02/01/2025", "02/01/2025"),
])
def test_dates_of_birth_value_only(text, value):
    assert texts(text, "DOB") == [value]


def test_conflicting_dates_of_birth_are_both_flagged():
    text = "His DOB was 12/03/1950 on one form but 12/03/1955 on the GP letter."
    assert texts(text, "DOB") == ["12/03/1950", "12/03/1955"]


@pytest.mark.parametrize("text", [
    "Admitted on 3 March at 14:30 and reviewed on 12/06.",
    "Supervision 14/05 went well.",
    "EDD 18/09, booked at 12 weeks.",
    "Baby was born at 16:52.",
    "The address was from 2019.",
    "Both were born in the fifties.",
    "DOB admitted 01/02/2024",
])
def test_dob_look_alikes(text):
    assert spans(text, "DOB") == []


# --------------------------------------------------------------------------- ages


@pytest.mark.parametrize("text,value", [
    ("A 93-year-old man was admitted.", "93-year-old"),
    ("Her baby is 7 months old.", "7 months old"),
    ("5 y/o girl with a rash.", "5 y/o"),
    ("Her son, aged 9, was at school.", "9"),
    ("A ninety-three-year-old resident.", "ninety-three-year-old"),
    ("She's 84 and lives alone.", "84"),
    ("He turned 80 last week.", "80"),
    ("Mr B, 84, was anxious.", "84"),
    ("Patient X (45) declined.", "45"),
    ("I'm 23 and new to the ward.", "23"),
    ("Mrs Khan, aged ninety-three, lives alone.", "ninety-three"),
])
def test_ages(text, value):
    assert texts(text, "AGE") == [value]


def test_age_after_a_name():
    text = "Jordan, 19, and Leah (13) came in together."
    assert spans(text) == [("NAME", "Jordan"), ("AGE", "19"), ("NAME", "Leah"), ("AGE", "13")]


def test_two_ages_after_aged():
    assert texts("The children are aged 6 and 9.", "AGE") == ["6", "9"]


@pytest.mark.parametrize("text", [
    "A man in his eighties came in.",
    "As a teenager she moved a lot; older adults struggle too.",
    "Patients aged 18 to 25 and the over-75s.",
    "He is in Year 10.",
    "I have done 30 years in nursing and the boiler was fine for 50 years.",
    "She is 28 weeks pregnant; the 8-week check is due.",
    "He looks about fifteen.",
    "A 12-hour shift and a 10-minute appointment.",
    "Aged 18+ only; average age 42.",
    "I was 5 minutes late and she was 2 and a half hours early.",
])
def test_age_look_alikes(text):
    assert spans(text, "AGE") == []


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize("address", ["14 Mill Lane", "22B Wellington Road",
                                     "Flat 2, 41 Brunswick Street",
                                     "Apartment 31, Quayside Point", "Unit 4, Tannery Yard",
                                     "Flat 9, Cedar House", "3 Heol y Nant"])
def test_addresses(address):
    assert texts(f"We visited {address} this morning.", "ADDRESS") == [address]


def test_address_and_postcode_are_separate_spans():
    text = "Lives at 14 Mill Lane, S6 2LQ."
    assert spans(text) == [("ADDRESS", "14 Mill Lane"), ("POSTCODE", "S6 2LQ")]


@pytest.mark.parametrize("text", [
    "She gave an address for the hostel and went to his sister's.",
    "He moved from Leeds to Cluj, then Chicago.",
    "It was a 15 Minute Walk to the shop.",
    "Unit 4 of the course covers consent.",
])
def test_address_look_alikes(text):
    assert spans(text, "ADDRESS") == []


# --------------------------------------------------------------------------- places


@pytest.mark.parametrize("place", ["Ward 7B", "Beech Ward", "Kingsmead Hospital",
                                   "Elmfield Surgery", "St Anne's Primary", "HMP Thornbury",
                                   "Larkfield House", "Rose Court care home", "Oakfield Lodge",
                                   "Greenbank Primary School", "Parkview Medical Centre"])
def test_named_places(place):
    assert texts(f"I worked at {place} on Tuesday.", "PLACE") == [place]


def test_leading_the_only_when_part_of_the_name():
    assert texts("She moved to The Hollies last year.", "PLACE") == ["The Hollies"]
    assert texts("He is on the Sunflower Unit today.", "PLACE") == ["Sunflower Unit"]
    assert texts("We met at The Bridge Project.", "PLACE") == ["The Bridge Project"]


@pytest.mark.parametrize("text", [
    "On the ward, in A&E, ICU and resus, then the care home and the hospice.",
    "The day centre and the Intensive Care Unit were full.",
    "Bed 4, side room 2, cubicle 12 and Room 4.",
    "DWP, CQC, NMC, MASH, CAMHS and the Samaritans.",
    "Sending money home to Cluj; she grew up in Leeds.",
    "We discussed it at the ward round with the Stroke Ward team.",
    "Reflective Practice and Good Practice were the module titles.",
])
def test_place_look_alikes(text):
    assert spans(text, "PLACE") == []


def test_name_then_place_with_the_same_word():
    assert spans("Visited Rose at Rose Court again.") == [("NAME", "Rose"),
                                                         ("PLACE", "Rose Court")]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("text,names", [
    ("Rang Mrs Achebe's daughter about the visit.", ["Mrs Achebe"]),
    ("Dr Lindgren and Ms. Ortiz reviewed him with Mr Ferreira-Lopes.",
     ["Dr Lindgren", "Ms. Ortiz", "Mr Ferreira-Lopes"]),
    ("I spoke to mrs patel on the phone.", ["mrs patel"]),
    ("Mr Long and Dr Day were on call.", ["Mr Long", "Dr Day"]),
    ("J. Harrington and K Mensah signed it.", ["J. Harrington", "K Mensah"]),
    ("OKORO, Bisi was admitted overnight.", ["OKORO, Bisi"]),
    ("Dr R. Singh referred her.", ["Dr R. Singh"]),
])
def test_titles_initials_and_full_names(text, names):
    assert texts(text, "NAME") == names


@pytest.mark.parametrize("text,names", [
    ("My patient Kemi wanted to go home.", ["Kemi"]),
    ("Faith, our senior carer, showed me the hoist.", ["Faith"]),
    ("Will won't take his tablets.", ["Will"]),
    ("My mentor Tariq and her son Dele stayed.", ["Tariq", "Dele"]),
    ("We held baby Niamh.", ["Niamh"]),
    ("Grace (everyone calls her Aunty) was first up.", ["Grace"]),
    ("Gaz came in for his naloxone.", ["Gaz"]),
    ("Our HCA, Bisola Adeyinka, said it was fine.", ["Bisola Adeyinka"]),
    ("Sister Moyo and Nurse Adeyemi were on.", ["Moyo", "Adeyemi"]),
    ("Supervisor: Mark Ellison.", ["Mark Ellison"]),
    ("Precious spoke to her daughter.", ["Precious"]),
])
def test_first_names_and_role_cues(text, names):
    assert texts(text, "NAME") == names


def test_unknown_name_before_a_possessive_relation():
    assert texts("Bisola's mum rang twice.", "NAME") == ["Bisola"]
    assert spans("Her Parkinson's medication and St Mary's car park.", "NAME") == []


def test_non_uk_phone_formats_are_flagged_too():
    assert texts("Her Irish mobile is 087 123 4567.", "PHONE") == ["087 123 4567"]
    assert texts("Aus mobile 0412 345 678.", "PHONE") == ["0412 345 678"]


def test_each_occurrence_is_its_own_span():
    text = "Kemi was upset, so I sat with Kemi."
    assert texts(text, "NAME") == ["Kemi", "Kemi"]


def test_same_word_different_reading():
    text = "I visited Mrs Gibbs and wrote it up using Gibbs' cycle."
    assert texts(text, "NAME") == ["Mrs Gibbs"]
    text = "My trainer, Dr Kolb, laughed at my Kolb's-cycle reflection."
    assert texts(text, "NAME") == ["Dr Kolb"]


@pytest.mark.parametrize("text", [
    # initials-only anonymisation and lettered references
    "Mr B was calmer; Mrs T's daughter rang. JB did the drug round; initials KM.",
    "Service user A, Patient X, Child A and Child B were discussed.",
    "Talked through the Mr B situation again with J.",
    # generic roles
    "The patient, the ward sister, my mentor, mum and nan were there.",
    # theorists and authors
    "Gibbs (1988), Kolb's cycle, Schön, Johns and Driscoll, Rolfe et al. and Borton.",
    "Roper, Logan and Tierney's model; Florence Nightingale; Carl Rogers; Maya Angelou.",
    "Beauchamp and Childress, Maslow, Kübler-Ross, Tuckman and Carper.",
    # brands, books, TV
    "We read Mr Men books, watched Mr Tumble and Mr Bean; Dr Martens, Mr Kipling cakes.",
    "Mrs Brown's Boys and Dr Seuss were on; he used Mr Muscle on the floor.",
    "Thomas the Tank Engine was his favourite.",
    # laws, reports, events, conditions, charities
    "Clare's Law, Martha's Rule, the Francis Report and a Schwartz Round.",
    "Parkinson's, Alzheimer's, Waterlow, the Abbey pain scale and the Glasgow Coma Scale.",
    "A Macmillan nurse, Marie Curie and the Samaritans helped.",
    # pets, manikins, placeholders
    "The dog, Pepper, barked. The sim manikin 'Stan' collapsed. 'Mr Bed 10' shouted.",
    # ordinary words that are also names
    "Will you check the obs? Mark the chart. Grace periods apply.",
    "I've asked my mentor; I'd said so. We've agreed it.",
    "Dr Foster data showed the mortality rate.",
])
def test_name_look_alikes(text):
    assert spans(text, "NAME") == []


def test_months_need_a_cue():
    assert spans("In May we reviewed it in June.", "NAME") == []
    assert texts("My patient May was worried.", "NAME") == ["May"]


def test_place_like_names_after_locative_words():
    assert spans("She sends money home to India and moved from Jordan.", "NAME") == []
    assert texts("Jordan told me he was scared.", "NAME") == ["Jordan"]


# --------------------------------------------------------------------------- other look-alikes


@pytest.mark.parametrize("text", [
    "NEWS 5, BP 142/88, SpO2 94%, GCS 14, PEWS 6, RR 28.",
    "Paracetamol 1g QDS, enoxaparin 40mg and 1.5ml/kg/hr.",
    "At 14:30 on 3 March, 12/06 and the 21st.",
    "Care Act 2014, MCA 2005, MHA 1983, Section 42 and the Equality Act 2010.",
    "band 5, FY1, matron, TVN and the night coordinator.",
])
def test_never_flag(text):
    assert find_identifiers(text) == []


# --------------------------------------------------------------------------- redaction


def test_redact_replaces_each_span_with_a_typed_placeholder():
    text = ("Mrs Achebe (NHS 943 476 5919, DOB 03/11/1962), 14 Mill Lane, S6 2LQ, "
            "07700 900123, k.obi@example.com, NI JR 48 19 27 C, MRN 4482917, aged 84, "
            "Beech Ward.")
    out, found = redact_text(text)
    assert out == ("[NAME] (NHS [NHS NUMBER], DOB [DATE OF BIRTH]), [ADDRESS], [POSTCODE], "
                   "[PHONE], [EMAIL], NI [NI NUMBER], MRN [RECORD NUMBER], aged [AGE], "
                   "[PLACE].")
    assert len(found) == 11
    assert set(PLACEHOLDERS) == set(IDENTIFIER_TYPES)


def test_redact_does_not_touch_its_input_and_keeps_the_rest():
    text = "Kemi rang. Nothing else."
    found = find_identifiers(text)
    assert redact(text, found) == "[NAME] rang. Nothing else."
    assert text == "Kemi rang. Nothing else."
    assert redact(text, []) == text


def test_redact_merges_overlaps_and_rejects_bad_spans():
    text = "abcdefghij"
    out = redact(text, [{"start": 1, "end": 4, "type": "NAME"},
                        {"start": 3, "end": 6, "type": "PHONE"}])
    assert out == "a[NAME]ghij"
    with pytest.raises(ValueError):
        redact(text, [{"start": 5, "end": 50, "type": "NAME"}])


def test_redacted_text_has_no_identifiers_left():
    text = "My patient Kemi (07700 900318) lives at 7 Cherry Tree Close, LS6 2QT."
    out, _ = redact_text(text)
    assert find_identifiers(out) == []


# --------------------------------------------------------------------------- spaCy component


def test_component_sets_plain_picklable_results():
    from reflectassist import identifiers  # noqa: F401  registers the factory

    nlp = spacy.blank("en")
    nlp.add_pipe("reflectassist_identifiers")
    text = "Mr Okafor rang on 0113 496 0872."
    doc = nlp(text)
    assert doc._.identifiers == find_identifiers(text)
    assert pickle.loads(pickle.dumps(doc._.identifiers)) == doc._.identifiers
    json.dumps(doc._.identifiers)


def test_lexicon_file_is_consistent():
    data = load_data("identifiers")
    for key in ("titles", "first_names", "stopwords", "exclusions", "theorists", "place",
                "address", "record_cues", "dob_cues", "postcode_areas"):
        assert key in data
    assert len(data["first_names"]) > 1000
    assert {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"} == set(data["titles"]["inside_span"])


def test_reasons_do_not_depend_on_the_hash_seed():
    """Two rules finding the same name must report the same reason in every run (a set's
    order once decided it, so reports changed from run to run)."""
    import subprocess
    import sys

    code = ("import json, sys; from reflectassist.identifiers import find_identifiers; "
            "print(json.dumps([find_identifiers(json.loads(l)['text']) "
            "for l in open(sys.argv[1], encoding='utf-8') if l.strip()]))")
    corpus = Path(__file__).resolve().parents[1] / "corpora" / "notes" / "n7.jsonl"
    outputs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", code, str(corpus)], env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(proc.stdout)
    assert len(outputs) == 1


@settings(max_examples=400, deadline=None)
@example(["I spoke to ", "Mary", "’s", "'s", " son"])
@example(["the boss ", "'s", " car"])
@given(st.lists(st.sampled_from(["Mary", "’s", "'s", "s", "x", "Kelvin", " ", "  ", "\n", "'",
                                 "’", ",", "İ", "-", "a", "O'Neill"]), max_size=14))
def test_possessive_free_words_strip_one_final_s(pieces):
    """TextView.bares (all words at once) is the per-word rule: one final 's or ’s after at
    least one character; "Mary’s's" keeps "Mary’s"."""
    from reflectassist.identifiers import TextView, lexicon

    view = TextView("".join(pieces), lexicon())
    assert view.bares == [w[:-2] if len(w) > 2 and w[-2] in "'’" and w[-1] == "s" else w
                          for w in view.words]


NO_BREAK = ("\u00a0", "\u2007", "\u202f")


@pytest.mark.parametrize("space", NO_BREAK)
@pytest.mark.parametrize("text,kind", [
    ("NHS number 943 476 5919 checked.", "NHS_NUMBER"),
    ("Call her on 07700 900123 today.", "PHONE"),
    ("She moved to SW1A 1AA last year.", "POSTCODE"),
    ("NI number JH 90 14 62 D is on file.", "NI_NUMBER"),
    ("Mrs Khan rang the ward.", "NAME"),
])
def test_no_break_spaces_read_as_spaces(text, kind, space):
    """Word keeps numbers together with no-break spaces; an NHS number typed with them was
    not found (and so not redacted). The found text is the input's own characters."""
    typed = text.replace(" ", space)
    found = find_identifiers(typed)
    assert [(d["type"], d["start"], d["end"]) for d in found] == \
        [(d["type"], d["start"], d["end"]) for d in find_identifiers(text)]
    assert kind in {d["type"] for d in found}
    assert all(d["text"] == typed[d["start"]:d["end"]] for d in found)
    assert redact_text(typed).count(space) < typed.count(space)


def test_no_break_spaces_in_the_pii_corpus_change_nothing():
    path = Path(__file__).resolve().parents[1] / "corpora" / "pii" / "snippets.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines()[::3]:
        text = json.loads(line)["text"]
        typed = text.replace(" ", "\u00a0")
        assert [(d["type"], d["start"], d["end"]) for d in find_identifiers(typed)] == \
            [(d["type"], d["start"], d["end"]) for d in find_identifiers(text)], text[:60]


@pytest.mark.parametrize("text,name", [
    ("Supervisor: Mark\nDate: 12/03", "Mark"),
    ("Support worker: Hope | Supervisor: AB", "Hope"),
    ("Practice supervisor: Grace Lee", "Grace Lee"),
])
def test_a_first_name_in_a_role_field_is_a_name(text, name):
    """"Supervisor: Mark" was missed: "Mark" is also a word, and the role cue wanted a comma
    or a space, not a form field's colon."""
    assert name in texts(text, "NAME")


@pytest.mark.parametrize("text", [
    "Name: PO | Supervisor: Deputy Manager | Date: 19/06",
    "Supervisor: Principal SW (Team Leader)",
    "Supervisor: Head of Family Support",
    "Practice Assessor: Charge Nurse (Band 6)",
    'Feedback from a family carer: "Brilliant idea, thank you."',
])
def test_a_role_in_a_role_field_is_not_a_name(text):
    assert texts(text, "NAME") == []


NUMBER_PIECES = ["0", "1", "7", "12", "44", "353", "1234", "07700 900123", "943 476 5919", "+",
                 "(", ")", "(0)", " ", "  ", "\n", "\u00a0", ",", ".", "-", "/", "£", "_", "a",
                 "A", "AB", "Z", "SMITH, John", "O'NEIL, Mary", "ward ", "Ward 7", "A1234BC",
                 "SW1A 1AA", "JH 90 14 62 D", "'s", "’s", "١", "２", "é", "İ"]


@settings(max_examples=500, deadline=None)
@example(["+", "44 ", "07700 900123"], 0)
@example([", ", "\n", "19"], 10**9)
@example(["SMITH, John"], 32)
@given(st.lists(st.sampled_from(NUMBER_PIECES), max_size=16), st.sampled_from([0, 32, 10**9]))
def test_number_fast_paths_are_the_regex_scans(pieces, scan_chars):
    """The number rules try their regexes only at the digits (or a '+', '(' or capital right
    before one) and gate some rules without a scan; each is the regex over the whole text,
    whether few starts are tried or (past SCAN_CHARS_PER_START) the text is scanned."""
    import re

    from reflectassist import identifiers as ids

    text = "".join(pieces)
    view = ids.TextView(text, ids.lexicon())
    assert view.digits == [m.start() for m in re.finditer(r"\d", text)]
    assert view.digit_starts == [m.start() for m in re.finditer(r"\d(?<!\w\d)", text)]
    assert view.bares == [w[:-2] if len(w) > 2 and w[-2] in "'’" and w[-1] == "s" else w
                          for w in view.words]
    assert view.index_at(-1) is None
    assert [view.index_at(q) for q in view.starts] == list(range(view.n))
    spans = lambda ms: [m.span() for m in ms]  # noqa: E731
    caps = [q - 1 for q in view.digits if q and "A" <= text[q - 1] <= "Z"]
    saved = ids.SCAN_CHARS_PER_START
    ids.SCAN_CHARS_PER_START = scan_chars
    try:
        for rx in (ids.POSTCODE_GATE_RX, ids.NI_GATE_RX, ids.ADDRESS_GATE_RX):
            assert ids._search_at(rx, text, view.digits) == bool(rx.search(text))
        for rx, starts in ((ids.NHS_RX, view.digit_starts), (ids.PHONE_RUN_RX, view.sign_starts),
                           (ids.FOREIGN_PHONE_RX, view.sign_starts),
                           (ids.PRISON_NUMBER_RX, caps)):
            assert spans(ids._matches_at(rx, text, starts)) == spans(rx.finditer(text))
    finally:
        ids.SCAN_CHARS_PER_START = saved
    assert ids._number_after_comma(view) == bool(ids.BARE_AGE_GATE_RX.search(text))
    assert ids.CAPS_SURNAME_GATE_RX.search(text) or not ids.CAPS_SURNAME_RX.search(text)
    assert ids.WARD_GATE_RX.search(text) or not ids.WARD_RX.search(text)
