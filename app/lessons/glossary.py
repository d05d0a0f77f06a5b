"""Short definitions of the concepts the page and the lessons name, read from ``glossary.yaml`` beside
the shipped lessons, and their translations from ``glossary.LANG.yaml`` (``glossary.de.yaml``…).

Imports PyYAML (safe loader) and the lesson model. A term is matched without regard to case. An entry is
either ``term: definition`` or ``term: {definition: …, also: [names]}``, where ``also`` lists the option
names (as in ``hello.options``, e.g. ``bce``) that the same definition explains. A lesson concept without
a definition simply shows none (the shipped lessons' tests require one for each).

A translation keeps the English term as its key, so a concept (and the option names it explains) is the
same in every language, and gives the term and its definition in its language:
``weight: {term: Gewicht, definition: "Eine Zahl auf einer Verbindung…"}``. A term a translation lacks
falls back to English, term by term.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from app.lessons.model import LessonError

GLOSSARY_FILE = "glossary.yaml"
TRANSLATED_FILE = re.compile(r"^glossary\.(?P<language>[a-z]{2})\.yaml$")  # glossary.de.yaml
MAX_DEFINITION_CHARS = 300  # a definition is one or two short sentences
MAX_TERM_CHARS = 60  # a translated term is a word or two
MAX_ALSO = 8  # option names one entry may also explain
ENTRY_KEYS = {"definition", "also"}


class Term(NamedTuple):
    """One glossary entry: the term as written (in its language) and its definition."""

    term: str
    definition: str


def _mapping(path: Path) -> dict[Any, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LessonError(str(path), 1, "glossary", f"is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise LessonError(str(path), 1, "glossary", "must be a mapping of terms to definitions")
    return data


def read_terms(folder: Path) -> dict[str, Term]:
    """Id (the term in lower case, and each ``also`` name) → Term, from the folder's glossary.yaml;
    empty when there is none. Raises LessonError naming the file and the entry that is wrong."""
    path = folder / GLOSSARY_FILE
    if not path.is_file():
        return {}
    terms: dict[str, Term] = {}
    for term, entry in _mapping(path).items():
        definition, also = _entry(str(path), str(term), entry)
        for name in (str(term), *also):
            terms[name.lower()] = Term(str(term), definition)
    return terms


def _entry(file: str, term: str, entry: Any) -> tuple[str, list[str]]:
    """The definition and the ``also`` names of one entry, checked."""
    also: Any = []
    if isinstance(entry, dict):
        if set(entry) - ENTRY_KEYS or "definition" not in entry:
            raise LessonError(file, 1, term, "must be a definition, or a mapping with `definition` and "
                              "optionally `also` (a list of option names)")
        entry, also = entry["definition"], entry.get("also", [])
    if not isinstance(entry, str) or not 0 < len(entry) <= MAX_DEFINITION_CHARS:
        raise LessonError(file, 1, term, f"must be a definition of 1 to {MAX_DEFINITION_CHARS} characters")
    if (not isinstance(also, list) or len(also) > MAX_ALSO
            or not all(isinstance(name, str) and 0 < len(name) <= 64 for name in also)):
        raise LessonError(file, 1, term, f"`also` must be a list of at most {MAX_ALSO} option names")
    return entry, also


def read_glossary(folder: Path) -> dict[str, str]:
    """Id (lower case) → definition from the folder's glossary.yaml; empty when there is none."""
    return {name: entry.definition for name, entry in read_terms(folder).items()}


def read_translated_glossary(path: Path) -> dict[str, Term]:
    """English term (lower case) → the term and definition in a ``glossary.LANG.yaml``'s language."""
    glossary = {}
    for key, value in _mapping(path).items():
        if not isinstance(value, dict) or set(value) != {"term", "definition"}:
            raise LessonError(str(path), 1, str(key), "must be {term: the term in this language, definition: …}")
        term, definition = value["term"], value["definition"]
        if not isinstance(term, str) or not 0 < len(term.strip()) <= MAX_TERM_CHARS:
            raise LessonError(str(path), 1, f"{key}.term", f"must be a term of 1 to {MAX_TERM_CHARS} characters")
        if not isinstance(definition, str) or not 0 < len(definition) <= MAX_DEFINITION_CHARS:
            raise LessonError(str(path), 1, f"{key}.definition",
                              f"must be a definition of 1 to {MAX_DEFINITION_CHARS} characters")
        glossary[str(key).lower()] = Term(term, definition)
    return glossary


def terms_in(english: dict[str, Term], translated: dict[str, Term]) -> dict[str, Term]:
    """Id → the entry in ``translated``'s language where it has one (looked up by the English term, so the
    ``also`` option names follow), else the English entry. The translated terms are ids too, so a
    teacher's lesson may name its concepts in its own language."""
    terms = {name: translated.get(entry.term.lower(), entry) for name, entry in english.items()}
    for term in translated.values():
        terms.setdefault(term.term.lower(), term)
    return terms
