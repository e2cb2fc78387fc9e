"""Proofreading the case's free text (appeal/letters/proofread.py): likely typos with the word meant, words typed
without their apostrophe, the names the tool and the case know left alone, the plan's quoted words only checked
against the notice, and `appeal draft --case` / `appeal batch` printing the words without changing the letter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import docx_text, example_case

from appeal.base.resources import examples_folder, load_data
from appeal.cases import casefile
from appeal.cases.case import Case
from appeal.cases.case_paths import value_type
from appeal.cli import main
from appeal.letters import proofread

ERISA = examples_folder() / "ketamine-trd-erisa-appeal.yaml"


def words(text: str, field: str = "clinical.history", case: Case | None = None) -> list[tuple[str, str | None]]:
    known = proofread.case_words(case) if case else frozenset()
    return [(typo.word, typo.suggestion) for typo in proofread.typos(text, field, known)]


def test_a_likely_typo_gets_the_word_meant_capitalized_as_typed():
    assert words("Recieve it. I recieve my infusions weekly.") == [("Recieve", "Receive")]  # once a field
    assert (proofread.corrected("Recieve it. I recieve it; recieved stays.", "Recieve", "Receive")
            == "Receive it. I receive it; recieved stays.")


@pytest.mark.parametrize("typed, meant", [("dont", "don't"), ("im", "I'm"), ("Im", "I'm"), ("doesnt", "doesn't"),
                                          ("cant", "can't"), ("ive", "I've"), ("wont", "won't"), ("isnt", "isn't")])
def test_words_typed_without_their_apostrophe_are_offered_it(typed, meant):
    assert words(f"Some days {typed} manage.") == [(typed, meant)]


@pytest.mark.parametrize("typed, meant", [("hrs", "hours"), ("wks", "weeks"), ("yrs", "years"), ("Hrs", "Hours"),
                                          ("approx", "approximately")])
def test_short_forms_are_offered_the_whole_word_not_the_checkers_guess(typed, meant):
    """ "3 hrs a night": the English list's nearest word was "his", offered first, and a tired patient pressing
    Enter put "3 his a night" in the letter."""
    assert words(f"I sleep {typed} less than before.") == [(typed, meant)]


@pytest.mark.parametrize("typed, meant", [("mirtazepine", "mirtazapine"), ("gabapentn 300 mg", "gabapentin"),
                                          ("Lexaprp", "Lexapro")])
def test_a_medication_name_one_letter_off_is_offered_its_spelling(typed, meant):
    """'mirtazepine' went into the letter's table of treatments tried; a reviewer reads a misspelled drug as care."""
    assert [typo.suggestion for typo in proofread.typos(typed, "prior_treatments[].name")] == [meant]


@pytest.mark.parametrize("typed", ["sertraline 100 mg", "Zoloft", "physical therapy", "stellate ganglion blocks",
                                   "trazodone"])
def test_a_medication_or_therapy_name_that_is_right_or_unknown_is_left_alone(typed):
    assert proofread.typos(typed, "prior_treatments[].name") == []


def test_a_lower_case_i_and_month_are_offered_their_capital_and_may_is_left_alone():
    """A tired patient's "i" and "november" (a reviewer scored a letter that printed them); "may" and "march" are
    ordinary words too, so they are not flagged."""
    assert words("since november i may march less") == [("november", "November"), ("i", "I")]
    assert proofread.corrected("i said i would", "i", "I") == "I said I would"
    assert words("In November I may walk.") == []


def test_drug_condition_and_code_set_words_are_not_flagged():
    text = ("I tried esketamine (Spravato), ketamine, gabapentin, duloxetine, sertraline, Zoloft and pregabalin. "
            "Causalgia and allodynia of the left arm; treatment-resistant depression with anhedonia; "
            "dissociation after each infusion settled within two hours.")
    assert words(text) == []
    assert words("Ketamin helped.") == [("Ketamin", "Ketamine")]  # a misspelled drug is offered its spelling


def test_the_names_and_places_of_the_case_are_not_flagged():
    case = Case.model_validate({
        "patient": {"first_name": "Tylar", "last_name": "Kellen"},
        "treatment": {"prescriber": "Dr. Ana Marlow", "facility": "Bertil Clinic"},
    })
    # (a capitalized word inside a sentence, like Kellen here, is taken for a name the case may not give)
    text = "Tylar Kellen has tried four medications. Marlow prescribed them. Bertil Clinic gives the infusions."
    assert words(text, case=case) == []
    assert [word for word, _ in words(text)] == ["Tylar", "Marlow", "Bertil"]  # known from the case only


def test_the_plans_quoted_words_are_only_checked_against_the_notice():
    found = proofread.typos("Ketamine is experimantal and dont apply.", "denial.quote")
    assert [(typo.word, typo.suggestion, typo.source) for typo in found] == [
        ("experimantal", None, "the notice"), ("dont", None, "the notice")]
    assert found[0].shown == ("'experimantal' may be a typo: check it against the notice; the letter quotes it "
                              "as typed")


def test_every_bundled_example_reads_clean():
    for path in sorted(examples_folder().glob("*.yaml")):
        assert proofread.warnings(casefile.load(path)) == [], path.name


def test_the_free_text_fields_are_the_case_models_text_and_every_multiline_question_is_one_or_an_address():
    for path in proofread.FREE_TEXT:
        assert value_type(path) is str, path
    multiline = [question["path"] for section in load_data("questions.yaml")["sections"]
                 for question in section["questions"] if question.get("kind") == "multiline"]
    unchecked = [path for path in multiline if not proofread.checks(path)]
    assert unchecked and all(path.endswith("address") for path in unchecked), unchecked


def typo_case(folder: Path) -> Path:
    data = yaml.safe_load(ERISA.read_text(encoding="utf-8"))
    data["denial"]["quote"] = "Ketamine for depresion is experimental."
    data["clinical"]["functional_impairment"] = "I recieve disability pay and dont drive my children to school."
    data["kept_spellings"] = {"clinical.functional_impairment": ["dont"]}
    path = folder / "typos.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_draft_case_prints_each_likely_typo_with_its_field_and_leaves_the_letter_as_typed(tmp_path, capsys,
                                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["draft", "--case", str(typo_case(tmp_path)), "-o", "letter.docx"]) == 0
    out = capsys.readouterr().out
    assert "  - clinical.functional_impairment: recieve → receive?" in out
    assert "  - denial.quote: 'depresion' may be a typo: check it against the notice" in out
    assert "dont" not in out  # kept as typed in that field: not flagged again
    text = docx_text(tmp_path / "letter.docx")
    assert "Ketamine for depresion is experimental." in text  # the plan's words, verbatim
    assert "I recieve disability pay and dont drive" in text  # not changed silently


def test_batch_lists_the_likely_typos_under_the_letter(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["batch", str(typo_case(tmp_path)), "-o", "out", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "spelling to check: clinical.functional_impairment: recieve → receive?" in out
    assert "spelling to check: denial.quote: 'depresion' may be a typo" in out


def test_a_name_typed_all_in_lower_case_is_offered_its_capitals_as_one_fix():
    """No word list holds a name, so names are not spell-checked; but "dr. amir haddad" would print so in the
    letter's heading and requests (the no-capitals persona): the whole name is offered with its capitals."""
    (typo,) = proofread.typos("dr. amir haddad", "treatment.prescriber")
    assert typo.shown == "dr. amir haddad → Dr. Amir Haddad?"
    assert proofread.corrected("dr. amir haddad", typo.word, typo.suggestion) == "Dr. Amir Haddad"
    assert proofread.typos("o'brien-smith", "patient.last_name")[0].suggestion == "O'Brien-Smith"
    assert proofread.typos("denise.okafor@gmail.com", "patient.policy_holder") == []  # no name: no capitals offered
    assert proofread.typos("Dr. amir Haddad", "treatment.prescriber") == []  # any capital: as the person typed it
    assert proofread.typos("dr. amir haddad", "treatment.prescriber", kept=["dr. amir haddad"]) == []
    assert proofread.typos("kept as typed", "clinical.history") == []  # free text is not capitalized


def test_typed_text_prints_as_a_sentence_with_every_word_as_typed(tmp_path):
    """A patient typed 'depressed since college, ... since march' with no capital and no full stop: the letter
    prints it with both, and not one word changed (no 'March': it is a word too)."""
    from appeal.letters import draft, kinds
    from appeal.letters.render_env import as_sentence

    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    case.clinical.history = "depressed since college, worse since march, the meds didnt help"
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert "History: Depressed since college, worse since march, the meds didnt help." in text
    case.treatment.urgency, case.treatment.urgency_reason = "expedited", "dad has had thoughts of suicide. he lives alone"
    urgent = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert "Why this is urgent: Dad has had thoughts of suicide. He lives alone." in urgent
    assert as_sentence("Done already.") == "Done already." and as_sentence("(see notes)") == "(see notes)"
    assert as_sentence("it hurts!") == "It hurts!" and as_sentence("") == ""
    # each sentence starts with its capital, as a daughter's tired typing did not ('... in 2024. this episode')
    assert (as_sentence("since my mother died in 2024. this episode began. no attempt") ==
            "Since my mother died in 2024. This episode began. No attempt.")
    assert as_sentence("seen by dr. whitfield at 3 p.m. he said, e.g. rest. ok") == (
        "Seen by dr. whitfield at 3 p.m. he said, e.g. rest. Ok.")  # a short form's full stop ends no sentence


def test_a_history_as_long_as_a_field_holds_is_drafted_with_each_sentence_capitalized():
    """100,000 characters (the most a field holds) of short sentences: looking back for the word before each full
    stop through all the text before it took 33 s of processor time, over the render's bound, and no letter."""
    from appeal.letters import draft, kinds
    from appeal.cases.case import MAX_TEXT_CHARACTERS

    case = example_case("ketamine-trd-erisa-appeal").model_copy(deep=True)
    sentence = "the pain came back. "
    case.clinical.history = (sentence * (MAX_TEXT_CHARACTERS // len(sentence))).strip()
    text = docx_text(draft.draft(case, kinds.get("appeal")).content)
    assert "History: The pain came back. The pain came back." in text and "back. the pain" not in text


def test_the_checker_read_back_from_the_cache_knows_and_corrects_as_the_one_built_afresh(tmp_path, monkeypatch):
    """The finished word list is kept in the user's cache (appeal/letters/compile_cache.py); the checker made from
    it answers every lookup and correction as pyspellchecker's own list with ours added."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    proofread._checker.cache_clear()
    built = proofread._checker()  # built from pyspellchecker's list, and kept
    proofread._checker.cache_clear()
    kept = proofread._checker()  # read back
    proofread._checker.cache_clear()
    assert type(kept.word_frequency) is not type(built.word_frequency)
    for word in ["recieve", "akathisia", "esketamine", "esketamin", "spravatto", "teh", "infusoins", "depresion",
                 "nan", "infinity", "a", "x" * 40, "ketamine's"]:
        assert kept.known([word]) == built.known([word]), word
        assert kept.candidates(word) == built.candidates(word), word
        assert kept[kept.correction(word) or ""] == built[built.correction(word) or ""], word
    assert kept.correction("recieve") == "receive" and kept.correction("esketamin") == "esketamine"
    assert kept.correction("akathisia") is None
    words = sorted(built.word_frequency.dictionary)  # kept as one sorted text: its first and last words, each
    edges = [word for before, word, after in zip(["", *words], words, [*words[1:], ""])  # stretch's ends, a sample
             if word[:3] != before[:3] or word[:3] != after[:3]]
    for word in edges + words[::41]:
        assert kept[word] == built[word] and word in kept, word
        assert word + "\t" not in kept and word[:-1] + "\n" not in kept and kept[word + "q" * 50] == 0, word
