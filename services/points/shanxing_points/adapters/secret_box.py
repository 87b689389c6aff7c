"""Merchant key secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The Fernet key is derived with HKDF from SHANXING_POINTS_SECRET_KEY, so any long random string
works as the setting. Changing the setting makes the stored secrets unreadable: rotate keys then.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"shanxing-points merchant key secrets v1"


class SecretBox:
    def __init__(self, master_secret: str):
        if len(master_secret) < 16:
            raise ValueError("SHANXING_POINTS_SECRET_KEY must be at least 16 characters")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            master_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken as exc:
            raise RuntimeError("a merchant key secret cannot be decrypted with the configured "
                               "SHANXING_POINTS_SECRET_KEY") from exc
