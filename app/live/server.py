"""The FastAPI application: the page, its static files, the JSON API and the live socket.

``create_app(settings)`` builds everything from typed settings, so tests
and deployments pass their own. No training happens here: sockets are
handed to ``app.live.connection``, sessions live in ``app.live.registry``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import segno
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from app import __version__
from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, check_shipped, localized, refusal
from app.live.admin import AdminPages
from app.live.classroom.broker import Broker, LocalBroker
from app.live.classroom.placement import Placement
from app.live.classroom.redis_broker import RedisBroker
from app.live.classroom.rooms import UNREACHABLE_FIELD, Rooms, normal_code
from app.live.classroom.roster import Roster
from app.live.connection import Live, origin_allowed, serve
from app.live.docs import add_docs_routes
from app.live.headers import SecurityHeaders
from app.live.hosts import check_hosts
from app.live.keeper import Keeper, make_store
from app.live.languages import add_locale_routes, page_context, request_language
from app.live.lessons import lesson_library
from app.live.metrics import CONTENT_TYPE, Metrics
from app.live.protocol import SERVER_FAULT, check_depth, options
from app.live.registry import Registry
from app.live.settings import Settings
from app.live.workers import WorkerPool

LOG = logging.getLogger("neuroplay.server")
BROKER_CLOSE_S = 3.0  # at shutdown, the longest wait for the broker to close its connections
QR_QUIET_ZONE = 4  # light modules around a QR code: ISO/IEC 18004 asks for 4 so phones find it on a wall
QR_MODULE_PX = 8  # one module of the QR code's SVG, px (the page scales the image)


def resource_dir(name: str) -> Path:
    """``static`` or ``templates``: inside the package when installed, beside it in a checkout."""
    package = Path(__file__).resolve().parents[1]  # app/, where pyproject force-includes both
    inside = package / name
    return inside if inside.is_dir() else package.parent / name


class Health(BaseModel):
    """Liveness and load."""

    status: str
    sessions: int  # every session, detached ones included
    detached: int  # sessions without a socket, kept for a reload
    rooms: int  # classes presented by this server
    broker: str  # "local", or whether the shared broker is reachable
    workers: int  # training processes alive now
    workers_expected: int  # training processes configured (NEUROPLAY_WORKERS); fewer alive is "degraded"


class Refusal(BaseModel):
    """Why a request was refused: the field and what is allowed."""

    field: str
    message: str


class ImportResult(BaseModel):
    """What an import loaded."""

    status: str
    dataset: str
    sizes: list[int]
    step: int


def refuse(status_code: int, field: str, message: str, error: InputError | None = None,
           language: str = DEFAULT_LANGUAGE) -> JSONResponse:
    """A JSON refusal naming the field; one from an InputError also carries its catalogue key and args,
    its message in ``language`` (the request's Accept-Language)."""
    said = {} if error is None else {"message": localized(error, language), "key": error.key,
                                     "args": error.params or None}
    return JSONResponse({"field": field, "message": message, **said}, status_code=status_code)


def refused(status_code: int, error: InputError, request: Request) -> JSONResponse:
    """The JSON refusal of an InputError, worded in the request's language."""
    return refuse(status_code, error.field, error.message, error, request_language(request))


def replica_name(settings: Settings) -> str:
    """NEUROPLAY_REPLICA_NAME, or a name no other process has: host, process id, random."""
    return settings.replica_name or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def make_broker(settings: Settings) -> Broker:
    """The in-process broker, or Redis when NEUROPLAY_REDIS_URL is set (several replicas)."""
    if not settings.redis_url:
        return LocalBroker()
    return RedisBroker(settings.redis_url, replica_name(settings), session_ttl_s=settings.detached_ttl_s,
                       fork_timeout_s=settings.fork_timeout_s)


def broker_state(settings: Settings, broker: Broker) -> str:
    """``local`` (one process), ``connected`` or ``unreachable`` (the Redis broker)."""
    if not settings.redis_url:
        return "local"
    return "connected" if broker.is_connected else "unreachable"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application."""
    settings = settings or Settings()
    check_shipped()  # every message catalogue read and checked now: a broken one stops the start with its problems
    metrics = Metrics()
    pool = (WorkerPool(settings, on_restart=metrics.worker_restarts.inc, on_fault=metrics.frame_faults.inc)
            if settings.workers else None)
    registry = Registry(settings, pool)
    registry.on_fault = metrics.frame_faults.inc
    broker = make_broker(settings)
    rooms = Rooms(settings, broker, registry)
    roster = Roster(settings, broker, registry)
    store = make_store(settings)
    keeper = None if store is None else Keeper(settings, store, registry, rooms, broker, roster)
    live_state = Live(settings, registry, rooms, metrics, Placement(broker, registry), roster)
    metrics.sessions.set_function(lambda: len(registry.entries))
    metrics.detached_sessions.set_function(lambda: registry.detached_count)
    metrics.rooms.set_function(lambda: len(rooms.rooms))
    metrics.followers.set_function(lambda: rooms.local_followers)
    templates = Jinja2Templates(directory=resource_dir("templates"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            await pool.start()
        await broker.start()
        if keeper is not None:
            await keeper.start()  # the runs and classes kept before a restart come back
        lag = asyncio.create_task(metrics.watch_event_loop())
        yield
        lag.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lag
        if keeper is not None:
            await keeper.stop()  # the last save, before the runners stop
        await registry.close_all()
        with contextlib.suppress(TimeoutError):  # a broker that cannot be reached must not hold the exit
            await asyncio.wait_for(broker.close(), BROKER_CLOSE_S)
        if pool is not None:
            await pool.stop()

    app = FastAPI(
        title="neuroplay",
        version=__version__,
        description="A live, server-trained neural-network playground. The wire protocol is in docs/protocol.md.",
        lifespan=lifespan,
        docs_url=None,  # self-hosted below, from static/vendor
        redoc_url=None,
    )
    app.state.registry = registry
    app.state.rooms = rooms
    app.state.broker = broker
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.keeper = keeper
    app.add_middleware(AdminPages, settings=settings)
    check_hosts(app, settings)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)  # outermost: every response
    add_docs_routes(app, settings.frame_ancestors)
    add_locale_routes(app)
    app.mount("/static", StaticFiles(directory=resource_dir("static")), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        context = page_context(request)
        return templates.TemplateResponse(request, "index.html", {
            "base_path": settings.base_path, "version": __version__, "room": "",
            "lessons": lesson_library(settings).outlines(context["language"]), **context})

    @app.get("/join/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def join_page(request: Request, code: str) -> HTMLResponse:
        try:
            room = normal_code(code)
        except InputError as error:
            context = page_context(request)
            return HTMLResponse(f"<!doctype html><html lang=\"{context['language']}\"><title>neuroplay</title>"
                                f"<p>{localized(error, context['language'])}.</p>", status_code=404)
        return templates.TemplateResponse(request, "index.html", {"base_path": settings.base_path,
                                                                  "version": __version__, "room": room,
                                                                  **page_context(request)})

    @app.get("/api/rooms/{code}/qr.svg", responses={404: {"model": Refusal}, 429: {"model": Refusal}})
    async def room_qr(request: Request, code: str) -> Response:
        """A QR code (SVG) of the link that joins the class with this code."""
        client = request.client.host if request.client else "unknown"
        try:
            record = await rooms.find(code, client)
        except InputError as error:
            status = 429 if error.field == "rate" else 503 if error.field == UNREACHABLE_FIELD else 404
            return refuse(status, error.field, error.message)
        # A standalone file with the SVG namespace: an <img> shows nothing without it (svg_inline omits it).
        svg = io.BytesIO()
        segno.make(record["join_url"], error="m").save(svg, kind="svg", xmldecl=False, scale=QR_MODULE_PX,
                                                       border=QR_QUIET_ZONE,
                                                       dark="#111", light="#fff")
        return Response(svg.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @app.get("/healthz", responses={503: {"model": Health}})
    async def health(response: Response) -> Health:
        """Liveness check; also how many sessions and classes are live, and whether the broker is reachable.

        HTTP 503 "no training processes" when every worker process is gone and none is replaced, so a
        load balancer takes this replica out. Sessions work without the broker, so an unreachable one
        keeps HTTP 200 with status "degraded", as do fewer worker processes alive than configured.
        """
        is_serving = pool is None or pool.is_serving
        state = broker_state(settings, broker)
        alive = 0 if pool is None else pool.alive_count
        response.status_code = 200 if is_serving else 503
        is_degraded = state == "unreachable" or alive < settings.workers
        status = "no training processes" if not is_serving else "degraded" if is_degraded else "ok"
        return Health(status=status, sessions=len(registry.entries), detached=registry.detached_count,
                      rooms=len(rooms.rooms), broker=state, workers=alive, workers_expected=settings.workers)

    @app.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE: {}}}})
    async def prometheus_metrics() -> Response:
        """Sessions, frames, bytes, refused commands, worker restarts, event-loop lag (Prometheus text)."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    @app.get("/api/options")
    async def api_options() -> dict[str, Any]:
        """Limits, every setting with its range and default, and the option lists (as in `hello`)."""
        return options(settings)

    @app.get("/api/sessions/{session_id}/export", responses={404: {"model": Refusal}, 503: {"model": Refusal}})
    async def export_session(session_id: str, request: Request) -> JSONResponse:
        """The live session as an experiment file: configuration, points, weights, counters."""
        runner = registry.get(session_id)
        if runner is None:
            return refused(404, refusal("session_id", "error.http.no_session"), request)
        try:
            document = await runner.export()
        except InputError as error:  # the training process stopped or did not answer in time
            return refused(503, error, request)
        name = f"neuroplay-{document['config']['dataset']}-step{document['counters']['step']}.json"
        return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                               "Cache-Control": "no-store"})  # a run's weights: never cached

    @app.post("/api/sessions/{session_id}/import", response_model=ImportResult,
              responses={400: {"model": Refusal}, 404: {"model": Refusal}, 413: {"model": Refusal},
                         403: {"model": Refusal}, 422: {"model": Refusal}, 503: {"model": Refusal}})
    async def import_session(session_id: str, request: Request) -> ImportResult | JSONResponse:
        """Replace the live session with an experiment file; its socket then shows the loaded run."""
        if not origin_allowed(request, settings):  # as /ws: a page elsewhere cannot post here
            return refused(403, refusal("origin", "error.http.origin"), request)
        runner = registry.get(session_id)
        if runner is None:
            return refused(404, refusal("session_id", "error.http.no_session"), request)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_import_bytes:
                return refused(413, refusal("body", "error.http.too_large", max=settings.max_import_bytes), request)
        try:
            check_depth(body, "body")
            document = json.loads(body)
        except InputError as error:
            return refused(400, error, request)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return refused(400, refusal("body", "error.http.not_experiment"), request)
        if not isinstance(document, dict):
            return refused(400, refusal("body", "error.object"), request)
        try:
            summary = await runner.import_document(document)
        except InputError as error:
            return refused(503 if error.field == SERVER_FAULT.field else 422, error, request)
        except Exception:  # a fault of ours, in this process: logged, and answered like one from a worker
            LOG.exception("import into session %s failed", session_id[:8])
            return refused(500, SERVER_FAULT, request)
        return ImportResult(**summary)

    @app.websocket("/ws")
    async def live(websocket: WebSocket) -> None:
        await serve(websocket, live_state)

    return app
