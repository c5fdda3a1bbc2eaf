"""What every service API shares: the app factory, error envelopes and the caller's identity."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Annotated

import fastapi
import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pocketstack.api.body_limit import BodyLimit
from pocketstack.api.request_id import RequestId
from pocketstack.errors import (
    LIBRARY_ERRORS,
    BadRequest,
    CloudError,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
    from_library,
)
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import token_cache, tokens
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)

ErrorRenderer = Callable[[CloudError], dict]


class JSONRoute(APIRoute):
    """A route whose dict or list result goes straight to JSON.

    FastAPI otherwise walks every value with ``jsonable_encoder``, which was ~80% of the
    time of a 100-server ``/servers/detail``. Views already return JSON-ready values.
    """

    def __init__(self, path: str, endpoint: Callable, **kwargs) -> None:
        super().__init__(path, _direct_json(endpoint, kwargs.get("status_code") or 200), **kwargs)


class FastJSONResponse(JSONResponse):
    """``JSONResponse`` rendered by orjson (same compact UTF-8 JSON, ~5x faster); what
    orjson refuses (e.g. an int beyond 64 bits) falls back to the standard encoder."""

    def render(self, content) -> bytes:
        try:
            return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            return super().render(content)


def _as_response(result, status: int):
    if isinstance(result, dict | list):
        return FastJSONResponse(result, status_code=status)
    return result


def _direct_json(endpoint: Callable, status: int) -> Callable:
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def respond_async(*args, **kwargs):
            return _as_response(await endpoint(*args, **kwargs), status)

        return respond_async

    @functools.wraps(endpoint)
    def respond(*args, **kwargs):
        return _as_response(endpoint(*args, **kwargs), status)

    return respond


def APIRouter(**kwargs) -> fastapi.APIRouter:
    return fastapi.APIRouter(route_class=JSONRoute, **kwargs)


def cloud_of(request: Request) -> Cloud:
    return request.app.state.cloud


async def _cloud_dependency(request: Request) -> Cloud:
    # Dependencies that never block are ``async``: FastAPI runs a plain ``def`` one in
    # the thread pool, a hop that cost more than the rest of a cached call.
    return request.app.state.cloud


CloudDep = Annotated[Cloud, Depends(_cloud_dependency)]


async def caller(request: Request) -> RequestContext:
    """The validated identity behind ``X-Auth-Token``; 401 without a live token.

    A token in the cache is answered on the event loop; only a miss (store queries)
    goes to the thread pool."""
    cached = getattr(request.state, "context", None)
    if cached is not None:
        return cached
    token = request.headers.get("x-auth-token")
    if not token:
        raise Unauthorized("The request you have made requires authentication.")
    digest = tokens.digest(token)
    context = token_cache.get(digest)
    if context is None:
        context = await run_in_threadpool(_validate, cloud_of(request), token)
        token_cache.put(digest, context)
    request.state.context = context
    return context


def _validate(cloud: Cloud, token: str) -> RequestContext:
    with cloud.db.session() as session:
        return tokens.context_for(session, token)


Caller = Annotated[RequestContext, Depends(caller)]


def _validation_message(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "Invalid input."
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())[1:] if part != "body")
    if first.get("type") == "json_invalid":
        return "Malformed request body: it is not valid JSON."
    return f"Invalid input for field/attribute {where or 'body'}: {first.get('msg', 'invalid')}"


def service_app(name: str, render: ErrorRenderer, *, openapi_url: str,
                streams_body: Callable[[dict], bool] = lambda _scope: False,
                request_id_header: bytes | None = None, **kwargs) -> FastAPI:
    """A FastAPI app for one service whose every error is rendered in ``render``'s envelope.

    Bodies are capped (``api/body_limit.py``) except on routes for which ``streams_body``
    is true, which cap their own streams.
    """
    app = FastAPI(title=f"pocketstack {name}", openapi_url=openapi_url, docs_url=None,
                  redoc_url=None, **kwargs)

    def respond(error: CloudError, headers: dict | None = None) -> Response:
        return JSONResponse(render(error), status_code=error.status, headers=headers)

    app.add_middleware(BodyLimit, respond=respond, exempt=streams_body)
    app.add_middleware(RequestId, extra_header=request_id_header)

    @app.exception_handler(CloudError)
    async def cloud_error(_request: Request, exc: CloudError) -> Response:
        headers = {"WWW-Authenticate": 'Keystone uri="/identity"'} if exc.status == 401 else None
        return respond(exc, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        return respond(BadRequest(_validation_message(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return respond(MethodNotAllowed("The method is not allowed for this resource."))
        if exc.status_code == 404:
            return respond(NotFound("The resource could not be found."))
        if exc.status_code == 400:  # e.g. a body that is not JSON, or nested too deep
            return respond(BadRequest(str(exc.detail)))
        error = CloudError(str(exc.detail))
        error.status = exc.status_code
        return respond(error)

    async def library_error(_request: Request, exc: Exception) -> Response:
        return respond(from_library(exc))

    for library_exception in LIBRARY_ERRORS:
        app.add_exception_handler(library_exception, library_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(CloudError("An unexpected error prevented the server from fulfilling "
                                  "your request."))

    return app


def quota_body(body) -> dict:
    """The ``{resource: limit}`` of a Neutron/Octavia-style ``{"quota": {...}}`` update."""
    values = body.get("quota") if isinstance(body, dict) else None
    if not isinstance(values, dict) or set(body) != {"quota"}:
        raise BadRequest('Invalid body: it must be {"quota": {resource: limit, ...}}.')
    return values
