"""Serving the gateway's own pages (the POS page, the volunteer's points page): one HTML page, its
script and style from a folder of this package, plus the script and style the pages share
(`shared/`), each under the page's own path. No CDN, nothing from another origin."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from flask import Blueprint, Response

SHARED_FOLDER = "shared"
SHARED_FILES = ("page.js", "page.css")
TYPES = {"html": "text/html", "js": "text/javascript", "css": "text/css"}


def security_headers(img_src: str = "'self'") -> dict[str, str]:
    """Everything from this origin only (images also from `img_src`); no inline script or style; the
    page may not be framed (clickjacking), leaks no referrer and is revalidated on every visit."""
    return {
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                   f"img-src {img_src}; form-action 'none'; frame-ancestors 'none'; "
                                   "base-uri 'none'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


@lru_cache(maxsize=None)
def _read(folder: str, name: str) -> bytes:
    return resources.files("shanxing_gateway").joinpath(folder, name).read_bytes()


def page_blueprint(name: str, url: str, folder: str, assets: tuple[str, ...], *,
                   img_src: str = "'self'") -> Blueprint:
    """`GET url` serves `folder/index.html`; `GET url/<asset>` one of `assets` (from `folder`) or a
    shared file; any other name under `url` is 404."""
    headers = security_headers(img_src)
    folders = {asset: folder for asset in assets} | {shared: SHARED_FOLDER for shared in SHARED_FILES}

    def serve(file: str) -> Response:
        return Response(_read(folders.get(file, folder), file), mimetype=TYPES[file.rsplit(".", 1)[1]],
                        headers=headers)

    blp = Blueprint(name, __name__)
    blp.add_url_rule(url, "page", lambda: serve("index.html"), methods=["GET"])
    names = ", ".join(f'"{file}"' for file in folders)
    blp.add_url_rule(f"{url}/<any({names}):file>", "asset", serve, methods=["GET"])
    return blp
