"""SMS opt-outs: a number that said STOP gets nothing until it says START."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.contacts.models import SmsOptOut
from tipline.crypto import DataCipher


def is_opted_out(session: Session, cipher: DataCipher, number: str) -> bool:
    found = session.scalar(
        select(SmsOptOut).where(SmsOptOut.number_hash.in_(cipher.lookup_hashes(number)), SmsOptOut.opted_out)
    )
    return found is not None


def set_opt_out(
    session: Session, cipher: DataCipher, number: str, *, opted_out: bool, source: str, now: datetime
) -> None:
    row = session.scalar(select(SmsOptOut).where(SmsOptOut.number_hash.in_(cipher.lookup_hashes(number))))
    if row is None:
        row = SmsOptOut(number_hash=cipher.lookup_hash(number), opted_out=opted_out, source=source, changed_at=now)
        session.add(row)
    else:
        row.opted_out = opted_out
        row.source = source
        row.changed_at = now
    session.flush()
