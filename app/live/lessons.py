"""The lessons this server offers, read once per process from the shipped folder and ``NEUROPLAY_LESSONS_DIR``.

Files are read when first asked for and kept; a broken teacher's file is logged (file, line, field)
and the others are offered. The learner never sees file paths.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from app.lessons.library import Library, load_library
from app.lessons.model import Limits
from app.live.settings import Settings

LOG = logging.getLogger("neuroplay.lessons")


def lesson_limits(settings: Settings) -> Limits:
    """The lesson size limits of these settings."""
    return Limits(max_file_bytes=settings.max_lesson_bytes, max_steps=settings.max_lesson_steps,
                  max_text_chars=settings.max_lesson_text_chars, max_files=settings.max_lesson_files)


def lesson_library(settings: Settings) -> Library:
    """The shipped lessons and the teacher's folder, read once for these settings."""
    return _load(settings.lessons_dir, lesson_limits(settings))


@functools.cache
def _load(folder: str, limits: Limits) -> Library:
    library = load_library(Path(folder) if folder else None, limits)
    for error in library.errors:
        LOG.warning("lesson not offered: %s", error)
    return library


def glossary(settings: Settings, language: str = "en") -> dict[str, dict[str, str]]:
    """``hello.glossary``: term id (lower case) → the term as written and its short definition, for the
    page's term buttons and the lessons' concepts; in ``language`` term by term where it is translated
    (``lessons/glossary.LANG.yaml``), the ids staying the English ones."""
    terms = lesson_library(settings).glossary_in(language)
    ids = lesson_library(settings).terms  # the English ids only, not the translated terms' own names
    return {name: {"term": terms[name].term, "definition": terms[name].definition} for name in sorted(ids)}
