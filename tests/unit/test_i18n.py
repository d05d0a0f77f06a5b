"""The message catalogues: read and checked at start-up, negotiated, plural forms and numbers from Babel."""

import json
import pickle
from pathlib import Path

import pytest

from app.errors import InputError
from app.i18n import (
    LANGUAGES,
    CatalogueError,
    catalogues,
    check_catalogues,
    check_shipped,
    format_number,
    localized,
    negotiate,
    normal_language,
    placeholders,
    plural_categories,
    read_catalogue,
    refusal,
    split_plural,
    translate,
)


def test_the_shipped_catalogues_agree_key_for_key_and_placeholder_for_placeholder() -> None:
    found = check_shipped()
    assert set(found) == set(LANGUAGES)
    assert check_catalogues(found) == []
    english = {split_plural(key)[0] for key in found["en"]}
    for language in LANGUAGES:
        assert {split_plural(key)[0] for key in found[language]} == english, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_and_not_left_empty(language: str) -> None:
    for key, text in catalogues()[language].items():
        assert text.strip(), f"{language}: {key} is empty"


def test_a_missing_key_a_stray_key_and_other_placeholders_are_each_named() -> None:
    found = {"en": {"a": "A {{n}}", "b": "B"}, "de": {"a": "A {{m}}", "c": "C"}, "es": {"a": "A {{n}}", "b": "B"}}
    problems = check_catalogues(found)
    assert "de: b: is missing" in problems
    assert "de: c: is not in the English catalogue" in problems
    assert "de: a: has placeholders ['m'], English has ['n']" in problems
    assert not [p for p in problems if p.startswith("es")]


def test_plural_forms_must_be_the_ones_the_language_has() -> None:
    found = {"en": {"steps_one": "{{count}} step", "steps_other": "{{count}} steps"},
             "de": {"steps_one": "{{count}} Schritt", "steps_other": "{{count}} Schritte"},
             "es": {"steps_one": "{{count}} paso", "steps_other": "{{count}} pasos"}}
    assert check_catalogues(found) == [
        "es: steps: has plural forms ['one', 'other'], es needs ['many', 'one', 'other']"]


def test_babel_gives_the_plural_categories_of_each_language() -> None:
    assert plural_categories("en") == ("one", "other")
    assert plural_categories("de") == ("one", "other")
    assert plural_categories("es") == ("one", "many", "other")


def test_a_broken_catalogue_file_names_itself(tmp_path: Path) -> None:
    broken = tmp_path / "de.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match="de.json: cannot be read as JSON"):
        read_catalogue(broken)
    broken.write_text(json.dumps({"a": {"b": 3}}), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"de.json: a.b: must be a text or an object, got int"):
        read_catalogue(broken)


def test_the_start_up_check_lists_every_problem_of_a_folder(tmp_path: Path) -> None:
    for language in LANGUAGES:
        tree = {"x": "X {{n}}"} if language != "de" else {"x": "X"}
        (tmp_path / f"{language}.json").write_text(json.dumps(tree), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"disagree:\n  de: x: has placeholders \[\], English has \['n'\]"):
        check_shipped(tmp_path)


def test_accept_language_picks_the_most_preferred_language_with_a_catalogue() -> None:
    assert negotiate("de-DE,de;q=0.9,en;q=0.8") == "de"
    assert negotiate("fr-FR,fr;q=0.9,es;q=0.5,en;q=0.3") == "es"
    assert negotiate("en;q=0.2, de;q=0.7") == "de"
    assert negotiate("fr, it") == "en"
    assert negotiate("de;q=0, es") == "es"
    assert negotiate("de;q=abc, es;q=0.1") == "es"
    assert negotiate(None) == "en"
    assert normal_language("ES-mx") == "es"
    assert normal_language("fr") is None
    assert normal_language(3) is None


def test_numbers_are_written_in_the_language_s_format() -> None:
    assert format_number("de", 0.03) == "0,03"
    assert format_number("es", 0.125) == "0,125"
    assert format_number("en", 0.03) == "0.03"
    assert format_number("de", 12345) == "12345"  # as typed: limits and counts a learner may type back
    assert format_number("de", 12345.5) == "12.300"
    assert format_number("de", 2.0 / 3.0) == "0,667"
    assert format_number("de", -1.5) == "-1,5"  # as a learner types it back
    assert format_number("en", 0.00001) == "0.00001"


def test_a_count_picks_the_plural_form_and_numbers_are_filled_in() -> None:
    assert translate("en", "start.meta", minutes=8, count=1) == "8 min · 1 step"
    assert translate("en", "start.meta", minutes=8, count=3) == "8 min · 3 steps"
    assert translate("de", "start.meta", minutes=8, count=1) == "8 Min. · 1 Schritt"
    assert translate("es", "start.meta", minutes=8, count=1000000) == "8 min · 1000000 pasos"
    assert translate("de", "error.server_full", max=1000) == "der Server ist voll (1000 Sitzungen); versuch es " \
        "später noch einmal"
    with pytest.raises(KeyError, match="no message catalogue has the key 'no.such.key'"):
        translate("en", "no.such.key")


def test_a_refusal_carries_its_key_and_arguments_and_is_said_in_any_language() -> None:
    error = refusal("rate", "error.rate", max=20)
    assert (error.field, error.message, error.key, error.params) == (
        "rate", "at most 20 commands per second; the rest are dropped", "error.rate", {"max": 20})
    assert localized(error, "de") == "höchstens 20 Befehle pro Sekunde; der Rest wird verworfen"
    assert localized(InputError("x", "plain text"), "de") == "plain text"
    copy = pickle.loads(pickle.dumps(error))  # as a training process sends it back
    assert (copy.field, copy.message, copy.key, copy.params) == (error.field, error.message, error.key, error.params)


def test_placeholders_are_found_with_or_without_spaces() -> None:
    assert placeholders("{{a}} and {{ b }} but not {c}") == {"a", "b"}
