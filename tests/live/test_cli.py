"""The command line: one-line errors naming the variable or flag, `serve` by default, bench options."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import app.cli
from app.cli import main
from tests.servers import START_SECONDS, free_port, stop


def test_bench_prints_engine_figures_for_both_networks(capsys: pytest.CaptureFixture[str]) -> None:
    main(["bench", "--engine-only", "--seconds", "0.02"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("engine")
    figures = {line.split()[0]: line.split()[2:] for line in lines[2:4]}
    assert set(figures) == {"default", "largest"}
    assert all(float(value.replace(",", "")) > 0 for values in figures.values() for value in values)


def test_bench_help_shows_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["bench", "--help"])
    assert done.value.code == 0
    help_text = capsys.readouterr().out
    assert "--seconds" in help_text and "--engine-only" in help_text


def refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines a refused command line prints on stderr; it must exit with status 2."""
    with pytest.raises(SystemExit) as refused:
        main(argv)
    assert refused.value.code == 2
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("variable", "value", "line"), [
    ("NEUROPLAY_PORT", "abc", "NEUROPLAY_PORT='abc': must be a whole number from 1 to 65535"),
    ("NEUROPLAY_PORT", "70000", "NEUROPLAY_PORT='70000': must be a whole number from 1 to 65535"),
    ("NEUROPLAY_WORKERS", "-1", "NEUROPLAY_WORKERS='-1': must be a whole number from 0 to 64"),
    ("NEUROPLAY_SLICE_MS", "0", "NEUROPLAY_SLICE_MS='0': must be a number above 0 and at most 50"),
    ("NEUROPLAY_BASE_PATH", "lab", "NEUROPLAY_BASE_PATH='lab': must be empty or a path such as /neuroplay "
                                   "(letters, digits, . _ ~ -)"),
    ("NEUROPLAY_ALLOWED_ORIGINS", "[oops", "NEUROPLAY_ALLOWED_ORIGINS='[oops': must be names separated by commas, "
                                           "or a JSON list of strings"),
    ("NEUROPLAY_ALLOWED_HOSTS", "http://a.example", "NEUROPLAY_ALLOWED_HOSTS='http://a.example': must be host names, "
     "no scheme or port (a.example, *.example, 10.0.0.5, ::1), got 'http://a.example'"),
])
def test_a_bad_variable_gets_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                 variable: str, value: str, line: str) -> None:
    monkeypatch.setenv(variable, value)
    assert refusal(["serve"], capsys) == [line]


def test_every_bad_variable_gets_its_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEUROPLAY_MAX_FPS", "1000")
    monkeypatch.setenv("NEUROPLAY_GRID_SIZE", "big")
    assert refusal([], capsys) == ["NEUROPLAY_MAX_FPS='1000': must be a whole number from 1 to 120",
                                   "NEUROPLAY_GRID_SIZE='big': must be a whole number from 16 to 128"]


def test_a_misspelt_variable_is_named_with_the_closest_setting(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEUROPLAY_PROT", "8105")
    monkeypatch.setenv("NEUROPLAY_NOTHING_LIKE_IT", "1")
    monkeypatch.setenv("NEUROPLAY_PORT", "x")  # so the server does not start
    lines = refusal([], capsys)
    assert lines == [
        "neuroplay: warning: NEUROPLAY_NOTHING_LIKE_IT is no setting and is ignored; "
        "the settings are listed in README.md",
        "neuroplay: warning: NEUROPLAY_PROT is no setting and is ignored; did you mean NEUROPLAY_PORT?",
        "NEUROPLAY_PORT='x': must be a whole number from 1 to 65535",
    ]


@pytest.mark.parametrize(("argv", "line"), [
    (["--port", "abc"], "--port 'abc': must be a whole number from 1 to 65535"),
    (["serve", "--port", "0"], "--port '0': must be a whole number from 1 to 65535"),
    (["serve", "--bogus"], "neuroplay: unrecognized arguments: --bogus (see neuroplay --help)"),
    (["serve", "--log-level", "loud"], "neuroplay serve: argument --log-level: invalid choice: 'loud' (choose from "
     "'critical', 'error', 'warning', 'info', 'debug') (see neuroplay serve --help)"),
    (["bench", "--seconds", "soon"], "neuroplay bench: argument --seconds: invalid float value: 'soon' "
     "(see neuroplay bench --help)"),
])
def test_a_bad_flag_gets_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], line: str) -> None:
    assert refusal(argv, capsys) == [line]


def test_serve_is_the_default_command(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[dict[str, str], str]] = []
    monkeypatch.setattr(app.cli, "run_server", lambda flags, level, tls: calls.append((flags, level)))
    main(["--port", "8105"])
    main([])
    main(["serve", "--host", "0.0.0.0", "--log-level", "warning"])
    assert calls == [({"port": "8105"}, "info"), ({}, "info"), ({"host": "0.0.0.0"}, "warning")]


def test_python_dash_m_app_prints_one_line_and_exits_2() -> None:
    env = {**os.environ, "NEUROPLAY_PORT": "abc"}
    done = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, "NEUROPLAY_PORT='abc': must be a whole number from 1 to 65535\n")


def test_lessons_check_prints_each_error_on_one_line_and_fails(tmp_path: object,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "bad.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    (folder / "worse.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["lessons", "check", str(folder)])
    assert stopped.value.code == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{folder / 'bad.md'}:2: title: must be a title of 1 to 200 characters, got None",
                                f"{folder / 'worse.md'}:1: front matter: must open the file: a line ---, "
                                "the lesson's fields, then ---"]
    assert out == "0 lessons read, 2 errors\n"


def test_lessons_check_passes_the_shipped_lessons(capsys: pytest.CaptureFixture[str]) -> None:
    from app.lessons.library import SHIPPED_DIR

    with pytest.raises(SystemExit) as stopped:
        main(["lessons", "check", str(SHIPPED_DIR)])
    out, err = capsys.readouterr()
    english = len([path for path in SHIPPED_DIR.glob("*.md") if path.name.count(".") == 1])
    assert stopped.value.code == 0 and err == "" and out == f"{english * 3} lessons read, 0 errors\n"  # en, de, es


def test_lessons_check_names_an_unfaithful_translation_and_a_broken_glossary(
        tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from app.lessons.library import SHIPPED_DIR

    folder = Path(str(tmp_path))
    (folder / "neuron.md").write_text((SHIPPED_DIR / "01-neuron.md").read_text(encoding="utf-8"), encoding="utf-8")
    german = (SHIPPED_DIR / "01-neuron.de.md").read_text(encoding="utf-8")
    (folder / "neuron.de.md").write_text(german.replace("value: 6}", "value: 5}"), encoding="utf-8")
    (folder / "glossary.es.yaml").write_text("weight: peso\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["lessons", "check", str(folder)])
    out, err = capsys.readouterr()
    assert stopped.value.code == 1 and out == "1 lessons read, 2 errors\n"
    lines = err.splitlines()
    heading = german.splitlines().index("## Der Bias verschiebt die Linie") + 1  # the step's line
    assert lines[0].startswith(f"{folder / 'neuron.de.md'}:{heading}: step 3 setup: must be as in ")
    assert lines[1] == (f"{folder / 'glossary.es.yaml'}:1: weight: must be "
                        "{term: the term in this language, definition: …}")


@pytest.mark.parametrize(("flags", "line"), [
    (["--ssl-certfile", "/nonexistent/cert.pem", "--ssl-keyfile", "/nonexistent/key.pem"],
     "neuroplay serve: --ssl-certfile='/nonexistent/cert.pem': no such file"),
    (["--ssl-keyfile", __file__], "neuroplay serve: --ssl-certfile is needed with --ssl-keyfile (HTTPS needs the "
                                  "certificate and its key)"),
    (["--ssl-certfile", __file__, "--ssl-keyfile", os.path.dirname(__file__)],
     f"neuroplay serve: --ssl-keyfile={os.path.dirname(__file__)!r}: no such file"),
])
def test_bad_tls_files_get_one_line(capsys: pytest.CaptureFixture[str], flags: list[str], line: str) -> None:
    assert refusal(["serve", *flags], capsys) == [line]


def test_serve_speaks_https_with_the_given_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--log-level", "warning",
                               "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
                              env={**os.environ, "NEUROPLAY_WORKERS": "0", "NEUROPLAY_ALLOWED_HOSTS": "127.0.0.1"})
    trusted = ssl.create_default_context(cafile=str(cert))  # the test's own certificate, and nothing else
    try:
        def health() -> dict[str, object] | None:
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", timeout=2, context=trusted) as reply:
                    return dict(json.loads(reply.read()))
            except OSError:
                return None

        deadline = time.monotonic() + 3 * START_SECONDS  # a loaded machine starts python slowly
        while (found := health()) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert found is not None and found["status"] == "ok"
        with pytest.raises(OSError):  # plain HTTP on the HTTPS port gets no answer
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
    finally:
        stop(server)
