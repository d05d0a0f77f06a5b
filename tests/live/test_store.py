"""The stores that keep runs across a restart (SQLite and Redis), and an app started again on one.

The stores' own rules: rows expire, at most ``max_sessions`` are kept (the soonest to expire go
first), and a row that cannot be read is skipped with a log line, never a crash. Then whole apps
over TestClient: one stops, the next resumes its runs from the same data folder; a kept run that
cannot be restored is said to be "lost".
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.i18n import translate
from app.lessons.library import SHIPPED_DIR
from app.live.lessons import _load
from app.live.protocol import COMMAND_ADAPTER
from app.live.redis_store import RedisStore
from app.live.runner import Runner
from app.live.server import create_app
from app.live.settings import Settings
from app.live.sqlite_store import FILE_NAME, SqliteStore
from app.live.store import Store, StoredRoom, StoredSession, StoredStudent, pack, unpack, unpack_run
from app.training.persistence import export
from app.training.session import TrainingSession
from tests.live.conftest import opened
from tests.servers import RedisServer, wait_until


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[int], Store]:
    """Makes a store of the kind under test with a given cap (opened and emptied by ``opened_store``)."""
    if request.param == "sqlite":
        return lambda max_sessions: SqliteStore(str(tmp_path / "data"), max_sessions)
    redis: RedisServer = request.getfixturevalue("redis_server")
    return lambda max_sessions: RedisStore(redis.url, max_sessions)


@asynccontextmanager
async def opened_store(make: Callable[[int], Store], max_sessions: int = 100) -> AsyncIterator[Store]:
    store = make(max_sessions)
    await store.open()
    if isinstance(store, RedisStore):
        await store.redis.flushdb()
    try:
        yield store
    finally:
        await store.close()


def row(session_id: str, expires_in_s: float, blob: bytes = b"blob") -> StoredSession:
    return StoredSession(session_id, blob, time.time() + expires_in_s)


def test_a_row_comes_back_until_it_expires(make_store: Callable[[int], Store]) -> None:
    async def scenario() -> None:
        async with opened_store(make_store) as store:
            await store.put_sessions([row("kept", 60), row("stale", -1)])
            assert await store.get_session("kept") == b"blob"
            assert await store.get_session("stale") is None
            await store.touch_sessions({"kept": time.time() - 1})  # its socket left a TTL ago
            assert await store.get_session("kept") is None

    asyncio.run(scenario())


def test_the_cap_drops_the_rows_soonest_to_expire(make_store: Callable[[int], Store]) -> None:
    async def scenario() -> None:
        async with opened_store(make_store, 3) as store:
            await store.put_sessions([row(f"s{n}", 60 + n) for n in range(5)])
            assert [n for n in range(5) if await store.get_session(f"s{n}")] == [2, 3, 4]
            await store.delete_session("s4")
            assert await store.get_session("s4") is None

    asyncio.run(scenario())


def test_a_forks_student_is_kept_beside_its_row_and_goes_with_it(make_store: Callable[[int], Store]) -> None:
    student = {"code": "K7WQ3M", "student": "s7", "alias": "Blue Fox", "name": "Ana", "mode": "forked"}

    async def scenario() -> None:
        async with opened_store(make_store, 3) as store:
            await store.put_sessions([row("fork", 60), row("gone", 61), row("soon", 62)])
            await store.put_students([StoredStudent(name, {**student, "student": f"s{n}"}, time.time() + 60)
                                      for n, name in enumerate(("fork", "gone", "soon"))])
            assert await store.get_student("fork") == student | {"student": "s0"}
            assert await store.get_student("plain") is None  # a run that is no class's fork
            await store.delete_session("gone")
            assert await store.get_student("gone") is None
            await store.touch_sessions({"fork": time.time() - 1})  # its row expires: so does its student
            await store.put_sessions([row("later", 63)])
            assert await store.get_student("fork") is None and await store.get_student("soon") is not None
            await store.put_sessions([row("last", 64), row("latest", 65)])  # the cap drops "soon" and its student
            assert await store.get_session("soon") is None and await store.get_student("soon") is None

    asyncio.run(scenario())


def test_rooms_are_kept_per_replica_and_an_unreadable_one_is_skipped(
        make_store: Callable[[int], Store], caplog: pytest.LogCaptureFixture) -> None:
    record = {"session_id": "abc", "secret_hash": "f00", "join_url": "http://x/join/K7WQ3M"}

    async def scenario() -> None:
        async with opened_store(make_store) as store:
            await store.put_room(StoredRoom("K7WQ3M", "one", record, time.time() + 60))
            await store.put_room(StoredRoom("ABCDEF", "two", record, time.time() + 60))
            assert [(room.code, room.record) for room in await store.rooms("one")] == [("K7WQ3M", record)]
            if isinstance(store, SqliteStore):
                with sqlite3.connect(store.path) as db:
                    db.execute("UPDATE rooms SET record = 'not json' WHERE code = 'K7WQ3M'")
            else:
                await store.redis.hset("neuroplay:keptrooms:one", "K7WQ3M", "not json")
            with caplog.at_level(logging.WARNING, "neuroplay.store"):
                assert await store.rooms("one") == []
            await store.delete_room("ABCDEF", "two")
            assert await store.rooms("two") == []

    asyncio.run(scenario())
    assert "kept class" in caplog.text and "could not be read" in caplog.text


def test_a_blob_round_trips_an_export_and_refuses_anything_else() -> None:
    document = export(TrainingSession())
    assert unpack(pack(document, True)) == (document, True)
    for bad in (b"", b"not zlib", pack(document, False)[:20]):
        with pytest.raises(ValueError, match="not a kept run"):
            unpack(bad)


# ----- whole apps, one after the other, on one data folder --------------------------------------
@pytest.fixture
def keeping(tmp_path: Path) -> Settings:
    return Settings(keep_runs=True, data_dir=str(tmp_path / "data"), save_interval_s=0.5)


def test_an_app_started_again_resumes_a_run_with_its_counters_and_history(keeping: Settings) -> None:
    with TestClient(create_app(keeping)) as client, opened(client) as page:
        session_id = page.hello["session_id"]
        page.send({"type": "step", "unit": "epoch", "count": 7})
        page.frame(lambda m: m["epoch"] == 7)
        before = client.get(f"/api/sessions/{session_id}/export").json()
    with TestClient(create_app(keeping)) as client, opened(client, f"/ws?session={session_id}") as page:
        assert page.hello["resume"] == "resumed" and page.hello["paused_while_away"] is False
        assert page.frame()["epoch"] == 7
        assert client.get(f"/api/sessions/{session_id}/export").json() == before


def test_an_app_started_again_reopens_the_lesson_at_its_step_with_its_answer_and_hints(keeping: Settings) -> None:
    with TestClient(create_app(keeping)) as client, opened(client) as page:
        session_id = page.hello["session_id"]
        page.send({"type": "start_lesson", "lesson": "neuron"})
        page.send({"type": "answer", "choice": 1})
        page.send({"type": "step", "unit": "epoch", "count": 1})
        before = page.until(lambda m: m["type"] == "lesson" and m["lesson"]["ask"]["answer"] is not None)["lesson"]
    with TestClient(create_app(keeping)) as client, opened(client, f"/ws?session={session_id}") as page:
        assert page.hello["resume"] == "resumed"
        after = page.until_type("lesson")["lesson"]
        assert after == before and (after["id"], after["step"], after["ask"]["chosen"]) == ("neuron", 0, 1)
        page.send({"type": "go_to_step", "step": 1})
        page.send({"type": "show_hint"})
        page.send({"type": "step", "unit": "epoch", "count": 2})
        progress = page.until(lambda m: m["type"] == "lesson_progress" and (m["goal"] or {}).get("epoch") == 2)["goal"]
        page.send({"type": "list_lessons"})
        page.until_type("lessons")
    with TestClient(create_app(keeping)) as client, opened(client, f"/ws?session={session_id}") as page:
        after = page.until_type("lesson")["lesson"]
        assert (after["step"], len(after["hints"]), after["hints_left"], after["done"]) == (1, 1, 1, [])
        assert page.until_type("lesson_progress")["goal"] == progress
        page.send({"type": "configure", "changes": {"learning_rate": 0.1}})  # the step's lock holds again
        assert page.error()["field"] == "learning_rate"


def test_a_kept_lesson_whose_file_changed_is_said_to_be_lost_and_the_run_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    shipped = (SHIPPED_DIR / "02-hidden-layer.md").read_text(encoding="utf-8")
    (folder / "mine.md").write_text(shipped.replace("id: hidden-layer", "id: mine"), encoding="utf-8")
    settings = Settings(keep_runs=True, data_dir=str(tmp_path / "data"), save_interval_s=0.5, lessons_dir=str(folder))
    with TestClient(create_app(settings)) as client, opened(client) as page:
        session_id = page.hello["session_id"]
        page.send({"type": "start_lesson", "lesson": "mine", "step": 1})
        assert page.until_type("lesson")["lesson"]["step"] == 1
    (folder / "mine.md").write_text(shipped.replace("id: hidden-layer", "id: mine").replace("\n## ", "\n## Renamed "),
                                    encoding="utf-8")
    _load.cache_clear()  # a new process reads the folder again
    with TestClient(create_app(settings)) as client, opened(client, f"/ws?session={session_id}") as page:
        assert page.hello["resume"] == "resumed"
        notice = page.until_type("notice")
        assert notice["topic"] == "lesson_lost" and "no longer in the lesson" in notice["message"]
        assert (notice["key"], notice["args"]["reason"]["key"]) == ("lessons.lost", "error.lesson.step_gone")
        assert translate("en", notice["key"], **notice["args"]) == notice["message"]
    _load.cache_clear()
    with TestClient(create_app(settings)) as client, opened(client, f"/ws?session={session_id}") as page:
        page.send({"type": "list_lessons"})  # the notice was told once; the run has no lesson now
        assert page.until(lambda m: m["type"] in ("notice", "lessons"))["type"] == "lessons"


def test_a_blob_keeps_the_lesson_beside_the_run() -> None:
    document = export(TrainingSession())
    kept = {"id": "neuron", "step": 1}
    assert unpack_run(pack(document, False, kept)) == (document, False, kept)
    assert unpack_run(pack(document, True)) == (document, True, None)


def test_a_kept_run_that_cannot_be_read_is_lost_with_a_log_line_not_a_crash(
        keeping: Settings, caplog: pytest.LogCaptureFixture) -> None:
    store = SqliteStore(keeping.data_dir, 10)
    asyncio.run(store.open())
    bad_document = {**export(TrainingSession()), "counters": {"step": -1, "epoch": 0, "examples": 0}}
    asyncio.run(store.put_sessions([row("garbled", 60, b"\x00garbage"), row("refused", 60, pack(bad_document, False))]))
    asyncio.run(store.close())
    with caplog.at_level(logging.WARNING), TestClient(create_app(keeping)) as client:
        for session_id in ("garbled", "refused"):
            with opened(client, f"/ws?session={session_id}") as page:
                assert page.hello["resume"] == "lost"
                page.frame()  # a new run that works
        with opened(client, "/ws?session=never-kept") as page:
            assert page.hello["resume"] == "expired"
    assert "kept session garbled could not be read" in caplog.text
    assert "kept session refused could not be restored (counters.step" in caplog.text


def test_the_data_folder_must_be_a_folder_the_server_can_make_and_write(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ValueError, match="must be a folder, and .* is a file"):
        Settings(data_dir=str(a_file))
    with pytest.raises(ValueError, match=r"must be a folder this process can create and write \(Not a directory\)"):
        Settings(keep_runs=True, data_dir=str(a_file / "below"))
    Settings(keep_runs=False, data_dir=str(a_file / "below"))  # not kept there: not made
    deeper = tmp_path / "new" / "deeper"
    assert Settings(keep_runs=True, data_dir=str(deeper)).data_dir == str(deeper) and deeper.is_dir()
    Settings(keep_runs=True, redis_url="redis://127.0.0.1:1/0", data_dir=str(a_file / "below"))  # kept in Redis


def test_a_damaged_store_file_is_logged_and_the_server_runs_without_keeping(
        keeping: Settings, caplog: pytest.LogCaptureFixture) -> None:
    (Path(keeping.data_dir) / FILE_NAME).write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.ERROR), TestClient(create_app(keeping)) as client:
        with opened(client, "/ws?session=anything") as page:
            assert page.hello["resume"] == "expired"
            page.frame()
    assert "runs are not kept across restarts: the store could not be opened" in caplog.text


def test_a_run_is_packed_again_only_after_it_changed() -> None:
    async def scenario() -> None:
        runner = Runner(TrainingSession(), Settings(), "some-id")
        revision, blob = await runner.save(-1)
        assert blob is not None and unpack(blob) == (export(runner.session), False)
        assert await runner.save(revision) == (revision, None)
        await runner.execute(COMMAND_ADAPTER.validate_python({"type": "configure", "changes": {"learning_rate": 0.1}}))
        changed, blob = await runner.save(revision)
        assert changed > revision and blob is not None and unpack(blob)[0]["config"]["learning_rate"] == 0.1

    asyncio.run(scenario())


def test_a_run_freed_after_its_ttl_is_gone_from_the_store_too(tmp_path: Path) -> None:
    settings = Settings(keep_runs=True, data_dir=str(tmp_path / "data"), save_interval_s=0.5, detached_ttl_s=2.0)

    def rows(session_id: str) -> int:
        with sqlite3.connect(Path(settings.data_dir) / FILE_NAME) as db:  # expired or not
            return int(db.execute("SELECT count(*) FROM sessions WHERE id = ?", (session_id,)).fetchone()[0])

    with TestClient(create_app(settings)) as client:
        with opened(client) as page:
            session_id = page.hello["session_id"]
            page.frame()
            wait_until(lambda: rows(session_id) == 1, "the run's row")
        registry = client.app.state.registry  # type: ignore[attr-defined]
        wait_until(lambda: session_id not in registry.entries, "the detached session's end")
        wait_until(lambda: rows(session_id) == 0, "the row's deletion")
    with TestClient(create_app(settings)) as client, opened(client, f"/ws?session={session_id}") as page:
        assert page.hello["resume"] == "expired"


def test_closing_the_sqlite_store_waits_for_the_calls_using_it(tmp_path: Path) -> None:
    """A shutdown closes the file while writes are under way: each write finishes or is refused cleanly."""
    async def scenario() -> list[BaseException | None]:
        store = SqliteStore(str(tmp_path), max_sessions=1000)
        await store.open()
        rows = [StoredSession(f"s{i}", b"x" * 2000, time.time() + 60) for i in range(50)]
        writes = [asyncio.create_task(store.put_sessions(rows[i:i + 5])) for i in range(0, 50, 5)]
        await asyncio.sleep(0)
        await store.close()
        return list(await asyncio.gather(*writes, return_exceptions=True))

    outcomes = asyncio.run(scenario())
    assert all(outcome is None or isinstance(outcome, sqlite3.ProgrammingError) for outcome in outcomes), outcomes
