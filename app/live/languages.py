"""The page's language: negotiated from Accept-Language, the catalogue handed over with the page, and served.

``page_context(request)`` gives the template its language, a jinja2 helper ``t(key, **args)``
for the page's own words, and the catalogue as embedded JSON for the page's script
(static/js/i18n.js). ``GET /api/locales/{language}`` serves another catalogue, so the page's
language picker switches without a reload. The socket's language (``?lang=`` on ``/ws`` or
the ``set_language`` command) is kept by the connection; see app/live/connection.py.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from markupsafe import Markup

from app.i18n import LANGUAGES, catalogue_tree, negotiate, normal_language, refusal, translate

# Characters that could end or confuse a <script type="application/json"> block, as JSON escapes.
SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})
CATALOGUE_MAX_AGE_S = 300  # a catalogue changes only with a new version of the server


def request_language(request: Request) -> str:
    """The language of the Accept-Language header, or English."""
    return negotiate(request.headers.get("accept-language"))


@functools.cache
def embedded_catalogue(language: str) -> Markup:
    """A catalogue as JSON that is safe inside a <script type="application/json"> element."""
    return Markup(json.dumps(catalogue_tree(language), ensure_ascii=False).translate(SCRIPT_SAFE))


def page_context(request: Request) -> dict[str, Any]:
    """What the template needs for its words: ``language``, ``languages``, ``t`` and ``catalogue``."""
    language = request_language(request)
    return {"language": language, "languages": LANGUAGES, "catalogue": embedded_catalogue(language),
            "t": functools.partial(translate, language)}


def add_locale_routes(app: FastAPI) -> None:
    """``GET /api/locales/{language}``: one language's catalogue (the i18next JSON the page reads)."""

    @app.get("/api/locales/{language}", responses={404: {"description": "no catalogue for this language"}})
    async def locale(language: str) -> JSONResponse:
        """The message catalogue of one language (en, de or es), as the page's language picker loads it."""
        found = normal_language(language)
        if found is None or found != language:
            error = refusal("language", "error.http.language", allowed=", ".join(LANGUAGES))
            return JSONResponse({"field": error.field, "message": error.message, "key": error.key,
                                 "args": error.params}, status_code=404)
        return JSONResponse(catalogue_tree(found),
                            headers={"Cache-Control": f"public, max-age={CATALOGUE_MAX_AGE_S}"})
