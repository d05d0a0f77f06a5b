"""Short definitions of the lessons' concepts, read from ``glossary.yaml`` beside the shipped lessons.

Imports PyYAML (safe loader) and the lesson model. A term is matched without regard to case; a lesson
concept without a definition simply shows none (the shipped lessons' tests require one for each).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from app.lessons.model import LessonError

GLOSSARY_FILE = "glossary.yaml"
MAX_DEFINITION_CHARS = 300  # a definition is one short line


def read_glossary(folder: Path) -> dict[str, str]:
    """Term (lower case) → definition from the folder's glossary.yaml; empty when there is none."""
    path = folder / GLOSSARY_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise LessonError(str(path), 1, "glossary", f"is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise LessonError(str(path), 1, "glossary", "must be a mapping of terms to definitions")
    glossary = {}
    for term, definition in data.items():
        if not isinstance(definition, str) or not 0 < len(definition) <= MAX_DEFINITION_CHARS:
            raise LessonError(str(path), 1, str(term), f"must be a definition of 1 to {MAX_DEFINITION_CHARS} "
                              "characters")
        glossary[str(term).lower()] = definition
    return glossary
