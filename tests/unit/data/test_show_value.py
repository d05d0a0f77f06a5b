"""show_value: a value as typed (numbers, short strings) or described in the catalogue's words (``error.got.*``).

A description is a ``{key, args}`` argument, so a refusal shown in German says "eine Liste mit 3
Einträgen" where the English one says "a list of 3 entries", and no English word is left in it.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from app.data.datasets import MAX_SHOWN_CHARS, MAX_SHOWN_DIGITS, DataError, generate, show_value
from app.errors import InputError
from app.i18n import LANGUAGES, localized, translate
from app.training.config import ConfigError, config_from_dict
from app.training.persistence import EXPORT_FORMAT, restore

# Values a learner or a script can send, and how each is shown: as typed, or described (key, args).
AS_TYPED: list[tuple[Any, str]] = [
    (7, "7"), (-3, "-3"), (np.int64(5), "5"), (0.5, "0.5"), (np.float32(0.25), "0.25"), (float("nan"), "nan"),
    ("abc", "'abc'"), ("x" * 50, repr("x" * MAX_SHOWN_CHARS) + "…"), (10**MAX_SHOWN_DIGITS - 1, "9" * 15),
]
DESCRIBED: list[tuple[Any, str, dict[str, Any]]] = [
    ([], "error.got.list", {"count": 0}), ([1], "error.got.list", {"count": 1}),
    ([1, 2, 3], "error.got.list", {"count": 3}), ((1, 2), "error.got.list", {"count": 2}),
    ({"a": 1}, "error.got.object", {}), (None, "error.got.null", {}),
    (True, "error.got.true", {}), (False, "error.got.false", {}),
    (10**400, "error.got.integer", {"count": 401}), (-(10**20), "error.got.negative_integer", {"count": 21}),
    (b"raw", "error.got.kind", {"kind": "bytes"}),
]
ENGLISH = {"a list of": "a list of 3 entries", "an object": "an object", "digits": "an integer of 401 digits"}


@pytest.mark.parametrize(("value", "shown"), AS_TYPED)
def test_a_number_or_a_short_string_is_shown_as_typed(value: Any, shown: str) -> None:
    assert show_value(value) == shown


@pytest.mark.parametrize(("value", "key", "args"), DESCRIBED)
def test_anything_else_is_described_by_a_catalogue_key_every_language_has(
        value: Any, key: str, args: dict[str, Any]) -> None:
    assert show_value(value) == {"key": key, "args": args}
    for language in LANGUAGES:
        words = translate(language, key, **args)
        assert words and "{{" not in words
        for number in args.values():
            assert str(number) in words  # the count or the type name is in the words


def test_the_english_words_read_as_before_with_the_singular_for_one_entry() -> None:
    def english(value: object) -> str:
        said = show_value(value)
        assert isinstance(said, dict)
        return translate("en", said["key"], **said["args"])

    assert [english(value) for value in ([], [1], [1, 2, 3], {"a": 1}, None, True, False)] == [
        "a list of 0 entries", "a list of 1 entry", "a list of 3 entries", "an object", "null", "true", "false"]
    assert english(10**400) == "an integer of 401 digits"
    assert english(-(10**20)) == "a negative integer of 21 digits"


def refused_points(value: object) -> DataError:
    with pytest.raises(DataError) as refused:
        generate("circle", value, 0.0, 0)  # type: ignore[arg-type]
    return refused.value


def test_a_list_where_a_number_belongs_is_refused_without_a_word_of_english_in_german() -> None:
    error = refused_points([1, 2, 3])
    assert error.field == "points" and error.message.endswith("got a list of 3 entries")
    assert error.params["got"] == {"key": "error.got.list", "args": {"count": 3}}
    german = localized(error, "de")
    assert german.endswith("nicht eine Liste mit 3 Einträgen"), german
    spanish = localized(error, "es")
    assert spanish.endswith("no una lista de 3 elementos"), spanish
    for text in (german, spanish):
        assert not [piece for piece in ENGLISH if piece in text], text
    copy = pickle.loads(pickle.dumps(error))  # as a training process sends it back
    assert localized(copy, "de") == german


@pytest.mark.parametrize(("value", "german"), [
    ({"n": 3}, "ein Objekt"), (10**400, "eine ganze Zahl mit 401 Stellen"), (None, "null (kein Wert)"),
    (True, "true (wahr)"), ([7], "eine Liste mit 1 Eintrag"),
])
def test_each_description_is_german_in_a_german_refusal(value: Any, german: str) -> None:
    text = localized(refused_points(value), "de")
    assert text.endswith(f"nicht {german}"), text
    assert not [piece for piece in ENGLISH if piece in text], text


def test_an_experiment_file_with_a_list_for_an_object_is_refused_in_german_words() -> None:
    with pytest.raises(InputError) as refused:
        restore({"format": EXPORT_FORMAT, "version": 2, "data": []})
    error = refused.value
    assert (error.field, error.key) == ("data", "error.file.kind")
    assert error.message == "must be an object, got a list of 0 entries"
    assert localized(error, "de") == "muss ein Objekt sein, nicht eine Liste mit 0 Einträgen"
    assert localized(error, "es") == "debe ser un objeto, no una lista de 0 elementos"


def test_a_settings_refusal_words_its_value_in_the_language_too() -> None:
    with pytest.raises(ConfigError) as refused:
        config_from_dict({"learning_rate": [0.1, 0.2]})
    german = localized(refused.value, "de")
    assert "Liste mit 2 Einträgen" in german and "list of" not in german

