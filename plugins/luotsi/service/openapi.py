"""OpenAPI 3.1 description of the public endpoints, for integrators and for fuzzing."""

from __future__ import annotations

from typing import Any

from ..forms.booking import BOOKING_LIMITS
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
    booking = {name: {"type": "string", "maxLength": limit}
               for name, limit in BOOKING_LIMITS.items()}
    html = {"text/html": {"schema": {"type": "string"}}}
    link = [{"name": "t", "in": "query", "required": True,
             "schema": {"type": "string", "maxLength": 100}}]
    accepted = {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "message": {"type": "string"},
        "reference": {"type": "string"}, "next": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Luotsi feedback service", "version": "2",
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
            "/booking": {"post": {
                "summary": "Send a booking request for a trip (or join its waiting list)",
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "properties": booking,
                        "required": ["lang", "trip", "token"]}}}},
                "responses": {
                    "201": {"description": "Stored durably with its reference; mails are "
                                           "queued; `next` is the request's own page",
                            "content": {"application/json": {"schema": accepted}}},
                    "303": {"description": "Stored; go to the request's own page"},
                    "200": {"description": "Confirmation step (no token yet), with the "
                                           "estimate", "content": html},
                    "400": refusal, "403": refusal, "404": refusal, "408": refusal,
                    "413": refusal, "415": refusal, "422": refusal, "429": refusal}}},
            "/booking/status": {"get": {
                "summary": "A booking request's own page, opened with its private link",
                "parameters": link,
                "responses": {"200": {"description": "The request and its timeline",
                                      "content": html},
                              "404": {"description": "Forged, expired or erased link",
                                      "content": html}}}},
            "/booking/cancel": {
                "get": {"summary": "Asks whether to cancel (changes nothing)",
                        "parameters": link,
                        "responses": {"200": {"description": "The question", "content": html},
                                      "404": {"description": "Not a valid link",
                                              "content": html},
                                      "409": {"description": "Can no longer be cancelled",
                                              "content": html}}},
                "post": {"summary": "Cancels the request (the page's button)",
                         "requestBody": {"required": True, "content": {
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object",
                                 "properties": {"t": {"type": "string", "maxLength": 100}}}}}},
                         "responses": {"200": {"description": "Cancelled", "content": html},
                                       "403": {"description": "Sent from a foreign origin",
                                               "content": html},
                                       "404": {"description": "Not a valid link",
                                               "content": html},
                                       "409": {"description": "Can no longer be cancelled",
                                               "content": html},
                                       "413": {"description": "Body too large"},
                                       "415": {"description": "Not a form"}}}},
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
