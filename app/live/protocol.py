"""The wire protocol's commands and message names, and the JSON that describes the options.

Commands arrive as JSON text and are validated here with pydantic into one
of the ``Command`` models (a union discriminated by ``type``); anything else
becomes an ``InputError`` naming the field and what is allowed. The binary
frames are built in ``app/live/encoder.py``. ``static/js/protocol.js`` mirrors
the names and the version; a test keeps the two in step. See docs/protocol.md.
"""

from __future__ import annotations

import difflib
import json
import re
from itertools import accumulate
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, TypeAdapter, ValidationError

from app.data.datasets import DATASETS, EXTENT, MAX_POINTS, show_value
from app.data.features import FEATURES
from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, localized, refusal, translate
from app.live.lessons import glossary
from app.live.settings import Settings
from app.live.spoken import spoken_options
from app.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from app.nn.initializers import INITIALIZERS
from app.nn.losses import LOSSES
from app.nn.optim import OPTIMIZERS
from app.nn.regularization import REGULARIZERS
from app.training.config import FIELDS, MAX_REGULARIZATION_RATE, PROBLEM_COSTS, PROBLEM_OUTPUTS, ExperimentConfig

PROTOCOL_VERSION = 2  # bump on any incompatible change to docs/protocol.md

# Server → client message types (nouns). Binary ones: "dataset", "history", "frame".
SERVER_MESSAGES = ("hello", "session", "dataset", "history", "frame", "error", "presenting", "room", "forked",
                   "notice", "slow_step", "pins", "lessons", "lesson", "lesson_progress", "class", "comparison",
                   "class_state", "language")
NOTICE_TOPICS = ("class_link", "class_moved", "run_discarded", "lesson_lost", "busy", "class_paused", "class_resumed",
                 "class_pushed", "class_locked", "class_unlocked", "back_to_class")  # what a `notice` is about
PACE_ACTIONS = ("pause_all", "resume_all", "bring_back", "push", "lock", "unlock")  # a teacher's `pace` actions
STUDENT_ID_PATTERN = r"^s[0-9]{1,6}$"  # a student's id in its room: "s7"
MAX_COMPARED = 4  # runs a `compare` puts side by side, at most (and 2 at least)
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: a code is read aloud and typed
JOIN_CODE_LENGTH = 6  # 31^6 ≈ 887 million codes
JOIN_CODE_PATTERN = rf"^[{JOIN_CODE_ALPHABET}{JOIN_CODE_ALPHABET.lower()}]{{{JOIN_CODE_LENGTH}}}$"

# The learning and regularization rates the page offers (TensorFlow Playground's lists).
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, MAX_REGULARIZATION_RATE)

MAX_JSON_DEPTH = 32  # deepest nesting of arrays and objects in a command or an import (exports nest 4 deep)
# A JSON string (escapes included), or an unterminated one up to the end: possessive, so scanning stays linear.
JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
BRACKET_STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}
MAX_LISTED_CHARS = 160  # an error lists every command type only while they fit; then the closest ones
SERVER_FAULT = refusal("server", "error.server_fault")

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]  # an int or a finite float, not "1.5"
LANGUAGE_PATTERN = r"^[a-z]{2}$"  # a language as ISO 639-1 writes it; a lesson without that file falls back to en


class Refused(ValueError):
    """A validator's refusal from a catalogue key: ``_input_error`` makes it ``refusal(field, key, **args)``."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(translate(DEFAULT_LANGUAGE, key, **args))
        self.key, self.params = key, args


def _language(value: object) -> str:
    """A lesson language: two lower-case letters; any such code, so a page in a new language gets English."""
    if not isinstance(value, str) or not re.match(LANGUAGE_PATTERN, value):
        raise Refused("error.language_code", got=show_value(value))
    return value


Language = Annotated[str, BeforeValidator(_language)]
# A lesson command that names no language: the socket's (conversation.py fills it in; never a valid value sent).
SOCKET_LANGUAGE = ""
RequestId = Annotated[str, Field(max_length=64)] | StrictInt | None


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: RequestId = None


class Configure(_Command):
    type: Literal["configure"]
    changes: dict[str, Any] = Field(min_length=1, max_length=len(FIELDS))


class Play(_Command):
    type: Literal["play"]


class Pause(_Command):
    type: Literal["pause"]


class Reset(_Command):
    type: Literal["reset"]


class NewWeights(_Command):
    type: Literal["new_weights"]


class RegenerateData(_Command):
    type: Literal["regenerate_data"]


class Step(_Command):
    type: Literal["step"]
    unit: Literal["batch", "epoch"] = "batch"
    count: StrictInt = Field(1, ge=1)


class SetSpeed(_Command):
    type: Literal["set_speed"]
    unit: Literal["batch", "epoch"]
    count: StrictInt = Field(ge=1)


class SelectNeuron(_Command):
    type: Literal["select_neuron"]
    layer: StrictInt | None = Field(None, ge=0)
    index: StrictInt | None = Field(None, ge=0)


class SelectSample(_Command):
    type: Literal["select_sample"]
    part: Literal["train", "test", "point"] | None = None
    index: StrictInt | None = Field(None, ge=0)
    point: tuple[Number, Number] | None = None


class EditWeight(_Command):
    type: Literal["edit_weight"]
    layer: StrictInt = Field(ge=0)
    target: StrictInt = Field(ge=0)
    source: StrictInt | None = Field(None, ge=0)
    value: Number


class SetData(_Command):
    type: Literal["set_data"]
    problem: Literal["binary", "multiclass", "regression"]
    rows: list[tuple[Number, Number, Number]] = Field(max_length=MAX_POINTS)
    classes: StrictInt | None = None


class Present(_Command):
    type: Literal["present"]
    code: Annotated[str, Field(pattern=JOIN_CODE_PATTERN)] | None = None
    secret: Annotated[str, Field(min_length=1, max_length=128)] | None = None


class EndClass(_Command):
    type: Literal["end_class"]


class Highlight(_Command):
    type: Literal["highlight"]
    layer: StrictInt | None = Field(None, ge=0)
    index: StrictInt | None = Field(None, ge=0)


class Fork(_Command):
    type: Literal["fork"]


class SlowStep(_Command):
    type: Literal["slow_step"]


class Rewind(_Command):
    type: Literal["rewind"]
    epoch: StrictInt = Field(ge=0)


class Pin(_Command):
    type: Literal["pin"]


class Unpin(_Command):
    type: Literal["unpin"]
    pin: StrictInt = Field(ge=1)


class ListLessons(_Command):
    type: Literal["list_lessons"]
    language: Language = SOCKET_LANGUAGE  # the outlines in this language where a lesson has it


class StartLesson(_Command):
    type: Literal["start_lesson"]
    lesson: Annotated[str, Field(min_length=1, max_length=64)]
    step: StrictInt = Field(0, ge=0)
    language: Language = SOCKET_LANGUAGE  # the lesson's file in this language, else English (`requested_language`)
    pace: tuple[Annotated[int, Field(strict=True, ge=0)], Annotated[int, Field(strict=True, ge=0)]] | None = None


class SetPace(_Command):
    type: Literal["set_pace"]
    pace: tuple[Annotated[int, Field(strict=True, ge=0)], Annotated[int, Field(strict=True, ge=0)]] | None


class GoToStep(_Command):
    type: Literal["go_to_step"]
    step: StrictInt = Field(ge=0)


class AnswerAsk(_Command):
    type: Literal["answer"]
    choice: StrictInt = Field(ge=0)


class ShowHint(_Command):
    type: Literal["show_hint"]


class LeaveLesson(_Command):
    type: Literal["leave_lesson"]


class SetLanguage(_Command):
    type: Literal["set_language"]
    language: Literal[LANGUAGES]  # type: ignore[valid-type]  # the server's words on this socket: en, de or es


class View(_Command):
    """What the page shows now: frames skip the output (not ``visible``) and the neuron maps (not ``maps``)."""

    type: Literal["view"]
    visible: StrictBool = True  # the page is in view (not a hidden tab)
    maps: StrictBool = True  # the network drawing with its neuron maps is on screen


class SetName(_Command):
    type: Literal["set_name"]
    name: Annotated[str, Field(max_length=256)]  # trimmed, then checked against settings.max_student_name_chars


class RaiseHand(_Command):
    type: Literal["raise_hand"]
    raised: bool = Field(strict=True)


class WatchClass(_Command):
    type: Literal["watch_class"]
    on: bool = Field(strict=True)


StudentId = Annotated[str, Field(pattern=STUDENT_ID_PATTERN)]


class Spotlight(_Command):
    type: Literal["spotlight"]
    student: StudentId | None


class Compare(_Command):
    type: Literal["compare"]
    students: list[StudentId] = Field(min_length=2, max_length=MAX_COMPARED)


class Pace(_Command):
    type: Literal["pace"]
    action: Literal["pause_all", "resume_all", "bring_back", "push", "lock", "unlock"]


Command = Annotated[
    Configure | Play | Pause | Reset | NewWeights | RegenerateData | Step | SetSpeed
    | SelectNeuron | SelectSample | EditWeight | SetData | Present | EndClass | Highlight | Fork
    | SlowStep | Rewind | Pin | Unpin | ListLessons | StartLesson | GoToStep | AnswerAsk | ShowHint | LeaveLesson
    | SetPace | SetLanguage | View | SetName | RaiseHand | WatchClass | Spotlight | Compare | Pace,
    Field(discriminator="type"),
]
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)
COMMAND_TYPES = tuple(
    model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for model in (Configure, Play, Pause, Reset, NewWeights, RegenerateData, Step, SetSpeed,
                  SelectNeuron, SelectSample, EditWeight, SetData, Present, EndClass, Highlight, Fork,
                  SlowStep, Rewind, Pin, Unpin, ListLessons, StartLesson, GoToStep, AnswerAsk, ShowHint, LeaveLesson,
                  SetPace, SetLanguage, View, SetName, RaiseHand, WatchClass, Spotlight, Compare, Pace)
)
# Error fields that are not a command's own field (a command's fields and the settings are added below).
OTHER_ERROR_FIELDS = ("message", "type", "rate", "server", "room", "rooms", "session", "sessions", "role", "secret",
                      "followers", "pins", "history", "epoch", "answer", "hint", "class")
# Every field an error may name, before any dot: label values of the refused-commands metric come from here
# only, so a client's made-up field names cannot grow /metrics (the rest count as "other").
ERROR_FIELDS = frozenset((*OTHER_ERROR_FIELDS, *FIELDS, *(
    name for model in (Configure, Play, Pause, Reset, NewWeights, RegenerateData, Step, SetSpeed,
                       SelectNeuron, SelectSample, EditWeight, SetData, Present, EndClass, Highlight, Fork,
                       SlowStep, Rewind, Pin, Unpin, ListLessons, StartLesson, GoToStep, AnswerAsk, ShowHint,
                       LeaveLesson, SetPace, SetLanguage, View, SetName, RaiseHand, WatchClass, Spotlight, Compare,
                       Pace)
    for name in model.model_fields)))
ROOM_COMMANDS = ("present", "end_class", "fork")  # served by the connection and the rooms, not the run
SOCKET_COMMANDS = ("set_language",)  # served by the connection for its own socket, whoever holds it
STUDENT_COMMANDS = ("set_name", "raise_hand")  # a student's, from a follower's socket or a fork's
TEACHER_COMMANDS = ("watch_class", "spotlight", "compare", "pace")  # the presenter's socket's only
FOLLOWER_COMMANDS = ("fork", *SOCKET_COMMANDS, *STUDENT_COMMANDS)  # all a follower may send


def json_depth(text: str | bytes | bytearray) -> int:
    """How deeply arrays and objects nest in JSON text, found without parsing (so without recursion).

    Brackets inside strings do not count; for text that is not JSON the figure is only a guess.
    """
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", "replace")
    brackets = NOT_A_BRACKET.sub("", JSON_STRING.sub("", text))
    return max(accumulate(map(BRACKET_STEPS.__getitem__, brackets)), default=0)


def check_depth(text: str | bytes | bytearray, field: str) -> None:
    """Raise InputError(field) if text nests deeper than MAX_JSON_DEPTH (before json.loads recurses)."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise refusal(field, "error.too_deep", max=MAX_JSON_DEPTH)


def parse_command(text: str | bytes, max_bytes: int) -> Command:
    """Validate one incoming message; raises InputError naming the field and what is allowed."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > max_bytes:
        raise refusal("message", "error.too_long", max=max_bytes, got=size)
    check_depth(text, "message")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise refusal("message", "error.not_json", example='{"type": "play"}') from None
    if not isinstance(data, dict):
        raise refusal("message", "error.not_json", example='{"type": "play"}')
    kind = data.get("type")
    if kind not in COMMAND_TYPES:
        raise unknown_type(kind)
    try:
        return COMMAND_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise _input_error(error) from None


def unknown_type(kind: object) -> InputError:
    """What an unknown ``type`` gets: every command type while the list is short; else the closest ones."""
    listed = ", ".join(COMMAND_TYPES)
    if len(listed) <= MAX_LISTED_CHARS:
        return refusal("type", "error.one_of", allowed=listed, got=show_value(kind))
    close = difflib.get_close_matches(kind, COMMAND_TYPES, n=3) if isinstance(kind, str) else []
    return refusal("type", "error.unknown_type_closest" if close else "error.unknown_type_such_as",
                   count=len(COMMAND_TYPES), examples=", ".join(close or COMMAND_TYPES[:5]), got=show_value(kind))


# pydantic's complaints that have words of their own in the catalogues: its error type → (key, the context's
# value the text names, and the argument it fills: ``count`` where the words take a plural form).
PYDANTIC_KEYS: dict[str, tuple[str, str | None, str]] = {
    "extra_forbidden": ("error.not_a_field", None, ""), "missing": ("error.required", None, ""),
    "int_type": ("error.whole_number", None, ""), "float_type": ("error.number", None, ""),
    "finite_number": ("error.number", None, ""), "string_type": ("error.text", None, ""),
    "dict_type": ("error.object", None, ""), "list_type": ("error.list", None, ""),
    "tuple_type": ("error.list", None, ""), "bool_type": ("error.boolean", None, ""),
    "greater_than_equal": ("error.at_least", "ge", "limit"), "less_than_equal": ("error.at_most", "le", "limit"),
    "string_too_short": ("error.text_at_least", "min_length", "count"),
    "string_too_long": ("error.text_at_most", "max_length", "count"),
    "too_short": ("error.items_at_least", "min_length", "count"),
    "too_long": ("error.items_at_most", "max_length", "count"),
    "string_pattern_mismatch": ("error.pattern", "pattern", "limit"),
}


def _input_error(error: ValidationError) -> InputError:
    """The first pydantic complaint, as field + message (loc[0] is the command's type tag)."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"][1:]) or "message"
    context = first.get("ctx") or {}
    if first["type"] == "literal_error":
        return refusal(field, "error.one_of_values", allowed=str(context.get("expected", "")).replace(" or ", ", "))
    if first["type"] in PYDANTIC_KEYS:
        key, name, argument = PYDANTIC_KEYS[first["type"]]
        return refusal(field, key, **({argument: context[name]} if name in context else {}))
    if isinstance(context.get("error"), Refused):
        return refusal(field, context["error"].key, **context["error"].params)
    message = first["msg"]
    if first["type"] == "value_error":
        message = str(first["ctx"]["error"])  # our own validators' words, without pydantic's "Value error, "
    return InputError(field, f"{message[0].lower()}{message[1:]}")


def error_message(error: InputError, command: str | None = None, command_id: str | int | None = None,
                  language: str = DEFAULT_LANGUAGE) -> str:
    """The ``error`` JSON message for a refused command: its text in ``language``, and its catalogue key and args."""
    return json.dumps({"type": "error", "field": error.field, "message": localized(error, language),
                       "key": error.key, "args": error.params or None, "command": command, "id": command_id})


def request_id(data: str | bytes) -> str | int | None:
    """The ``id`` of a raw message, if it has a usable one (for errors raised before validation)."""
    try:
        value = None if json_depth(data) > MAX_JSON_DEPTH else json.loads(data).get("id")
    except (ValueError, AttributeError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def _named(registry: dict[str, Any], names: tuple[str, ...] | None = None, *extra: str) -> list[dict[str, Any]]:
    """Option entries {name, label, …} from an engine registry, in its order."""
    return [{"name": name, "label": registry[name].label,
             **{key: getattr(registry[name], key) for key in extra}}
            for name in (names or tuple(registry))]


SPEEDS = (("batch", 1), ("batch", 5), ("batch", 25), ("epoch", 1), ("epoch", 5), ("epoch", 20), ("epoch", 100))
DEFAULT_SPEED = ("epoch", 1)  # one pass over the data per frame, as TensorFlow Playground trains


def speed_label(unit: str, count: int) -> str:
    """'1 batch / frame', '5 epochs / frame'."""
    return f"{count} {unit}{'es' if unit == 'batch' and count != 1 else 's' if count != 1 else ''} / frame"


def options(settings: Settings, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The content of ``hello`` and ``GET /api/options``: limits, settings, option lists (words in ``language``)."""
    described = _options(settings)
    # the page's and the lessons' concept terms with their definitions, in ``language`` where translated
    return {**described, **spoken_options(described, language), "glossary": glossary(settings, language)}


def _options(settings: Settings) -> dict[str, Any]:
    return {
        "protocol_version": PROTOCOL_VERSION,
        "extent": EXTENT,
        "grid_size": settings.grid_size,
        "limits": {
            "max_fps": settings.max_fps,
            "max_message_bytes": settings.max_message_bytes,
            "max_commands_per_second": settings.max_commands_per_second,
            "max_step_count": settings.max_step_count,
            "max_speed_count": settings.max_speed_count,
            "max_custom_points": MAX_POINTS,
            "max_import_bytes": settings.max_import_bytes,
        },
        "fields": {name: spec.describe() for name, spec in FIELDS.items()},
        "defaults": ExperimentConfig().to_dict(),
        "options": {
            "dataset": [{"name": d.name, "label": d.label, "problem": d.problem.value,
                         "description": d.description} for d in DATASETS.values()],
            "features": _named(FEATURES),
            "activation": _named(ACTIVATIONS, HIDDEN_ACTIVATIONS),
            "output_activation": _named(ACTIVATIONS, OUTPUT_ACTIVATIONS),
            "cost": _named(LOSSES, None, "formula"),
            "init": _named(INITIALIZERS, None, "description"),
            "optimizer": [{"name": n, "label": c.label, "description": c.description}  # type: ignore[attr-defined]
                          for n, c in OPTIMIZERS.items()],
            "regularization": _named(REGULARIZERS),
            "learning_rate": list(LEARNING_RATES),
            "regularization_rate": list(REGULARIZATION_RATES),
            "speed": [{"unit": u, "count": c, "label": speed_label(u, c)} for u, c in SPEEDS
                      if c <= settings.max_speed_count],
        },
        "problems": {p.value: {"output_activation": list(PROBLEM_OUTPUTS[p]), "cost": list(PROBLEM_COSTS[p])}
                     for p in PROBLEM_OUTPUTS},
        "default_speed": {"unit": DEFAULT_SPEED[0], "count": DEFAULT_SPEED[1]},
    }
