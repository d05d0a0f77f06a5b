"""static/js/protocol.js mirrors app/live/protocol.py: version, message names, command names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.live.protocol import (
    COMMAND_TYPES,
    LANGUAGE_PATTERN,
    NOTICE_TOPICS,
    PACE_ACTIONS,
    PROTOCOL_VERSION,
    SERVER_MESSAGES,
)

PROTOCOL_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "protocol.js"


def js_constant(name: str) -> object:
    """The value of `export const NAME = …;` in protocol.js, read as JSON."""
    match = re.search(rf"export const {name} = (.+?);\n", PROTOCOL_JS.read_text(), re.DOTALL)
    assert match, f"{name} is not exported by protocol.js"
    return json.loads(re.sub(r",\s*]", "]", match.group(1)))


def test_version_matches() -> None:
    assert js_constant("PROTOCOL_VERSION") == PROTOCOL_VERSION


def test_server_message_names_match() -> None:
    assert js_constant("SERVER_MESSAGES") == list(SERVER_MESSAGES)


def test_notice_topics_match() -> None:
    assert js_constant("NOTICE_TOPICS") == list(NOTICE_TOPICS)


def test_language_pattern_matches() -> None:
    assert js_constant("LANGUAGE_PATTERN") == LANGUAGE_PATTERN


def test_command_names_match() -> None:
    assert js_constant("COMMAND_TYPES") == list(COMMAND_TYPES)


def test_every_command_has_a_builder() -> None:
    text = PROTOCOL_JS.read_text()
    for name in COMMAND_TYPES:
        assert f'type: "{name}"' in text, name


def test_pace_actions_match() -> None:
    assert js_constant("PACE_ACTIONS") == list(PACE_ACTIONS)
