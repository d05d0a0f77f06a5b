"""The page's glossary: sent in `hello`, one entry for every concept the page marks as a term button, and
no entry that neither the page nor a lesson uses.

The page's term ids are read from the JS that marks them (`termButton("id", …)`, `markLabel(…, "id")` and the
id tables of the views); ids the page takes from the server (problem types, the options of a setting whose
chosen option a term explains, lesson concepts) are read from `hello` and the lesson library.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.lessons.glossary import read_terms
from app.lessons.model import LessonError
from app.live.lessons import lesson_library
from app.live.settings import Settings
from tests.live.conftest import Conversation

VIEWS = Path(__file__).resolve().parents[2] / "static" / "js" / "views"
LITERAL_CALL = re.compile(r'termButton\("([^"]+)"|markLabel\([^,]+, "([^"]+)"')
OPTION_CALL = re.compile(r'(?:termButton\("[^"]+", [^,]+|markLabel\([^,]+, "[^"]+"), "([a-z_]+)"\)')
ID_TABLE = re.compile(r"const [A-Z]+_TERMS = (?:/\*\*.*?\*/ )?\(?\{(.*?)\}", re.S)
TABLE_VALUE = re.compile(r':\s*\[?"([^"]+)"')


def page_ids() -> tuple[set[str], set[str]]:
    """The glossary ids the views' code marks, and the settings whose chosen option a term explains."""
    ids: set[str] = set()
    settings: set[str] = set()
    for path in VIEWS.rglob("*.js"):
        source = path.read_text(encoding="utf-8")
        ids |= {a or b for a, b in LITERAL_CALL.findall(source)}
        settings |= set(OPTION_CALL.findall(source))
        for table in ID_TABLE.findall(source):
            ids |= set(TABLE_VALUE.findall(table))
    return ids, settings


def test_hello_sends_every_term_with_its_written_form_and_definition(conversation: Conversation) -> None:
    glossary: dict[str, Any] = conversation.hello["glossary"]  # type: ignore[attr-defined]
    assert glossary["weight"]["definition"].startswith("A number on a link")
    assert glossary["relu"]["term"] == "ReLU"  # the id is lower case, the term as written
    assert glossary["bce"] == glossary["cross-entropy"]  # an option name explained by a concept's entry
    assert all(set(entry) == {"term", "definition"} and entry["definition"] for entry in glossary.values())


def test_every_marked_term_has_a_definition_and_every_definition_is_used(conversation: Conversation) -> None:
    hello: dict[str, Any] = conversation.hello  # type: ignore[attr-defined]
    glossary = hello["glossary"]
    ids, settings = page_ids()
    assert {"epoch", "learning rate", "weight", "bias", "neuron", "decision boundary", "dead relu",
            "backpropagation"} <= ids
    assert settings == {"activation", "regularization", "problem", "output_activation", "cost", "init", "optimizer"}
    assert sorted(ids - set(glossary)) == []
    assert sorted(problem for problem in hello["problems"] if problem not in glossary) == []
    options = {option["name"] for setting in settings - {"problem"} for option in hello["options"][setting]}
    assert sorted(options - set(glossary) - {"none"}) == []  # "no regularization" needs no definition
    lessons = lesson_library(Settings()).lessons.values()
    concepts = {concept.lower() for lesson in lessons for concept in lesson.concepts}
    used = ids | set(hello["problems"]) | options | concepts
    unused = ({entry["term"] for entry in glossary.values()}
              - {glossary[name]["term"] for name in used if name in glossary})
    assert sorted(unused) == [], "glossary entries that neither the page nor a lesson uses"


def test_an_entry_may_explain_option_names_and_a_broken_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("Cross-entropy: {definition: A cost., also: [bce, cce]}\nReLU: max(0, z).\n", encoding="utf-8")
    terms = read_terms(tmp_path)
    assert terms["bce"] == terms["cross-entropy"] == ("Cross-entropy", "A cost.")
    assert terms["relu"].term == "ReLU"
    for broken, message in [("x: {definition: ok, see: [y]}\n", "mapping with `definition`"),
                            ("x: {also: [y]}\n", "mapping with `definition`"),
                            ("x: {definition: ok, also: y}\n", "`also` must be a list"),
                            ("x: {definition: ok, also: [1]}\n", "`also` must be a list")]:
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(LessonError) as caught:
            read_terms(tmp_path)
        assert (caught.value.field, message in caught.value.message) == ("x", True), caught.value
