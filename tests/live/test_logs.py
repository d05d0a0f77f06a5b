"""Session ids never reach a log line: the filter on uvicorn's access and error loggers."""

from __future__ import annotations

import logging

from app.live.logs import REDACTED, SessionIdFilter, log_config, redact


def access_record(path: str) -> logging.LogRecord:
    """A record as uvicorn's access logger makes it."""
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", "GET", path, "1.1", 200), None)


def test_ids_in_paths_and_queries_are_replaced() -> None:
    assert redact("/api/sessions/rUq0-x_9/export") == f"/api/sessions/{REDACTED}/export"
    assert redact("/api/sessions/abc/import?x=1") == f"/api/sessions/{REDACTED}/import?x=1"
    assert redact("/ws?session=abc&mode=follow") == f"/ws?session={REDACTED}&mode=follow"
    assert redact("/ws?mode=follow&session=abc") == f"/ws?mode=follow&session={REDACTED}"
    assert redact("/ws?session_id=abc") == f"/ws?session_id={REDACTED}"
    assert redact("/api/options?sessions=3") == "/api/options?sessions=3"
    assert redact("/static/js/main.js") == "/static/js/main.js"


def test_the_filter_rewrites_arguments_and_messages_and_keeps_every_record() -> None:
    record = access_record("/api/sessions/SECRET/export")
    assert SessionIdFilter().filter(record)
    assert "SECRET" not in record.getMessage() and f"/api/sessions/{REDACTED}/export" in record.getMessage()
    plain = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "GET /ws?session=SECRET failed", None, None)
    assert SessionIdFilter().filter(plain) and "SECRET" not in plain.getMessage()
    named = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "%(path)s", None, None)
    named.args = {"path": "/ws?session=SECRET"}
    assert SessionIdFilter().filter(named) and "SECRET" not in named.getMessage()


def test_the_server_log_configuration_filters_uvicorns_loggers() -> None:
    config = log_config()
    assert config["filters"]["session_ids"]["()"] is SessionIdFilter
    for name in ("uvicorn.access", "uvicorn.error"):
        assert config["loggers"][name]["filters"] == ["session_ids"]
    assert config["loggers"]["uvicorn.access"]["handlers"] == ["access"]  # uvicorn's own, otherwise unchanged
