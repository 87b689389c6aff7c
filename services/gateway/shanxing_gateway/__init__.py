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
                             ready_checks=readiness.checks())
    ctx = app.extensions["shanxing"]
    ctx.extra["gateway"] = Gateway.build(settings, config, ctx.db)
    forwarding.register(app)
    for page in pages():
        app.register_blueprint(page)
    docs.register(app)
    edge.register(app, config)
    accesslog.register(app)
    return app
