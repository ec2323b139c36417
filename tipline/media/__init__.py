"""Recordings and MMS media: fetched from Twilio into the line's own encrypted storage, then deleted there."""
