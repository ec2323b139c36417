"""Recording what Twilio holds for us, and asking a worker to bring it home."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline.crypto import DataCipher
from tipline.media.models import MediaItem, MediaKind


def register_media(
    session: Session,
    cipher: DataCipher,
    *,
    kind: MediaKind,
    twilio_sid: str,
    source_url: str,
    contact_id: int | None,
    case_id: int | None,
    content_type: str | None = None,
    duration_seconds: int | None = None,
) -> MediaItem:
    """Remember a recording or an MMS item (once per SID) and queue its download."""
    from tipline.media.tasks import fetch_media

    existing = session.scalar(select(MediaItem).where(MediaItem.twilio_sid == twilio_sid))
    if existing is not None:
        if existing.case_id is None and case_id is not None:
            existing.case_id = case_id
        return existing
    item = MediaItem(
        kind=kind,
        twilio_sid=twilio_sid,
        source_url_enc=cipher.encrypt(source_url),
        contact_id=contact_id,
        case_id=case_id,
        content_type=content_type,
        duration_seconds=duration_seconds,
    )
    session.add(item)
    session.flush()
    fetch_media.enqueue(session, media_id=item.id, key=f"fetch-media:{item.id}")
    return item


def register_recording(
    session: Session,
    cipher: DataCipher,
    params: Mapping[str, str],
    *,
    url: str,
    contact_id: int | None,
    case_id: int | None,
) -> MediaItem:
    """A recording Twilio reported (``RecordingUrl`` and, usually, ``RecordingSid``/``RecordingDuration``)."""
    duration = params.get("RecordingDuration", "")
    return register_media(
        session,
        cipher,
        kind=MediaKind.RECORDING,
        twilio_sid=params.get("RecordingSid") or url.rstrip("/").rsplit("/", 1)[-1],
        source_url=url,
        contact_id=contact_id,
        case_id=case_id,
        duration_seconds=int(duration) if duration.isdigit() else None,
    )
