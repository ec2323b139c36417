"""Personal data at rest: Fernet encryption with rotation (the first key encrypts, every key decrypts)
and keyed hashes for looking a value up without storing it in clear."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(RuntimeError):
    """No configured key opens this value (a key was removed before re-encryption)."""


class DataCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        self._fernets = [Fernet(key.encode()) for key in keys]
        self._multi = MultiFernet(self._fernets)
        self._hash_keys = [hashlib.sha256(b"tipline-lookup:" + key.encode()).digest() for key in keys]

    def encrypt(self, value: str | bytes) -> bytes:
        data = value.encode("utf-8") if isinstance(value, str) else value
        return self._multi.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._multi.decrypt(bytes(token))
        except InvalidToken as error:
            raise DecryptionError("no data key opens this value") from error

    def decrypt_text(self, token: bytes) -> str:
        return self.decrypt(token).decode("utf-8")

    def decrypt_optional(self, token: bytes | None) -> str | None:
        return None if token is None else self.decrypt_text(token)

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the first key (run by the key rotation job)."""
        return self._multi.rotate(bytes(token))

    def lookup_hash(self, value: str) -> str:
        """The keyed hash stored beside an encrypted value (first key)."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> list[str]:
        """The hash of ``value`` under every key, so look-ups still match during a rotation."""
        return [
            base64.b32encode(hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()).decode()[:40]
            for key in self._hash_keys
        ]
