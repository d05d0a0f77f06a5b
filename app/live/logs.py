"""The server's log configuration: uvicorn's, with session ids kept out of the lines.

A session id grants control of its run, and addresses carry it: the
export and import URLs (``/api/sessions/<id>/export``) and the websocket's
``?session=<id>``. Access logs are read by more people than the run's owner,
so ``SessionIdFilter`` replaces those ids before any handler sees them, on
uvicorn's access and error loggers (the error logger reports websocket paths).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "<session>"  # what a session id becomes in a log line
SESSION_IN_PATH = re.compile(r"(/api/sessions/)[^/?#\s\"']+")
SESSION_IN_QUERY = re.compile(r"([?&]session(?:_id)?=)[^&#\s\"']+")
FILTERED_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    """``/api/sessions/abc/export?session=abc`` → ``/api/sessions/<session>/export?session=<session>``."""
    return SESSION_IN_QUERY.sub(rf"\g<1>{REDACTED}", SESSION_IN_PATH.sub(rf"\g<1>{REDACTED}", text))


class SessionIdFilter(logging.Filter):
    """Rewrites a record's message and text arguments without session ids; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) if isinstance(arg, str) else arg for key, arg in record.args.items()}
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with ``SessionIdFilter`` on its access and error loggers."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["session_ids"] = {"()": SessionIdFilter}
    for name in FILTERED_LOGGERS:
        config["loggers"].setdefault(name, {})["filters"] = ["session_ids"]
    return config
