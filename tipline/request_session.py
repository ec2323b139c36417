"""The database session of one HTTP request: opened on first use, rolled back unless committed, closed at
teardown. The view (or a wrapper such as ``once_per_step``) decides when to commit."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.orm import Session

from tipline.runtime import runtime


def request_session() -> Session:
    session: Session | None = g.get("db_session")
    if session is None:
        session = runtime().db.sessions()
        g.db_session = session
    return session


def close_request_session(_error: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_request_session)
