"""Recordings and MMS media come home into encrypted storage, then are deleted at Twilio."""

from __future__ import annotations

from flask import Flask

from tipline.media.models import MediaItem, MediaKind, MediaState
from tipline.media.services import register_media
from tipline.media.tasks import media_store
from tipline.runtime import runtime
from tipline.simulate.fake_twilio_api import FakeTwilioApi
from workers.jobs import run_due_jobs


def register(app: Flask, kind: MediaKind, sid: str, url: str) -> int:
    rt = runtime(app)
    with app.app_context(), rt.db.transaction() as session:
        item = register_media(
            session, rt.cipher, kind=kind, twilio_sid=sid, source_url=url, contact_id=None, case_id=None
        )
        return item.id


def stored(app: Flask, media_id: int) -> MediaItem:
    with runtime(app).db.sessions() as session:
        item = session.get(MediaItem, media_id)
        assert item is not None
        return item


def test_a_recording_is_stored_encrypted_and_deleted_at_twilio(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    recording_sid, url = fake_twilio.add_recording("CA" + "d" * 32, duration=12)
    media_id = register(twilio_app, MediaKind.RECORDING, recording_sid, url)
    again = register(twilio_app, MediaKind.RECORDING, recording_sid, url)
    assert again == media_id
    run_due_jobs(twilio_app)
    item = stored(twilio_app, media_id)
    assert item.state == MediaState.DONE
    assert item.storage_key is not None and item.size_bytes
    assert not fake_twilio.recording_exists(recording_sid)
    with twilio_app.app_context():
        store = media_store()
        content = store.get(item.storage_key)
        raw = next(store.directory.rglob(item.storage_key)).read_bytes()
    assert len(content) == item.size_bytes
    assert content not in raw


def test_mms_media_is_stored_and_deleted(twilio_app: Flask, fake_twilio: FakeTwilioApi) -> None:
    url = fake_twilio.add_media("SM" + "e" * 32, "image/jpeg")
    media_id = register(twilio_app, MediaKind.MMS, "ME" + "f" * 32, url)
    run_due_jobs(twilio_app)
    item = stored(twilio_app, media_id)
    assert item.state == MediaState.DONE
    assert item.content_type == "image/jpeg"
    assert fake_twilio.requests_to("Media", "DELETE")
