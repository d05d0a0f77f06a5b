"""Settings from the environment and the command line, and what to say when they are wrong.

``Settings`` alone answers a bad value with a multi-line report naming the
internal field (``port``). A person set ``NEUROPLAY_PORT`` or ``--port``,
so ``load_settings`` answers one line per bad value, naming what they set,
the value and what is allowed, e.g.
``NEUROPLAY_PORT='abc': must be a whole number from 1 to 65535``. Names
with the prefix that are no setting are found by ``unknown_variables``, with
the closest known name, since a misspelt variable is otherwise ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

import annotated_types
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import SettingsError

from app.live.settings import Settings

PREFIX = "NEUROPLAY_"
# What a value must look like, where its type and bounds do not say it well.
SHAPES = {
    "base_path": "must be empty or a path such as /neuroplay (letters, digits, . _ ~ -)",
    "frame_ancestors": "must be CSP sources separated by spaces, e.g. 'self' https://lms.example.org (no ; or ,)",
}
NAMES = "must be names separated by commas, or a JSON list of strings"  # every tuple setting


class ConfigurationError(Exception):
    """Bad settings: one line for each, naming the variable or flag, its value and what is allowed."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def variable(field: str) -> str:
    """The environment variable of a setting: ``port`` → ``NEUROPLAY_PORT``."""
    return f"{PREFIX}{field.upper()}"


def load_settings(flags: Mapping[str, str], environ: Mapping[str, str]) -> Settings:
    """Settings from ``environ`` with command-line ``flags`` ({field: text}) on top; ConfigurationError if bad."""
    try:
        return Settings(**flags)  # type: ignore[arg-type]  # text, converted and checked like the environment's
    except ValidationError as error:
        fields = dict.fromkeys(str(detail["loc"][0]) for detail in error.errors() if detail["loc"])
        messages = {field: _problem(field, error) for field in fields}
    except SettingsError as error:  # a value the settings source itself could not read
        match = re.search(r'field "(\w+)"', str(error))
        field = match.group(1) if match else ""
        messages = {field: SHAPES.get(field, str(error))}
    raise ConfigurationError([f"{_source(field, flags, environ)}: {message}" for field, message in messages.items()])


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One warning for each ``NEUROPLAY_*`` variable that is no setting, with the closest known name."""
    known = [field.upper() for field in Settings.model_fields]
    warnings = []
    for name in sorted(environ):
        suffix = name.upper().removeprefix(PREFIX)
        if not name.upper().startswith(PREFIX) or suffix in known:
            continue
        closest = difflib.get_close_matches(suffix, known, n=1, cutoff=0.6)
        hint = f"did you mean {PREFIX}{closest[0]}?" if closest else "the settings are listed in README.md"
        warnings.append(f"warning: {name} is no setting and is ignored; {hint}")
    return warnings


def allowed(field: str) -> str:
    """What a setting accepts, from its type and bounds: ``must be a whole number from 1 to 65535``."""
    if field in SHAPES:
        return SHAPES[field]
    info: FieldInfo = Settings.model_fields[field]
    if getattr(info.annotation, "__origin__", None) is tuple:
        return NAMES
    kind = {int: "a whole number", float: "a number"}.get(info.annotation)  # type: ignore[arg-type]
    if kind is None:
        return "must be text"
    bounds = {name: f"{value:g}" for name, value in _bounds(info.metadata).items()}
    if "ge" in bounds and "le" in bounds:
        return f"must be {kind} from {bounds['ge']} to {bounds['le']}"
    limits = [f"{words} {bounds[name]}" for name, words in
              (("gt", "above"), ("ge", "at least"), ("lt", "below"), ("le", "at most")) if name in bounds]
    return f"must be {kind} {' and '.join(limits)}".strip()


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                bounds[name] = getattr(item, name)
    return bounds


def _problem(field: str, error: ValidationError) -> str:
    """The custom message of a validator (it knows best), or what the field allows."""
    for detail in error.errors():
        if detail["loc"][:1] == (field,) and detail["type"] == "value_error" and field not in SHAPES:
            return str(detail["msg"]).removeprefix("Value error, ")
    return allowed(field)


def _source(field: str, flags: Mapping[str, str], environ: Mapping[str, str]) -> str:
    """``--port 'abc'`` or ``NEUROPLAY_PORT='abc'``: where the bad value came from."""
    if field in flags:
        return f"--{field.replace('_', '-')} {flags[field]!r}"
    name = next((key for key in environ if key.upper() == variable(field)), variable(field))
    return f"{name}={environ.get(name, '')!r}"
