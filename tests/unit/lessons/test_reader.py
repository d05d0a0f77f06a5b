"""Lesson files: a good one reads; each kind of broken file gets its own one-line error (file, line, field)."""

from pathlib import Path

import pytest

from app.lessons.library import read_folder
from app.lessons.model import LessonError, Limits
from app.lessons.reader import read_lesson

GOOD = """---
id: demo
title: Demo
minutes: 5
seed: 3
summary: A demo.
concepts: [weight]
---
Intro *text*.

## First
```step
setup: {dataset: xor, hidden_layers: []}
lock: [dataset]
ask: {question: "Will it work?", choices: [yes, no], answer: no}
goal: {test_accuracy: ">= 0.9", within_epochs: 50}
hints: ["Add a layer."]
explain: "Two lines."
solution: {hidden_layers: [2]}
```
Press **Play**.

## Second
```step
{}
```
Done.
"""


def write(tmp_path: Path, text: str, name: str = "demo.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str, limits: Limits | None = None) -> LessonError:
    with pytest.raises(LessonError) as caught:
        read_lesson(write(tmp_path, text), limits or Limits())
    return caught.value


def test_a_good_lesson_reads_with_its_steps(tmp_path: Path) -> None:
    lesson = read_lesson(write(tmp_path, GOOD), Limits())
    assert (lesson.id, lesson.seed, lesson.concepts) == ("demo", 3, ("weight",))
    first, second = lesson.steps
    assert first.title == "First" and first.line == 11
    assert first.ask is not None and first.ask.choices == ("yes", "no") and first.ask.answer == 1
    assert first.goal is not None and first.goal.within_epochs == 50
    assert first.html == "<p>Press <strong>Play</strong>.</p>\n"
    assert lesson.intro_html == "<p>Intro <em>text</em>.</p>\n"
    assert second.goal is None and second.html == "<p>Done.</p>\n"


@pytest.mark.parametrize(("old", "new", "line", "field", "words"), [
    ("minutes: 5", "minutes: many", 4, "minutes", "whole number of minutes"),
    ("id: demo", "id: Demo Lesson", 2, "id", "lower-case"),
    ("summary: A demo.", "summary: A demo.\ncolour: red", 7, "colour", "not a lesson field"),
    ("hidden_layers: []}", "hidden_layers: [99]}", 13, "setup.hidden_layers", "from 1 to 16"),
    ("setup: {", "setup: {speed: 3, ", 13, "setup.speed", "not a setting"),
    ("lock: [dataset]", "lock: [datset]", 14, "lock", "names no control"),
    ('">= 0.9"', '"about 0.9"', 16, "goal.test_accuracy", "operator"),
    ("test_accuracy:", "happiness:", 16, "goal.happiness", "not a goal figure"),
    (", within_epochs: 50", "", 16, "goal.within_epochs", "budget"),
    ("answer: no}", "answer: maybe}", 15, "ask.answer", "one of the choices"),
    ("solution: {hidden_layers: [2]}", "", 16, "solution", "needs a solution"),
    ("Press **Play**.", "Press <b>Play</b>.", 21, "text", "raw HTML"),
    ('hints: ["Add a layer."]', 'hints: ["<script>x</script>"]', 17, "hints[0]", "raw HTML"),
    ("explain: \"Two lines.\"", "explain: !!python/object:os.system x", 18, "step", "YAML tag that is not allowed"),
    ("hints: [", "hints: [[", 18, "step", ""),
    ("```step\n{}", "{}", 23, "step 'Second'", "```step block"),
])
def test_each_broken_file_gets_one_line_naming_file_line_and_field(
        tmp_path: Path, old: str, new: str, line: int, field: str, words: str) -> None:
    assert old in GOOD
    error = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert (error.line, error.field) == (line, field), str(error)
    assert words in error.message
    assert "\n" not in str(error) and str(error).startswith(f"{tmp_path / 'demo.md'}:{line}: {field}: ")


def test_unsafe_yaml_in_the_front_matter_is_refused_not_run(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace("seed: 3", "seed: !!python/object/apply:os.getpid []"))
    assert error.field == "front matter" and "tag" in error.message


def test_limits_on_size_steps_and_text(tmp_path: Path) -> None:
    assert "bytes" in error_of(tmp_path, GOOD, Limits(max_file_bytes=100)).message
    assert error_of(tmp_path, GOOD, Limits(max_steps=1)).field == "steps"
    assert error_of(tmp_path, GOOD, Limits(max_text_chars=10)).field == "introduction"


def test_missing_front_matter_and_no_steps(tmp_path: Path) -> None:
    assert error_of(tmp_path, "# just a title\n").field == "front matter"
    assert error_of(tmp_path, GOOD.split("## First")[0]).field == "steps"


def test_one_broken_lesson_never_hides_the_others(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.md")
    write(tmp_path, GOOD.replace("id: demo", "id: other").replace("minutes: 5", "minutes: x"), "b.md")
    write(tmp_path, GOOD.replace("id: demo", "id: third"), "c.md")
    write(tmp_path, GOOD, "a.de.md")
    library = read_folder(tmp_path, Limits())
    assert sorted(library.lessons) == [("demo", "de"), ("demo", "en"), ("third", "en")]
    assert [(Path(e.file).name, e.field) for e in library.errors] == [("b.md", "minutes")]
    assert [o["id"] for o in library.outlines()] == ["demo", "third"]


def test_a_duplicate_id_and_too_many_files_are_errors(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.md")
    write(tmp_path, GOOD, "b.md")
    library = read_folder(tmp_path, Limits(max_files=1))
    assert [e.field for e in library.errors] == ["files"]
    library = read_folder(tmp_path, Limits())
    assert [(Path(e.file).name, e.field) for e in library.errors] == [("b.md", "id")]


def test_a_glossary_is_read_and_a_broken_one_named() -> None:
    from app.lessons.glossary import read_glossary

    folder = Path(__file__).parent
    assert read_glossary(folder) == {}  # no glossary.yaml here: no definitions, no error


def test_a_broken_glossary_names_its_file(tmp_path: Path) -> None:
    from app.lessons.glossary import read_glossary

    (tmp_path / "glossary.yaml").write_text("Weight: A number on a link.\nbias: [not, text]\n", encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        read_glossary(tmp_path)
    assert caught.value.field == "bias" and "definition" in caught.value.message
    (tmp_path / "glossary.yaml").write_text("weight: ok\n", encoding="utf-8")
    assert read_glossary(tmp_path) == {"weight": "ok"}
