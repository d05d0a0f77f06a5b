"""The lessons a server offers: the shipped folder and, optionally, a teacher's folder beside it.

Imports the lesson modules and the standard library. Each file is read on its own, so one broken
lesson is reported (file, line, field) and the others are still offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.lessons.glossary import Term, read_terms
from app.lessons.model import Lesson, LessonError, Limits
from app.lessons.reader import DEFAULT_LANGUAGE, read_lesson

PACKAGE = Path(__file__).resolve().parents[1]  # app/: an installed wheel holds the lessons in app/lesson_files
SHIPPED_DIR = PACKAGE / "lesson_files" if (PACKAGE / "lesson_files").is_dir() else PACKAGE.parent / "lessons"


@dataclass
class Library:
    """Lessons by (id, language), in the order they were read, and every file's error."""

    lessons: dict[tuple[str, str], Lesson] = field(default_factory=dict)
    errors: list[LessonError] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)  # concept (lower case) → a short definition
    terms: dict[str, Term] = field(default_factory=dict)  # the same ids → the term as written and its definition

    def find(self, lesson_id: str, language: str = DEFAULT_LANGUAGE) -> Lesson | None:
        """The lesson in this language, else in the default language, else None."""
        return self.lessons.get((lesson_id, language)) or self.lessons.get((lesson_id, DEFAULT_LANGUAGE))

    def outlines(self, language: str = DEFAULT_LANGUAGE) -> list[dict[str, object]]:
        """What the lesson list shows: one entry per lesson id, in this language where there is one."""
        ids = dict.fromkeys(lesson_id for lesson_id, _ in self.lessons)
        return [lesson.outline() for lesson_id in ids if (lesson := self.find(lesson_id, language))]


def read_folder(folder: Path, limits: Limits, library: Library | None = None) -> Library:
    """Add a folder's ``*.md`` lesson files (sorted by name) to a library; errors are collected, not raised."""
    library = library if library is not None else Library()
    if not folder.is_dir():
        library.errors.append(LessonError(str(folder), 0, "folder", "is not a folder of lesson files"))
        return library
    paths = sorted(folder.glob("*.md"))
    if len(paths) > limits.max_files:
        library.errors.append(LessonError(str(folder), 0, "files", f"a folder may hold at most {limits.max_files} "
                                          f"lesson files, got {len(paths)}; the first {limits.max_files} are read"))
    for path in paths[:limits.max_files]:
        try:
            lesson = read_lesson(path, limits)
        except LessonError as error:
            library.errors.append(error)
            continue
        key = (lesson.id, lesson.language)
        if key in library.lessons:
            library.errors.append(LessonError(str(path), 2, "id", f"{lesson.id!r} ({lesson.language}) is taken "
                                              f"by {library.lessons[key].file}"))
            continue
        library.lessons[key] = lesson
    return library


def load_library(extra: Path | None, limits: Limits) -> Library:
    """The shipped lessons, then a teacher's folder (a teacher's lesson cannot replace a shipped one);
    each folder's glossary.yaml adds definitions, the shipped ones last so they win."""
    library = read_folder(SHIPPED_DIR, limits)
    if extra is not None:
        read_folder(extra, limits, library)
    for folder in (extra, SHIPPED_DIR):
        if folder is None or not folder.is_dir():
            continue
        try:
            terms = read_terms(folder)
        except LessonError as error:
            library.errors.append(error)
            continue
        library.terms.update(terms)
        library.glossary.update({name: entry.definition for name, entry in terms.items()})
    return library
