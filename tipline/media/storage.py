"""The line's own storage for recordings and media: files encrypted with the data key, named by a random key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tipline.crypto import DataCipher


class EncryptedFileStore:
    def __init__(self, directory: Path, cipher: DataCipher) -> None:
        self.directory = directory
        self.cipher = cipher

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("storage keys are alphanumeric")
        return self.directory / key[:2] / key

    def put(self, content: bytes) -> str:
        key = secrets.token_hex(20)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            handle.write(self.cipher.encrypt(content))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        return self.cipher.decrypt(self._path(key).read_bytes())

    def exists(self, key: str) -> bool:
        return self._path(key).exists()
