"""Taking spooled fallback records into the database once it is reachable again."""

from __future__ import annotations

from flask import Flask

from tipline.contacts.events import record_event, safe_params
from tipline.contacts.models import Channel, Contact, ContactStatus
from tipline.runtime import runtime
from tipline.spool import SpoolRecord


def ingest_spool(app: Flask) -> int:
    rt = runtime(app)

    def store(record: SpoolRecord) -> None:
        flat = {name: values[0] for name, values in record.params.items() if values}
        with rt.db.transaction() as session:
            contact = None
            sender = flat.get("From", "")
            if record.kind == "sms" and sender:
                contact = Contact(
                    channel=Channel.SMS,
                    caller_number_enc=rt.cipher.encrypt(sender),
                    caller_hash=rt.cipher.lookup_hash(sender),
                    status=ContactStatus.ACTIVE,
                )
                session.add(contact)
                session.flush()
            record_event(
                session,
                f"fallback.{record.kind}",
                contact_id=contact.id if contact else None,
                data={**safe_params(flat), "received_at": record.received_at},
                payload=flat.get("Body") or flat.get("RecordingUrl"),
                cipher=rt.cipher,
            )

    return rt.spool.drain(store)
