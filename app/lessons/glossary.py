"""Short definitions of the concepts the page and the lessons name, read from ``glossary.yaml`` beside
the shipped lessons.

Imports PyYAML (safe loader) and the lesson model. A term is matched without regard to case. An entry is
either ``term: definition`` or ``term: {definition: …, also: [names]}``, where ``also`` lists the option
names (as in ``hello.options``, e.g. ``bce``) that the same definition explains. A lesson concept without
a definition simply shows none (the shipped lessons' tests require one for each).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import yaml

from app.lessons.model import LessonError

GLOSSARY_FILE = "glossary.yaml"
MAX_DEFINITION_CHARS = 300  # a definition is one or two short sentences
MAX_ALSO = 8  # option names one entry may also explain
ENTRY_KEYS = {"definition", "also"}


class Term(NamedTuple):
    """One glossary entry: the term as written in the file and its definition."""

    term: str
    definition: str


def read_terms(folder: Path) -> dict[str, Term]:
    """Id (the term in lower case, and each ``also`` name) → Term, from the folder's glossary.yaml;
    empty when there is none. Raises LessonError naming the file and the entry that is wrong."""
    path = folder / GLOSSARY_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LessonError(str(path), 1, "glossary", f"is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise LessonError(str(path), 1, "glossary", "must be a mapping of terms to definitions")
    terms: dict[str, Term] = {}
    for term, entry in data.items():
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
