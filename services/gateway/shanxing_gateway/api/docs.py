"""GET /openapi.json (the merged document) and GET /docs (a self-contained page listing it)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from flask import Flask, jsonify, render_template_string

from ..adapters.upstream import UpstreamError
from ..openapi import merge, operations
from ..runtime import Gateway, gateway

SERVICES = ("registry", "activities", "points")


def fetch_service_document(gw: Gateway, service: str) -> dict | None:
    try:
        response = gw.upstreams.request(service, "GET", "/openapi.json",
                                        headers={"Accept": "application/json"},
                                        read_timeout=gw.config.ready_timeout_seconds)
        if response.status_code != 200:
            return None
        document = response.json()
        return document if isinstance(document, dict) else None
    except (UpstreamError, ValueError):
        return None


def merged_document(app: Flask) -> dict:
    gw = gateway()
    own = app.extensions["shanxing_api"].spec.to_dict()
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        documents = dict(zip(SERVICES, pool.map(lambda s: fetch_service_document(gw, s), SERVICES)))
    return merge(own, documents)


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.info.title }}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2rem}
table{border-collapse:collapse;width:100%}td{padding:.3rem .5rem;vertical-align:top;border-bottom:1px solid #eee}
.m{font:bold 13px monospace;padding:.1rem .4rem;border-radius:3px;color:#fff;background:#555}
.GET{background:#2a7}.POST{background:#27c}.PUT,.PATCH{background:#c80}.DELETE{background:#c33}
code{font-size:14px}.auth{color:#666;font-size:13px}.warn{background:#fee;padding:.5rem;border:1px solid #c99}
</style></head><body>
<h1>{{ doc.info.title }}</h1>
<p>{{ doc.info.description }} The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
{% if doc["x-unavailable"] %}<p class="warn">Not listed because they did not answer:
{{ doc["x-unavailable"] | join(", ") }}.</p>{% endif %}
{% for tag, ops in groups %}
<h2>{{ tag }}</h2>
<table>{% for op in ops %}
<tr><td><span class="m {{ op.method }}">{{ op.method }}</span></td><td><code>{{ op.path }}</code></td>
<td>{{ op.summary }}</td><td class="auth">{{ op.auth }}</td></tr>{% endfor %}
</table>
{% endfor %}
</body></html>
"""


def register(app: Flask) -> None:
    def openapi_json():
        return jsonify(merged_document(app))

    # flask-smorest serves the gateway's own document at /openapi.json; serve the merged one there.
    app.view_functions["api-docs.openapi_json"] = openapi_json

    @app.get("/docs")
    def docs():
        document = merged_document(app)
        ordered = sorted(operations(document), key=lambda op: (op["tag"].lower(), op["path"], op["method"]))
        groups = [(tag, list(ops)) for tag, ops in groupby(ordered, key=lambda op: op["tag"])]
        return render_template_string(DOCS_PAGE, doc=document, groups=groups)
