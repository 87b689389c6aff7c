"""GET /pos: the POS page of merchant staff (one HTML page, its script and its style; no CDN)."""
from __future__ import annotations

from .page_files import page_blueprint

blp = page_blueprint("pos", "/pos", "pos", ("pos.js", "pos.css"))
