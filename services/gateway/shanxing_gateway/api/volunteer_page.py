"""GET /points: the volunteer's points page (balance, entries, a redemption code to show at the till).

Its QR image is fetched with the volunteer's token and shown from a blob: URL, so this page alone
also allows blob: images. The API stays under /api/v1/points: nothing here shadows it."""
from __future__ import annotations

from .page_files import page_blueprint

blp = page_blueprint("volunteer_page", "/points", "volunteer", ("volunteer.js", "volunteer.css"),
                     img_src="'self' blob:")
