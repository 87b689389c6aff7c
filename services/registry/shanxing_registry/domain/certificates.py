"""Service-record certificates (志愿服务记录证明): a snapshot of a volunteer's record that anyone
holding its verification code can check, showing only masked identity data."""
from __future__ import annotations

import secrets

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 31^16 ≈ 2^79: not guessable
PURPOSE_MAX = 100


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_verification_code(raw: str) -> str | None:
    """Upper-cased, spaces and dashes dropped (codes are printed in groups); None when it cannot
    be a code (the lookup then answers 404 without touching the database)."""
    value = raw.replace("-", "").replace(" ", "").upper()
    if len(value) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in value):
        return None
    return value


def grouped(code: str) -> str:
    """ABCD-EFGH-JKMN-PQRS, as printed."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
