"""ID numbers at rest: AES-256-GCM ciphertext plus a keyed HMAC-SHA256 for uniqueness.

Keys come from configured secrets (any high-entropy string); the AES key is derived with HKDF.
Each ciphertext names the key it was made with, so an old key kept for decryption only
(SHANXING_REGISTRY_ID_KEY_OLD) still opens old rows while new ones use the current key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "v1"
_ASSOCIATED_DATA = b"shanxing-registry/id_number/v1"
_NONCE_BYTES = 12


class UnknownKey(LookupError):
    """The ciphertext was made with a key that is no longer configured."""


class _Key:
    def __init__(self, secret: str):
        material = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                        info=b"shanxing-registry id_number aes-256-gcm").derive(secret.encode())
        self.aead = AESGCM(material)
        self.key_id = hashlib.sha256(b"key-id:" + material).hexdigest()[:12]


class IdNumberVault:
    def __init__(self, encryption_secret: str, hash_secret: str, old_encryption_secrets=()):
        self._current = _Key(encryption_secret)
        self._keys = {self._current.key_id: self._current}
        for old in old_encryption_secrets:
            key = _Key(old)
            self._keys.setdefault(key.key_id, key)
        self._hash_key = hash_secret.encode()

    @property
    def current_key_id(self) -> str:
        return self._current.key_id

    def encrypt(self, id_number: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._current.aead.encrypt(nonce, id_number.encode(), _ASSOCIATED_DATA)
        return f"{FORMAT}.{self._current.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def encrypt_many(self, id_numbers: list[str]) -> list[str]:
        """As encrypt, for a batch: one call for all the nonces (a random read per row costs more
        than the encryption)."""
        randomness = os.urandom(_NONCE_BYTES * len(id_numbers))
        seal, prefix = self._current.aead.encrypt, f"{FORMAT}.{self._current.key_id}."
        tokens = []
        for index, id_number in enumerate(id_numbers):
            nonce = randomness[index * _NONCE_BYTES:(index + 1) * _NONCE_BYTES]
            sealed = seal(nonce, id_number.encode(), _ASSOCIATED_DATA)
            tokens.append(prefix + base64.urlsafe_b64encode(nonce + sealed).decode())
        return tokens

    def decrypt(self, token: str) -> str:
        fmt, key_id, payload = token.split(".", 2)
        if fmt != FORMAT:
            raise ValueError(f"unknown ciphertext format {fmt!r}")
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no configured key has id {key_id}")
        raw = base64.urlsafe_b64decode(payload)
        return key.aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _ASSOCIATED_DATA).decode()

    def needs_reencryption(self, token: str) -> bool:
        return token.split(".", 2)[1] != self._current.key_id

    def fingerprint(self, id_number: str) -> str:
        """Equal ID numbers give equal fingerprints; without the key nothing can be guessed from it."""
        return hmac.digest(self._hash_key, id_number.encode(), "sha256").hex()
