"""The API's description and who is asking."""

from __future__ import annotations

from flask import Response, jsonify

from tipline.api.registry import endpoint, openapi_document
from tipline.auth.current import acting_person


@endpoint("GET", "/openapi.json", summary="This API, described in OpenAPI 3.1", permission=None)
def openapi() -> Response:
    return jsonify(openapi_document())


@endpoint("GET", "/me", summary="The person the token belongs to", permission="roster.view")
def me() -> Response:
    person = acting_person()
    return jsonify(id=person.id, code=person.code, name=person.name, role=person.role, languages=person.languages)
