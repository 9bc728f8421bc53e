"""The application factory."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from pivgm import __version__
from pivgm.catalog import Catalog
from pivgm.catalog.published import PublishedData
from pivgm.platform import Platform
from pivgm.settings import Settings
from pivgm.web import api_docs
from pivgm.web.conditional import ConditionalRequests
from pivgm.web.cross_origin import CrossOrigin
from pivgm.web.errors import install_error_handlers
from pivgm.web.headers import ResponseHeaders
from pivgm.web.routers import api, auth, explorer, mirrors, pages, quality, review, routes, sdmx, submissions, upload
from pivgm.web.static_files import PrecompressedStaticFiles
from pivgm.workflow.jobs import start_job_server

if TYPE_CHECKING:
    from starlette.types import ASGIApp

STATIC_DIR = Path(__file__).resolve().parent / "static"
COMPRESS_LEVEL = 1


class PivgmApp(FastAPI):
    """FastAPI with :class:`ResponseHeaders` wrapped around its whole middleware stack, Starlette's own error
    middleware included: the 500 that middleware writes for an uncaught error, and every other answer the
    framework writes itself, carry the security and caching headers too (``add_middleware`` would put it
    inside)."""

    behind_tls = False

    def build_middleware_stack(self) -> ASGIApp:
        return ResponseHeaders(super().build_middleware_stack(), behind_tls=self.behind_tls)


def create_app(settings: Settings) -> FastAPI:
    """Build the app for one data directory; settings come from the caller, never from import time."""
    platform = Platform.open(settings)
    app = PivgmApp(
        title="PIVGM API",
        version=__version__,
        description="Official migration statistics of Mexico, Central America and the Caribbean: "
        "dataflows (SDMX-style structures) and their published observations.",
        openapi_url=api_docs.OPENAPI_URL,
        docs_url=None,  # served by api_docs from the package's own files, with a script nonce
        redoc_url=None,
    )
    app.state.platform = platform  # the supply side: submissions, review, accounts
    app.state.catalog = Catalog(PublishedData(platform))  # the public side: published releases only
    # Pages and data travel compressed. Level 1 (nginx's default for dynamic answers): a 350 kB country page
    # compresses in a third of level 6's time, on the event loop, for about a fifth more bytes.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=COMPRESS_LEVEL)
    app.add_middleware(ConditionalRequests)  # validators and 304s of public reads, before any query runs
    app.add_middleware(CrossOrigin)  # CORS on every answer of the read API, OPTIONS and HEAD
    app.behind_tls = settings.secure_cookies  # ResponseHeaders, outermost: every answer, errors included
    install_error_handlers(app)
    app.include_router(api_docs.router)
    app.include_router(api.router)
    app.include_router(submissions.router)
    app.include_router(review.router)
    app.include_router(submissions.pages)
    app.include_router(review.pages)
    app.include_router(upload.router)
    app.include_router(sdmx.router)
    app.include_router(explorer.router)
    app.include_router(mirrors.router)
    app.include_router(routes.router)
    app.include_router(quality.router)
    app.include_router(pages.router)
    app.include_router(auth.router)
    app.mount("/static", PrecompressedStaticFiles(directory=STATIC_DIR), name="static")
    return app


def create_app_from_environment() -> FastAPI:
    """Entry point for ``uvicorn --factory`` (one call per worker process)."""
    settings = Settings()
    app = create_app(settings)
    start_job_server()  # each worker's upload jobs are forked from it
    # What start-up made (modules, the standard, templates) lives as long as the worker: kept out of the
    # collector's full passes, which otherwise walked some 200,000 objects for about 85 ms, a pause every few
    # hundred requests.
    gc.collect()
    gc.freeze()
    return app
