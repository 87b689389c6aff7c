"""Shanxing gateway: the only public entrance."""
from __future__ import annotations

from flask import Flask

from shanxing_common.config import Settings
from shanxing_common.web import create_service_app

from .config import GatewayConfig

SERVICE = "gateway"


def create_app(settings: Settings | None = None, config: GatewayConfig | None = None) -> Flask:
    from . import accesslog, edge, readiness
    from .api import blueprints, docs, forwarding, pages
    from .runtime import Gateway

    settings = settings or Settings.from_env(SERVICE)
    config = config or GatewayConfig.from_env()
    app = create_service_app(settings, title="Shanxing gateway", blueprints=blueprints(),
                             ready_checks=readiness.checks(config))
    ctx = app.extensions["shanxing"]
    ctx.extra["gateway"] = Gateway.build(settings, config, ctx.db)
    forwarding.register(app)
    for page in pages():
        app.register_blueprint(page)
    docs.register(app)
    _register_dependency_errors(app)
    edge.register(app, config)
    accesslog.register(app)
    return app


# Seconds a client is asked to wait when the gateway's Redis does not answer.
STORE_RETRY_AFTER_SECONDS = 5


def _register_dependency_errors(app: Flask) -> None:
    """A service the gateway itself needs (a merchant key from points, a credential check) that does
    not answer is 504, one that cannot be reached 502 — wherever in the request it happened. Redis
    not answering is 503: nonces and limits cannot be checked, so nothing is forwarded."""
    from shanxing_common.problems import Problem, problem_response

    from .adapters.redis_store import StoreUnavailable
    from .adapters.upstream import UpstreamTimeout, UpstreamUnavailable

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable):
        return problem_response(Problem(503, "the gateway cannot check nonces and rate limits right now",
                                        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}))

    @app.errorhandler(UpstreamTimeout)
    def upstream_timeout(exc: UpstreamTimeout):
        return problem_response(Problem(504, str(exc), service=exc.service))

    @app.errorhandler(UpstreamUnavailable)
    def upstream_unavailable(exc: UpstreamUnavailable):
        return problem_response(Problem(502, str(exc), service=exc.service))
