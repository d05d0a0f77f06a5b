"""Short definitions of the lessons' concepts, read from ``glossary.yaml`` beside the shipped lessons, and
their translations from ``glossary.LANG.yaml`` (``glossary.de.yaml``, ``glossary.es.yaml``).

Imports PyYAML (safe loader) and the lesson model. A term is matched without regard to case; a lesson
concept without a definition simply shows none (the shipped lessons' tests require one for each).

``glossary.yaml`` maps an English term to its definition. A translation keeps the English term as its
key, so a concept is the same concept in every language, and gives the term and its definition in its
language: ``weight: {term: Gewicht, definition: "Eine Zahl an einer Verbindung…"}``. A term a translation
lacks falls back to English, term by term.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import yaml

from app.lessons.model import LessonError

GLOSSARY_FILE = "glossary.yaml"
TRANSLATED_FILE = re.compile(r"^glossary\.(?P<language>[a-z]{2})\.yaml$")  # glossary.de.yaml
MAX_DEFINITION_CHARS = 300  # a definition is one short line
MAX_TERM_CHARS = 60  # a translated term is a word or two


class Term(NamedTuple):
    """A concept as a learner reads it: the term in the lesson's language and its short definition."""

    term: str
    definition: str


def _mapping(path: Path) -> dict[object, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LessonError(str(path), 1, "glossary", f"is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise LessonError(str(path), 1, "glossary", "must be a mapping of terms to definitions")
    return data


def _definition(path: Path, term: object, definition: object) -> str:
    if not isinstance(definition, str) or not 0 < len(definition) <= MAX_DEFINITION_CHARS:
        raise LessonError(str(path), 1, str(term), f"must be a definition of 1 to {MAX_DEFINITION_CHARS} "
                          "characters")
    return definition


def read_glossary(folder: Path) -> dict[str, str]:
    """Term (lower case) → definition from the folder's glossary.yaml; empty when there is none."""
    path = folder / GLOSSARY_FILE
    if not path.is_file():
        return {}
    return {str(term).lower(): _definition(path, term, definition) for term, definition in _mapping(path).items()}


def read_translated_glossary(path: Path) -> dict[str, Term]:
    """English term (lower case) → the term and definition in a ``glossary.LANG.yaml``'s language."""
    glossary = {}
    for key, value in _mapping(path).items():
        if not isinstance(value, dict) or set(value) != {"term", "definition"}:
            raise LessonError(str(path), 1, str(key), "must be {term: the term in this language, definition: …}")
        term = value["term"]
        if not isinstance(term, str) or not 0 < len(term.strip()) <= MAX_TERM_CHARS:
            raise LessonError(str(path), 1, f"{key}.term", f"must be a term of 1 to {MAX_TERM_CHARS} characters")
        glossary[str(key).lower()] = Term(term, _definition(path, f"{key}.definition", value["definition"]))
    return glossary


def terms_in(english: dict[str, str], translated: dict[str, Term]) -> dict[str, Term]:
    """Key (lower case) → the term in ``translated``'s language, else the English definition with an empty
    ``term`` (show the concept as the lesson writes it).

    Both the English term and the translated one are keys, so a teacher's lesson may name its concepts
    either way."""
    terms = {key: Term("", definition) for key, definition in english.items()}
    for key, term in translated.items():
        terms[key] = term
        terms.setdefault(term.term.lower(), term)
    return terms
