"""Lessons in German and Spanish: the same lessons as in English, only the words differ.

Each shipped translation is compared with its English file field by field here (not only through
``translation_error``), so the honesty of the English goals (tests/unit/lessons/test_shipped.py) holds
for every translation: the same setup, lock, hide, goal, solution, right answer and counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.lessons.glossary import read_translated_glossary
from app.lessons.library import SHIPPED_DIR, Library, load_library, read_folder, read_glossaries
from app.lessons.model import Lesson, LessonError, Limits
from app.lessons.player import LessonPlayer
from app.lessons.translations import translation_error

LIBRARY = load_library(None, Limits())
LANGUAGES = ("de", "es")
ENGLISH = [lesson for (_, language), lesson in LIBRARY.lessons.items() if language == "en"]
PAIRS = [(lesson, language) for lesson in ENGLISH for language in LANGUAGES]


def test_every_shipped_lesson_is_offered_in_german_and_spanish() -> None:
    assert LIBRARY.errors == []
    for lesson in ENGLISH:
        assert LIBRARY.languages(lesson.id) == ["de", "en", "es"], lesson.id
        for language in LANGUAGES:
            translated = LIBRARY.lessons[(lesson.id, language)]
            assert Path(translated.file).name == Path(lesson.file).name.replace(".md", f".{language}.md")


@pytest.mark.parametrize(("original", "language"), PAIRS, ids=[f"{lesson.id}.{language}" for lesson, language in PAIRS])
def test_a_translation_is_the_english_lesson_with_other_words(original: Lesson, language: str) -> None:
    translated = LIBRARY.lessons[(original.id, language)]
    assert (translated.seed, translated.minutes, translated.concepts) == (original.seed, original.minutes,
                                                                          original.concepts)
    assert len(translated.steps) == len(original.steps)
    assert translated.summary != original.summary
    for mine, theirs in zip(original.steps, translated.steps, strict=True):
        assert (theirs.setup, theirs.lock, theirs.hide) == (mine.setup, mine.lock, mine.hide), theirs.title
        assert (theirs.goal, theirs.solution) == (mine.goal, mine.solution), theirs.title
        assert len(theirs.hints_html) == len(mine.hints_html) and bool(theirs.explain_html) == bool(mine.explain_html)
        assert (theirs.ask is None) == (mine.ask is None)
        if mine.ask is not None:
            assert theirs.ask is not None
            assert (len(theirs.ask.choices), theirs.ask.answer) == (len(mine.ask.choices), mine.ask.answer)
            assert theirs.ask.question != mine.ask.question
        assert theirs.html != mine.html  # the words are translated, not copied
        assert all(a != b for a, b in zip(theirs.hints_html, mine.hints_html, strict=True))


def test_every_term_is_translated_and_every_concept_reads_in_its_language() -> None:
    for language in LANGUAGES:
        assert set(LIBRARY.translated[language]) == {entry.term.lower() for entry in LIBRARY.terms.values()}, language
        terms = LIBRARY.glossary_in(language)
        for lesson in ENGLISH:
            player = LessonPlayer(LIBRARY.lessons[(lesson.id, language)], terms)
            for concept in player.state()["concepts"]:
                assert concept["term"] and concept["definition"]
                assert concept["definition"] not in LIBRARY.glossary.values(), concept
    neuron = LessonPlayer(LIBRARY.lessons[("neuron", "de")], LIBRARY.glossary_in("de")).state()
    assert [c["term"] for c in neuron["concepts"]] == ["Neuron", "Gewicht", "Bias", "Aktivierungsfunktion", "Epoche"]
    spanish = LessonPlayer(LIBRARY.lessons[("neuron", "es")], LIBRARY.glossary_in("es")).state()
    assert [c["term"] for c in spanish["concepts"]] == ["neurona", "peso", "sesgo", "función de activación", "época"]


def test_a_term_without_a_translation_falls_back_to_english_term_by_term(tmp_path: Path) -> None:
    (tmp_path / "glossary.yaml").write_text("weight: A number on a link.\nbias: Added to the sum.\n", encoding="utf-8")
    (tmp_path / "glossary.de.yaml").write_text("weight: {term: Gewicht, definition: Eine Zahl.}\n", encoding="utf-8")
    library = Library()
    read_glossaries(tmp_path, library)
    terms = library.glossary_in("de")
    assert (terms["weight"].term, terms["weight"].definition) == ("Gewicht", "Eine Zahl.")
    assert terms["gewicht"] == terms["weight"]  # a German teacher's lesson may name the concept in German
    assert (terms["bias"].term, terms["bias"].definition) == ("bias", "Added to the sum.")  # English, term by term
    assert library.glossary_in("fr")["weight"].definition == "A number on a link."


@pytest.mark.parametrize(("text", "field"), [
    ("weight: Eine Zahl.\n", "weight"),  # a bare definition: the term is missing
    ("weight: {term: Gewicht}\n", "weight"),
    ("weight: {term: '', definition: Eine Zahl.}\n", "weight.term"),
    (f"weight: {{term: Gewicht, definition: '{'x' * 301}'}}\n", "weight.definition"),
])
def test_a_broken_translated_glossary_names_its_file_and_term(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "glossary.de.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        read_translated_glossary(path)
    assert (caught.value.file, caught.value.field) == (str(path), field)
    library = Library()
    read_glossaries(tmp_path, library)  # collected, not raised: the English glossary still counts
    assert [error.field for error in library.errors] == [field]


def copy(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")


NEURON = (SHIPPED_DIR / "01-neuron.md").read_text(encoding="utf-8")
NEURON_DE = (SHIPPED_DIR / "01-neuron.de.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "field"), [
    ("seed: 7", "seed: 8", "seed"),
    ("concepts: [neuron, weight, bias, activation, epoch]", "concepts: [Neuron, Gewicht, Bias, Aktivierung]",
     "concepts"),
    ("goal: {test_accuracy: \">= 0.9\", within_epochs: 5}", "goal: {test_accuracy: \">= 0.8\", within_epochs: 5}",
     "step 2 goal"),
    ("lock: [dataset, hidden_layers]\nask", "lock: [dataset]\nask", "step 1 lock"),
    ("  answer: eine gerade Linie", "  answer: ein Kreis", "step 1 ask"),
    ("  - \"Klick auf das Ausgabeneuron, um seinen Bias zu ändern.\"\n", "", "step 3 hints"),
    ("\n## Der Bias verschiebt die Linie", "\n## Der Bias\n```step\n```\n## Der Bias verschiebt die Linie", "steps"),
])
def test_a_translation_that_changes_more_than_words_is_refused_and_english_offered(
        tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in NEURON_DE
    copy(tmp_path, "neuron.md", NEURON)
    copy(tmp_path, "neuron.de.md", NEURON_DE.replace(old, new))
    copy(tmp_path, "neuron.es.md", (SHIPPED_DIR / "01-neuron.es.md").read_text(encoding="utf-8"))
    library = read_folder(tmp_path, Limits())
    assert [(Path(e.file).name, e.field) for e in library.errors] == [("neuron.de.md", field)]
    assert "\n" not in str(library.errors[0])
    assert library.languages("neuron") == ["en", "es"]  # one broken translation hides nothing else
    fallback = library.find("neuron", "de")
    assert fallback is not None and fallback.language == "en"


def test_the_check_passes_a_faithful_translation_and_names_the_first_difference() -> None:
    english, german = LIBRARY.lessons[("cost", "en")], LIBRARY.lessons[("cost", "de")]
    assert translation_error(english, german) is None
    step = german.steps[0]
    changed = type(german)(**{**german.__dict__, "steps": (type(step)(**{**step.__dict__, "solution": {}}),
                                                           *german.steps[1:])})
    error = translation_error(english, changed)
    assert error is not None and (error.field, error.line) == ("step 1 solution", step.line)


def test_a_lesson_asked_for_in_a_language_it_lacks_says_which_was_asked() -> None:
    english = LIBRARY.find("neuron", "fr")
    assert english is not None and english.language == "en"
    state = LessonPlayer(english, LIBRARY.glossary_in("fr"), "fr").state()
    assert (state["language"], state["requested_language"]) == ("en", "fr")
    german = LessonPlayer(LIBRARY.lessons[("neuron", "de")], LIBRARY.glossary_in("de"), "de")
    assert (german.state()["language"], german.state()["requested_language"]) == ("de", "de")
    kept = german.kept()
    again = LessonPlayer.restored(german.lesson, LIBRARY.glossary_in("de"), kept)  # after a server restart
    assert again.state() == german.state()
    fallen = LessonPlayer.restored(english, LIBRARY.glossary_in("fr"), LessonPlayer(english, None, "fr").kept())
    assert fallen.state()["requested_language"] == "fr"


def test_the_outlines_come_in_the_language_asked_for_and_list_each_lessons_languages(tmp_path: Path) -> None:
    german = LIBRARY.outlines("de")
    assert [o["id"] for o in german] == [o["id"] for o in LIBRARY.outlines()]
    assert german[0]["title"] == "Ein Neuron" and german[0]["language"] == "de"
    assert german[0]["concepts"] == ["Neuron", "Gewicht", "Bias", "Aktivierungsfunktion", "Epoche"]
    assert all(o["languages"] == ["de", "en", "es"] for o in german)
    copy(tmp_path, "only.md", NEURON.replace("id: neuron", "id: only"))
    library = read_folder(tmp_path, Limits())
    assert library.outlines("de") == [{**library.lessons[("only", "en")].outline(), "languages": ["en"]}]


def test_a_lesson_written_only_in_german_is_offered_in_german_to_everyone(tmp_path: Path) -> None:
    copy(tmp_path, "mine.de.md", NEURON_DE.replace("id: neuron", "id: mine"))
    library = read_folder(tmp_path, Limits())
    assert library.errors == []  # no English file to compare with: nothing to differ from
    for language in ("en", "es", "de"):
        found = library.find("mine", language)
        assert found is not None and found.language == "de"
    assert [(o["id"], o["language"], o["languages"]) for o in library.outlines("es")] == [("mine", "de", ["de"])]
    assert library.find("yours", "de") is None
