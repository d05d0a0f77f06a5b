"""Message catalogues: every user-facing text, one i18next-v4 JSON file per language in ``locales/``.

Imports the standard library, Babel and ``app.errors`` only, so every layer may use it.
A catalogue nests objects; a key is the dotted path to a string (``field.noise.label``).
Texts name their arguments as ``{{name}}``; a text that depends on a count has one key
per plural category of its language (``steps_one``, ``steps_other``; Spanish adds
``_many``), the categories Babel's CLDR rules give and the page's ``Intl.PluralRules``
gives too. Numbers in arguments are written in the language's own format (``0,03`` in
German), whole numbers ungrouped. The catalogues are read and checked once, at start-up (``check_shipped()``): a
missing key, a different set of placeholders or plural forms, or a broken file stops
the server with every problem listed.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.numbers import format_decimal

from app.errors import InputError

LANGUAGES = ("en", "de", "es")  # the catalogues shipped; English is the reference every other one is checked against
DEFAULT_LANGUAGE = "en"  # when Accept-Language names none of LANGUAGES
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, the suffixes i18next v4 uses
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
LANGUAGE_TAG = re.compile(r"^[a-z]{2}$")
SIGNIFICANT_DIGITS = 3  # a fractional number in a text, as the page's read-outs show it
E = TypeVar("E", bound=InputError)
Said = dict[str, Any]  # {"key": a catalogue key, "args": its arguments}: a text worded in the language it is shown in


class CatalogueError(ValueError):
    """A catalogue file is missing, is not JSON, or does not match the English one."""


def locales_dir() -> Path:
    """``locales/``: inside the package when installed, beside it in a checkout."""
    package = Path(__file__).resolve().parent
    inside = package / "locales"
    return inside if inside.is_dir() else package.parent / "locales"


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": "text"}}`` → ``{"a.b": "text"}``; raises CatalogueError on a value that is no text."""
    flat: dict[str, str] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{key}."))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise CatalogueError(f"{key}: must be a text or an object, got {type(value).__name__}")
    return flat


def read_catalogue(path: Path) -> dict[str, str]:
    """One catalogue file, flattened; the error names the file."""
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogueError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(tree, dict):
        raise CatalogueError(f"{path}: must hold a JSON object")
    try:
        return flatten(tree)
    except CatalogueError as error:
        raise CatalogueError(f"{path}: {error}") from None


def split_plural(key: str) -> tuple[str, str | None]:
    """``steps_one`` → (``steps``, ``one``); a key without a plural suffix → (key, None)."""
    base, _, suffix = key.rpartition("_")
    return (base, suffix) if base and suffix in PLURAL_CATEGORIES else (key, None)


def plural_categories(language: str) -> tuple[str, ...]:
    """The CLDR plural categories of a language, in PLURAL_CATEGORIES' order (Babel's rules)."""
    tags = {*Locale.parse(language).plural_form.tags, "other"}
    return tuple(name for name in PLURAL_CATEGORIES if name in tags)


def placeholders(text: str) -> frozenset[str]:
    """The argument names a text uses."""
    return frozenset(PLACEHOLDER.findall(text))


def check_catalogues(found: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Every way the catalogues disagree with the English one or with their language's plural rules."""
    problems: list[str] = []
    reference = found[DEFAULT_LANGUAGE]
    for language, messages in found.items():
        categories = set(plural_categories(language))
        bases: dict[str, set[str]] = {}
        for key in messages:
            base, category = split_plural(key)
            if category is not None:
                bases.setdefault(base, set()).add(category)
        for base, present in sorted(bases.items()):
            if present != categories:
                problems.append(f"{language}: {base}: has plural forms {sorted(present)}, "
                                f"{language} needs {sorted(categories)}")
        if language == DEFAULT_LANGUAGE:
            continue
        wanted = {split_plural(key)[0] for key in reference}
        have = {split_plural(key)[0] for key in messages}
        problems += [f"{language}: {key}: is missing" for key in sorted(wanted - have)]
        problems += [f"{language}: {key}: is not in the English catalogue" for key in sorted(have - wanted)]
        for base in sorted(wanted & have):
            english = _placeholders_of(reference, base)
            own = _placeholders_of(messages, base)
            if english != own:
                problems.append(f"{language}: {base}: has placeholders {sorted(own)}, English has {sorted(english)}")
    return problems


def _placeholders_of(messages: Mapping[str, str], base: str) -> frozenset[str]:
    """The placeholders of a key, or of all its plural forms together."""
    forms = [text for key, text in messages.items() if split_plural(key)[0] == base]
    return frozenset().union(*(placeholders(text) for text in forms))


@functools.cache
def catalogues(directory: Path | None = None) -> Mapping[str, Mapping[str, str]]:
    """Every catalogue, read once (a training process reads them without checking them again)."""
    folder = directory or locales_dir()
    return {language: read_catalogue(folder / f"{language}.json") for language in LANGUAGES}


def check_shipped(directory: Path | None = None) -> Mapping[str, Mapping[str, str]]:
    """The catalogues, read and checked (at the server's start-up); raises CatalogueError listing every problem."""
    found = catalogues(directory)
    problems = check_catalogues(found)
    if problems:
        folder = directory or locales_dir()
        raise CatalogueError(f"the message catalogues in {folder} disagree:\n  " + "\n  ".join(problems))
    return found


def catalogue_tree(language: str) -> dict[str, Any]:
    """One language's catalogue as the file nests it (what the page is handed)."""
    tree: dict[str, Any] = {}
    for key, text in catalogues()[language].items():
        *path, leaf = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = text
    return tree


def normal_language(value: object) -> str | None:
    """A language this server has a catalogue for (``de``, ``DE``, ``de-AT`` → ``de``), else None."""
    if not isinstance(value, str):
        return None
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    return primary if LANGUAGE_TAG.match(primary) and primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The language an ``Accept-Language`` header prefers most among LANGUAGES (RFC 9110 weights)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = normal_language(tag)
        if language is not None and math.isfinite(weight) and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def format_number(language: str, value: float) -> str:
    """A number as the language writes it, to SIGNIFICANT_DIGITS digits; whole numbers as they are typed.

    Whole numbers are not grouped: texts name limits and counts a learner may type back (65536, an epoch).
    """
    if isinstance(value, bool) or not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    rounded = Decimal(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return str(format_decimal(rounded, format="#,##0.##########", locale=language))


def translate(language: str, key: str, **args: Any) -> str:
    """The text of ``key`` in ``language`` (English when the language has none), its arguments filled in.

    A ``count`` argument picks the plural form. An argument may itself be a text of the catalogue
    (``{"key": …, "args": …}``) or a list of them (joined with ", "). Raises KeyError for a key no
    catalogue has.
    """
    found = catalogues()
    messages = found.get(language) or found[DEFAULT_LANGUAGE]
    if "count" in args and key not in messages:
        category = Locale.parse(language if language in found else DEFAULT_LANGUAGE).plural_form(args["count"])
        key = f"{key}_{category}" if f"{key}_{category}" in messages else f"{key}_other"
    text = messages.get(key, found[DEFAULT_LANGUAGE].get(key))
    if text is None:
        raise KeyError(f"no message catalogue has the key {key!r}")

    return PLACEHOLDER.sub(lambda match: _argument(language, args[match.group(1)]), text)


def _argument(language: str, value: Any) -> str:
    """One argument as a text: a number in the language's format, a nested text translated, a list joined."""
    if isinstance(value, dict) and "key" in value:
        return translate(language, value["key"], **value.get("args", {}))
    if isinstance(value, list):
        return ", ".join(_argument(language, item) for item in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(language, value)
    return str(value)


def said(key: str, /, **args: Any) -> Said:
    """A catalogue text as another text's argument (``_argument`` and the page's i18n.js word it)."""
    return {"key": key, "args": args}


def refusal(field: str, key: str, /, **args: Any) -> InputError:
    """An InputError whose message is the English text of ``key``; the page renders it in its own language."""
    return refused(InputError, field, key, **args)


def refused(kind: type[E], field: str, key: str, /, **args: Any) -> E:
    """A refusal of one of InputError's own kinds (ConfigError, DataError, …) from a catalogue key."""
    return kind(field, translate(DEFAULT_LANGUAGE, key, **args), key=key, args=args)


def localized(error: InputError, language: str) -> str:
    """An error's message in ``language`` (its English message when it carries no key)."""
    if error.key is None or language == DEFAULT_LANGUAGE:
        return error.message
    return translate(language, error.key, **error.params)
