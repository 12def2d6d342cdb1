"""OpenAPI 3.1 description of the public endpoints, for integrators and for fuzzing."""

from __future__ import annotations

from typing import Any

from ..forms.fields import LIMITS


def openapi_document(server_url: str) -> dict[str, Any]:
    fields = {name: {"type": "string", "maxLength": limit} for name, limit in LIMITS.items()}
    fields["helpful"] = {"type": "string", "enum": ["yes", "no"]}
    fields["privacy"] = {"type": "string", "maxLength": LIMITS["page"]}
    answer = {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        "token": {"type": "string"}, "question": {"type": ["string", "null"]}}}
    refusal = {"description": "Refused; nothing was stored. `message` and `errors` are in "
                              "the form's language.",
               "content": {"application/json": {"schema": answer},
                           "text/html": {"schema": {"type": "string"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Luotsi feedback service", "version": "1",
                 "description": "Public endpoints of the feedback service. Send "
                                "`Accept: application/json` for JSON answers; otherwise "
                                "answers are HTML pages and redirects (forms without "
                                "JavaScript)."},
        "servers": [{"url": server_url}],
        "paths": {
            "/feedback/token": {"get": {
                "summary": "A signed time-trap token (and the question, when one is asked)",
                "responses": {"200": {"description": "A token", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "token": {"type": "string"},
                        "question": {"type": ["string", "null"]}}}}}}}}},
            "/feedback": {"post": {
                "summary": "Send a message or a 'was this page helpful' vote",
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "properties": fields,
                        "required": ["lang", "token"]}}}},
                "responses": {
                    "201": {"description": "Stored durably; mails are queued",
                            "content": {"application/json": {"schema": answer}}},
                    "303": {"description": "Stored; go to the thank-you page"},
                    "200": {"description": "Confirmation step (no token yet)",
                            "content": {"text/html": {"schema": {"type": "string"}}}},
                    "400": refusal, "403": refusal, "408": refusal, "413": refusal,
                    "415": refusal, "422": refusal, "429": refusal}}},
            "/q/{code}": {"get": {
                "summary": "A QR code's short link: counts the scan and redirects",
                "parameters": [{"name": "code", "in": "path", "required": True,
                                "schema": {"type": "string", "maxLength": 32}}],
                "responses": {"302": {"description": "To the page, with campaign parameters"},
                              "404": {"description": "Unknown code",
                                      "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/healthz": {"get": {"summary": "Liveness and database check; tells nothing about "
                                            "what is stored", "responses": {
                "200": {"description": "Up", "content": {"application/json": {"schema": {
                    "type": "object"}}}}}}},
        },
    }
