"""A local, encrypted spool for what the fallback routes receive while the database is unreachable.

Each record is one file, written atomically and encrypted with the data key, so a crash never leaves half a
record and the disk never holds a number or a message in clear. Once the database is back, ``drain`` hands
each record to a handler that stores it; a record is deleted only after its handler's commit.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tipline.crypto import DataCipher, DecryptionError

log = logging.getLogger("tipline.spool")


@dataclass(frozen=True)
class SpoolRecord:
    kind: str
    received_at: str
    params: dict[str, list[str]]
    path: Path


class Spool:
    def __init__(self, directory: Path, cipher: DataCipher) -> None:
        self.directory = directory
        self.cipher = cipher

    def write(self, kind: str, params: dict[str, list[str]], received_at: datetime) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {"kind": kind, "received_at": received_at.isoformat(), "params": params}
        token = self.cipher.encrypt(json.dumps(document))
        name = f"{received_at.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex}"
        temporary = self.directory / f".{name}.tmp"
        final = self.directory / f"{name}.rec"
        with open(temporary, "wb") as handle:
            handle.write(token)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(final)
        return final

    def pending(self) -> Iterator[SpoolRecord]:
        if not self.directory.exists():
            return
        for path in sorted(self.directory.glob("*.rec")):
            try:
                document: dict[str, Any] = json.loads(self.cipher.decrypt(path.read_bytes()))
            except (DecryptionError, ValueError):
                log.error("spool record %s cannot be read with the configured keys; left in place", path.name)
                continue
            yield SpoolRecord(document["kind"], document["received_at"], document["params"], path)

    def drain(self, handle: Callable[[SpoolRecord], None]) -> int:
        """Give every readable record to ``handle`` (which must commit); delete it once handled. A record whose
        handling fails stays for the next round and does not hold back the records after it."""
        done = 0
        for record in self.pending():
            try:
                handle(record)
            except Exception as error:
                log.error("spool record %s not taken in yet (%s)", record.path.name, type(error).__name__)
                continue
            record.path.unlink(missing_ok=True)
            done += 1
        return done
