"""One-time redemption codes: 12 random digits, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import re
import secrets

CODE_DIGITS = 12
_CODE_RE = re.compile(r"^[0-9]{%d}$" % CODE_DIGITS)


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def normalise_code(raw: str) -> str:
    """Tills may send the digits grouped ("1234 5678 9012"); spaces and dashes are dropped."""
    return re.sub(r"[\s-]", "", raw or "")


def is_well_formed(code: str) -> bool:
    return bool(_CODE_RE.match(code))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()
