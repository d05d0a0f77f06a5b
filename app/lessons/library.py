"""The lessons a server offers: the shipped folder and, optionally, a teacher's folder beside it.

Imports the lesson modules and the standard library. Each file is read on its own, so one broken
lesson is reported (file, line, field) and the others are still offered. A lesson in another language
(``NAME.de.md``) is offered only while its machine blocks equal the default language's file; a lesson
asked for in a language it lacks is given in the default language, else in the one it has (``find``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.lessons.glossary import TRANSLATED_FILE, Term, read_terms, read_translated_glossary, terms_in
from app.lessons.model import Lesson, LessonError, Limits
from app.lessons.reader import DEFAULT_LANGUAGE, read_lesson
from app.lessons.translations import translation_error

PACKAGE = Path(__file__).resolve().parents[1]  # app/: an installed wheel holds the lessons in app/lesson_files
SHIPPED_DIR = PACKAGE / "lesson_files" if (PACKAGE / "lesson_files").is_dir() else PACKAGE.parent / "lessons"


@dataclass
class Library:
    """Lessons by (id, language), in the order they were read, and every file's error."""

    lessons: dict[tuple[str, str], Lesson] = field(default_factory=dict)
    errors: list[LessonError] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)  # concept (lower case) → a short definition
    terms: dict[str, Term] = field(default_factory=dict)  # the same ids → the term as written and its definition
    translated: dict[str, dict[str, Term]] = field(default_factory=dict)  # language → English term → its own

    def find(self, lesson_id: str, language: str = DEFAULT_LANGUAGE) -> Lesson | None:
        """The lesson in this language, else in the default language, else in the first language it has
        (a teacher's lesson written only in German), else None."""
        found = self.lessons.get((lesson_id, language)) or self.lessons.get((lesson_id, DEFAULT_LANGUAGE))
        return found or next((lesson for (key, _), lesson in self.lessons.items() if key == lesson_id), None)

    def languages(self, lesson_id: str) -> list[str]:
        """The languages a lesson is offered in, sorted."""
        return sorted(language for key, language in self.lessons if key == lesson_id)

    def glossary_in(self, language: str) -> dict[str, Term]:
        """The glossary as a ``language`` learner reads it, English term by term where it has no translation."""
        return terms_in(self.terms, self.translated.get(language, {}))

    def outlines(self, language: str = DEFAULT_LANGUAGE) -> list[dict[str, object]]:
        """What the lesson list shows: one entry per lesson id, in this language where there is one, with the
        languages each lesson exists in and its concepts as that language names them."""
        ids = dict.fromkeys(lesson_id for lesson_id, _ in self.lessons)
        terms = self.glossary_in(language)
        outlines = []
        for lesson_id in ids:
            lesson = self.find(lesson_id, language)
            assert lesson is not None  # the id was read from the lessons
            outline = lesson.outline()
            outline["languages"] = self.languages(lesson_id)
            outline["concepts"] = [(terms[c.lower()].term if c.lower() in terms else "") or c for c in lesson.concepts]
            outlines.append(outline)
        return outlines


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
    _drop_unfaithful(library)
    return library


def _drop_unfaithful(library: Library) -> None:
    """Take back every translation whose machine blocks differ from its default-language lesson."""
    for (lesson_id, language), lesson in list(library.lessons.items()):
        original = library.lessons.get((lesson_id, DEFAULT_LANGUAGE))
        if language == DEFAULT_LANGUAGE or original is None:
            continue
        error = translation_error(original, lesson)
        if error is not None:
            library.errors.append(error)
            del library.lessons[(lesson_id, language)]


def read_glossaries(folder: Path, library: Library) -> None:
    """Add a folder's glossary.yaml and glossary.LANG.yaml files to a library; errors are collected."""
    try:
        terms = read_terms(folder)
        library.terms.update(terms)
        library.glossary.update({name: entry.definition for name, entry in terms.items()})
    except LessonError as error:
        library.errors.append(error)
    for path in sorted(folder.glob("glossary.*.yaml")):
        match = TRANSLATED_FILE.match(path.name)
        if match is None:
            continue
        try:
            library.translated.setdefault(match.group("language"), {}).update(read_translated_glossary(path))
        except LessonError as error:
            library.errors.append(error)


def load_library(extra: Path | None, limits: Limits) -> Library:
    """The shipped lessons, then a teacher's folder (a teacher's lesson cannot replace a shipped one);
    each folder's glossary files add definitions, the shipped ones last so they win."""
    library = read_folder(SHIPPED_DIR, limits)
    if extra is not None:
        read_folder(extra, limits, library)
    for folder in (extra, SHIPPED_DIR):
        if folder is not None and folder.is_dir():
            read_glossaries(folder, library)
    return library
