"""GET /pos: the POS page of merchant staff (one HTML page, its script and its style; no CDN)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from flask import Blueprint, Response

blp = Blueprint("pos", __name__)

FILES = {"index.html": "text/html", "pos.js": "text/javascript", "pos.css": "text/css"}
# Everything from this origin only; no inline script; the page may not be framed (clickjacking).
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@lru_cache(maxsize=None)
def _read(name: str) -> bytes:
    return resources.files("shanxing_gateway").joinpath("pos", name).read_bytes()


def _serve(name: str) -> Response:
    return Response(_read(name), mimetype=FILES[name], headers=HEADERS)


@blp.route("/pos", methods=["GET"])
def page():
    return _serve("index.html")


@blp.route("/pos/<any(\"pos.js\", \"pos.css\"):name>", methods=["GET"])
def asset(name: str):
    return _serve(name)
