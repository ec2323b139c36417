"""The worker that downloads a recording or MMS item into encrypted storage, then deletes it at Twilio.

Both steps are idempotent: a re-run after the download does not download again, and deleting what Twilio no
longer has (404) counts as done."""

from __future__ import annotations

import requests
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from tipline.contacts.events import record_event
from tipline.media.models import MediaItem, MediaKind, MediaState
from tipline.media.storage import EncryptedFileStore
from tipline.outbox.sender import twilio_client
from tipline.runtime import runtime
from tipline.twilio_client import TIMEOUT_SECONDS, media_url
from workers.jobs import job


def media_store() -> EncryptedFileStore:
    rt = runtime()
    return EncryptedFileStore(rt.settings.instance_path / "media", rt.cipher)


class DownloadError(RuntimeError):
    """Twilio did not give us the media (the job retries with backoff)."""


def _download(item: MediaItem) -> tuple[bytes, str | None]:
    rt = runtime()
    url = rt.cipher.decrypt_text(item.source_url_enc)
    if item.kind == MediaKind.RECORDING and not url.endswith((".wav", ".mp3")):
        url += ".wav"
    response = requests.get(
        media_url(rt.settings, url),
        auth=(rt.settings.twilio_account_sid, rt.settings.twilio_auth_token),
        timeout=TIMEOUT_SECONDS,
        allow_redirects=True,  # Twilio answers media URLs with a redirect to its storage
    )
    if response.status_code != 200:
        raise DownloadError(f"media download answered {response.status_code}")
    return response.content, response.headers.get("Content-Type")


def _delete_remote(item: MediaItem) -> None:
    client = twilio_client()
    rt = runtime()
    url = rt.cipher.decrypt_text(item.source_url_enc)
    try:
        if item.kind == MediaKind.RECORDING:
            client.recordings(item.twilio_sid).delete()  # type: ignore[attr-defined]
        else:
            response = requests.delete(
                media_url(rt.settings, url),
                auth=(rt.settings.twilio_account_sid, rt.settings.twilio_auth_token),
                timeout=TIMEOUT_SECONDS,
            )
            if response.status_code not in (204, 404):
                raise DownloadError(f"media delete answered {response.status_code}")
    except TwilioRestException as error:
        if error.status != 404:
            raise


@job("media", max_attempts=10)
def fetch_media(session: Session, *, media_id: int) -> None:
    item = session.get(MediaItem, media_id)
    if item is None or item.state in (MediaState.DONE, MediaState.FAILED):
        return
    store = media_store()
    if item.state == MediaState.PENDING:
        session.commit()  # no transaction (and no lock) held while Twilio is asked for the file
        content, content_type = _download(item)
        item = session.get(MediaItem, media_id, with_for_update=True, populate_existing=True)
        if item is None or item.state != MediaState.PENDING:
            return  # another run stored it meanwhile
        item.storage_key = store.put(content)
        item.size_bytes = len(content)
        item.content_type = item.content_type or content_type
        item.state = MediaState.STORED
        session.commit()  # ours now: never download twice
    _delete_remote(item)
    item.state = MediaState.DONE
    record_event(
        session,
        f"media.{item.kind}.stored",
        contact_id=item.contact_id,
        case_id=item.case_id,
        data={"media_id": item.id, "bytes": item.size_bytes or 0},
    )
