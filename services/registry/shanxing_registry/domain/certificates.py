"""Service-record certificates (志愿服务记录证明): a snapshot of a volunteer's record that anyone
holding its verification code can check, showing only masked identity data."""
from __future__ import annotations

import hashlib
import hmac
import json

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 31^16 ≈ 2^79: not guessable
PURPOSE_MAX = 100


def content_digest(content: dict) -> str:
    """SHA-256 of the certificate's printed content (canonical JSON): any change changes it."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def verification_code(key: str, certificate_id: str, digest: str) -> str:
    """HMAC-SHA256 over the certificate's id and content digest, written in CODE_ALPHABET: without
    the key no valid code can be made, and a code does not fit altered content."""
    mac = hmac.new(key.encode(), f"{certificate_id}\n{digest}".encode(), hashlib.sha256).digest()
    number, letters = int.from_bytes(mac, "big"), []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def code_matches(key: str, certificate_id: str, digest: str, code: str) -> bool:
    return hmac.compare_digest(verification_code(key, certificate_id, digest), code)


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
