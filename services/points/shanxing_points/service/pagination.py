"""Opaque list cursors: base64url of a small JSON value (clients only pass them back)."""
from __future__ import annotations

import base64
import binascii
import json

from ..domain.errors import InvalidInput


def encode_cursor(value) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None):
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidInput("not a cursor this list gave out", field="cursor") from None
