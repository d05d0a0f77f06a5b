"""Read one lesson file: YAML front matter, then one ``##`` section per step, each opening with a
fenced ``step`` block of YAML and then the Markdown the learner reads.

Imports PyYAML (safe loader only), ``app.training`` and the lesson modules. Every problem raises a
``LessonError`` naming the file, the line and the field; the step checks are in
``app/lessons/steps.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.lessons.markdown import raw_html_line, render
from app.lessons.model import Lesson, LessonError, Limits, Step
from app.lessons.steps import read_step
from app.training.config import MAX_SEED

FENCE = "---"
STEP_HEADING = re.compile(r"^##\s+(.*\S)\s*$")
STEP_FENCE = re.compile(r"^```step\s*$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FILE_NAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)(\.(?P<language>[a-z]{2}))?\.md$")
FRONT_KEYS = ("id", "title", "minutes", "seed", "summary", "concepts")
DEFAULT_LANGUAGE = "en"


def load_yaml(text: str, file: str, first_line: int, field: str) -> tuple[Any, dict[str, int]]:
    """Safe-load YAML; returns the value and the line of each top-level key (1-based, in the file)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        value = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = error.problem or "is not valid YAML"
        if isinstance(error, yaml.constructor.ConstructorError):
            problem = f"uses a YAML tag that is not allowed ({problem}); only plain values, lists and mappings"
        raise LessonError(file, line, field, problem) from None
    except yaml.YAMLError as error:
        raise LessonError(file, first_line, field, f"is not valid YAML: {error}") from None
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            lines[str(key.value)] = first_line + key.start_mark.line
    return value, lines


def rendered(text: str, file: str, line: int, field: str, limits: Limits) -> str:
    """Markdown as HTML, refusing raw HTML and texts over the length limit."""
    if len(text) > limits.max_text_chars:
        raise LessonError(file, line, field, f"must be at most {limits.max_text_chars} characters, got {len(text)}")
    found = raw_html_line(text)
    if found is not None:
        raise LessonError(file, line + found, field, "contains raw HTML, which lessons may not use; write Markdown")
    return render(text)


def read_lesson(path: Path, limits: Limits) -> Lesson:
    """Read and check one lesson file; raises LessonError on the first problem."""
    file = str(path)
    match = FILE_NAME.match(path.name)
    if match is None:
        raise LessonError(file, 1, "file", "must be named like neuron.md or neuron.de.md (lower case, digits, -)")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LessonError(file, 1, "file", f"must be at most {limits.max_file_bytes} bytes, got {size}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonError(file, 1, "file", "must be UTF-8 text") from None
    return parse_lesson(text, file, match.group("language") or DEFAULT_LANGUAGE, limits)


def parse_lesson(text: str, file: str, language: str, limits: Limits) -> Lesson:
    """Parse a lesson's text (see the module docstring); raises LessonError."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise LessonError(file, 1, "front matter", "must open the file: a line ---, the lesson's fields, then ---")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise LessonError(file, 1, "front matter", "has no closing --- line") from None
    front, key_lines = load_yaml("\n".join(lines[1:end]), file, 2, "front matter")
    meta = _front_matter(front, key_lines, file)
    sections = _sections(lines, end + 1)
    if not sections:
        raise LessonError(file, end + 2, "steps", "the lesson has no step: add a section starting with ## Title")
    if len(sections) > limits.max_steps:
        raise LessonError(file, sections[limits.max_steps][0], "steps",
                          f"a lesson may have at most {limits.max_steps} steps, got {len(sections)}")
    intro_start = end + 1
    intro = "\n".join(lines[intro_start:sections[0][0] - 1])
    intro_html = rendered(intro, file, intro_start + 1, "introduction", limits) if intro.strip() else ""
    steps = tuple(_step(lines, start, stop, file, meta["seed"], limits) for start, stop in sections)
    return Lesson(language=language, file=file, intro_html=intro_html, steps=steps, **meta)


def _front_matter(front: object, key_lines: dict[str, int], file: str) -> dict[str, Any]:
    if not isinstance(front, dict):
        raise LessonError(file, 2, "front matter", "must be a mapping: id, title, minutes, seed, summary, concepts")
    for key in front:
        if key not in FRONT_KEYS:
            raise LessonError(file, key_lines.get(str(key), 2), str(key),
                              f"is not a lesson field; known: {', '.join(FRONT_KEYS)}")
    line = key_lines.get

    def need(key: str, check: Any, what: str) -> Any:
        value = front.get(key)
        if not check(value):
            raise LessonError(file, line(key, 2), key, f"must be {what}, got {value!r}")
        return value

    def is_text(value: object) -> bool:
        return isinstance(value, str) and 0 < len(value.strip()) <= 200

    def is_int(low: int, high: int) -> Any:
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

    return {
        "id": need("id", lambda v: isinstance(v, str) and ID_PATTERN.match(v), "lower-case letters, digits and -"),
        "title": need("title", is_text, "a title of 1 to 200 characters"),
        "minutes": need("minutes", is_int(1, 120), "a whole number of minutes from 1 to 120"),
        "seed": need("seed", is_int(0, MAX_SEED), f"a whole number from 0 to {MAX_SEED}"),
        "summary": need("summary", is_text, "a one-line summary of 1 to 200 characters"),
        "concepts": tuple(need("concepts", lambda v: isinstance(v, list) and 0 < len(v) <= 12
                               and all(is_text(c) for c in v), "a list of 1 to 12 concept names")),
    }


def _sections(lines: list[str], start: int) -> list[tuple[int, int]]:
    """(first line, line after the last) of each ``##`` section, 1-based first lines; fences skipped."""
    heads: list[int] = []
    in_fence = False
    for i in range(start, len(lines)):
        if lines[i].startswith("```"):
            in_fence = not in_fence
        elif not in_fence and STEP_HEADING.match(lines[i]):
            heads.append(i + 1)
    return [(head, heads[n + 1] - 1 if n + 1 < len(heads) else len(lines)) for n, head in enumerate(heads)]


def _step(lines: list[str], head: int, stop: int, file: str, seed: int, limits: Limits) -> Step:
    """One section: the heading at line ``head`` (1-based), up to line index ``stop``."""
    match = STEP_HEADING.match(lines[head - 1])
    assert match is not None  # _sections found it
    title = match.group(1)
    body = lines[head:stop]
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    if first is None or not STEP_FENCE.match(body[first]):
        raise LessonError(file, head, f"step {title!r}", "must open with a ```step block of YAML")
    try:
        close = next(i for i in range(first + 1, len(body)) if body[i].strip() == "```")
    except StopIteration:
        raise LessonError(file, head + first + 1, f"step {title!r}", "its ```step block is never closed") from None
    block_line = head + first + 2  # the 1-based file line of the block's first YAML line
    data, key_lines = load_yaml("\n".join(body[first + 1:close]), file, block_line, "step")
    text = "\n".join(body[close + 1:])
    html = rendered(text, file, head + close + 2, "text", limits) if text.strip() else ""
    return read_step(data, key_lines, title, head, html, file, seed, limits)
