"""App-factory helpers every service uses: context, request ids, caller, health, metrics, errors."""
from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass, field

import structlog
from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api, Blueprint as SmorestBlueprint
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest, multiprocess)
from sqlalchemy import func, select
from webargs.flaskparser import FlaskParser

from . import internal_auth
from .config import Settings
from .db import Database
from .messaging.consumer import FeedFollower, Inbox
from .messaging.feed import feed_blueprint
from .messaging.outbox import tables
from .problems import register_error_handlers

REQUEST_ID_HEADER = "X-Request-Id"
log = logging.getLogger("shanxing.web")

REQUEST_LATENCY = Histogram("shanxing_http_request_seconds", "HTTP request latency",
                            ["service", "method", "endpoint", "status"])
REQUESTS = Counter("shanxing_http_requests_total", "HTTP requests", ["service", "method", "status"])


class Parser(FlaskParser):
    """Invalid input is 400 (API.md), not webargs' default 422."""

    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *args, **kwargs):
        # Given a class, webargs builds the schema (deep-copying every field) on each request;
        # one instance per route does the same work once: a marshmallow 4 schema keeps no
        # state between loads.
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    inbox: Inbox | None = None
    follower: FeedFollower | None = None
    extra: dict = field(default_factory=dict)

    def catch_up(self, producer: str) -> int:
        """Read a producer's feed now (a read-model miss may just be an event still in flight)."""
        if self.follower is None:
            return 0
        try:
            return self.follower.follow(producer)
        except Exception as exc:  # noqa: BLE001 - the miss is then answered as a miss
            log.warning("catch-up from %s failed: %s", producer, exc)
            return 0


def context(app: Flask | None = None) -> ServiceContext:
    from flask import current_app

    return (app or current_app).extensions["shanxing"]


def create_service_app(settings: Settings, *, title: str, handlers: dict | None = None,
                       blueprints=(), ready_checks=()) -> Flask:
    """A Flask app with the parts every service shares. ``handlers`` are its event handlers."""
    app = Flask(settings.service)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config.update(
        SHANXING_INTERNAL_KEY=settings.internal_key,
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    db = Database(settings.database_url)
    ctx = ServiceContext(settings=settings, db=db)
    if handlers:
        ctx.inbox = Inbox(settings.service, db, handlers, settings.max_delivery_attempts)
        ctx.follower = FeedFollower(ctx.inbox, settings.internal_key, settings.peers)
    app.extensions["shanxing"] = ctx

    api = Api(app)
    app.extensions["shanxing_api"] = api
    for bp in blueprints:
        api.register_blueprint(bp)
    app.register_blueprint(feed_blueprint)
    register_error_handlers(app)
    _register_request_hooks(app, settings.service)
    _register_ops_routes(app, ctx, ready_checks)
    return app


def _register_request_hooks(app: Flask, service: str) -> None:
    @app.before_request
    def _start():
        g.started = time.perf_counter()
        g.request_id = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=g.request_id)
        internal_auth.load_caller()

    @app.after_request
    def _finish(resp: Response):
        resp.headers[REQUEST_ID_HEADER] = getattr(g, "request_id", "")
        elapsed = time.perf_counter() - getattr(g, "started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_LATENCY.labels(service, request.method, endpoint, str(resp.status_code)).observe(elapsed)
        REQUESTS.labels(service, request.method, str(resp.status_code)).inc()
        if resp.status_code >= 500:
            log.error("request failed", extra={"path": request.path, "status": resp.status_code})
        return resp

    @app.teardown_request
    def _unbind(_exc):
        structlog.contextvars.unbind_contextvars("request_id")


def _register_ops_routes(app: Flask, ctx: ServiceContext, ready_checks) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=ctx.settings.service)

    @app.get("/readyz")
    def readyz():
        problems = {}
        try:
            ctx.db.ping()
        except Exception as exc:  # noqa: BLE001
            problems["database"] = str(exc)[:300]
        try:
            broker_ping(ctx.settings.broker_url)
        except Exception as exc:  # noqa: BLE001
            problems["broker"] = str(exc)[:300]
        for check in ready_checks:
            try:
                check()
            except Exception as exc:  # noqa: BLE001
                problems[getattr(check, "__name__", "check")] = str(exc)[:300]
        if problems:
            return jsonify(status="unavailable", service=ctx.settings.service, problems=problems), 503
        return jsonify(status="ready", service=ctx.settings.service)

    @app.get("/metrics")
    def metrics():
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
            body = generate_latest(registry)
        else:
            from prometheus_client import REGISTRY

            body = generate_latest(REGISTRY)
        body += _messaging_metrics(ctx)
        return Response(body, mimetype=CONTENT_TYPE_LATEST)


def _messaging_metrics(ctx: ServiceContext) -> bytes:
    """Outbox backlog and dead letters, read from the database at scrape time."""
    t = tables()
    svc = ctx.settings.service
    try:
        with ctx.db.read() as s:
            backlog = s.execute(select(func.count()).select_from(t.outbox)
                                .where(t.outbox.c.sent_at.is_(None))).scalar() or 0
            dead = s.execute(select(func.count()).select_from(t.delivery_failures)
                             .where(t.delivery_failures.c.dead == 1)).scalar() or 0
            failing = s.execute(select(func.count()).select_from(t.delivery_failures)
                                .where(t.delivery_failures.c.dead == 0)).scalar() or 0
            head = s.execute(select(t.outbox_head.c.position)).scalar() or 0
            cursors = s.execute(select(t.feed_cursors.c.producer, t.feed_cursors.c.position)).all()
    except Exception:  # noqa: BLE001 - metrics must not fail the scrape
        return b""
    lines = [
        "# HELP shanxing_outbox_backlog Outbox events not yet confirmed by the broker",
        "# TYPE shanxing_outbox_backlog gauge",
        f'shanxing_outbox_backlog{{service="{svc}"}} {backlog}',
        "# HELP shanxing_dead_letters Events parked after repeated handler failures",
        "# TYPE shanxing_dead_letters gauge",
        f'shanxing_dead_letters{{service="{svc}"}} {dead}',
        "# HELP shanxing_events_retrying Events whose handler failed and will be retried",
        "# TYPE shanxing_events_retrying gauge",
        f'shanxing_events_retrying{{service="{svc}"}} {failing}',
        "# HELP shanxing_outbox_head Position of the newest event in this service's feed",
        "# TYPE shanxing_outbox_head gauge",
        f'shanxing_outbox_head{{service="{svc}"}} {head}',
        "# HELP shanxing_feed_cursor Feed position this service has consumed up to, per producer "
        "(consumer lag = the producer's shanxing_outbox_head minus this)",
        "# TYPE shanxing_feed_cursor gauge",
        *(f'shanxing_feed_cursor{{service="{svc}",producer="{p}"}} {pos}' for p, pos in cursors),
    ]
    return ("\n".join(lines) + "\n").encode()


_broker_ok_until = 0.0


def broker_ping(url: str) -> None:
    """Is the broker reachable? Cached for 5 s so probes do not open a connection each time."""
    global _broker_ok_until
    if time.monotonic() < _broker_ok_until:
        return
    from kombu import Connection

    if url.startswith(("amqp://", "amqps://", "pyamqp://")):
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    else:
        with Connection(url, transport_options={"connect_args": {"timeout": 5}}) as conn:
            conn.default_channel  # noqa: B018 - opens the embedded store
    _broker_ok_until = time.monotonic() + 5
