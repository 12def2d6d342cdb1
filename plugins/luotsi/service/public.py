"""The public endpoints: the feedback form, its token, the invitation and unsubscribe pages,
the health check and the OpenAPI description.

A form is checked (size, encoding, origin, rate, time trap, fields), stored durably with its
mails in one transaction, and only then answered: a redirect to the site's thank-you page in
the form's language, or JSON for the in-page script. Anything wrong gets a 4xx with a message
per field in the form's language, and nothing is stored.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..forms import tokens
from ..forms.fields import LIMITS, MAX_BODY
from . import addresses, mail
from .bodies import BadRequest, read_urlencoded
from .openapi import openapi_document
from .state import Service, service_of, wants_json
from .validation import site_url_ok, validate_form

FEEDBACK_FIELDS = frozenset({*LIMITS, "privacy"})


async def read_form(request: Request, names: Collection[str] = FEEDBACK_FIELDS
                    ) -> dict[str, str]:
    """The form's known fields (the first value of each), refusing oversized bodies early."""
    form: dict[str, str] = {}
    for key, value in await read_urlencoded(request, MAX_BODY):
        if key in names:
            form.setdefault(key, value)
    return form


async def token(request: Request) -> Response:
    service = service_of(request)
    issued, question = tokens.issue(service.config.secret, service.site.question)
    return JSONResponse({"token": issued, "question": question.text if question else None},
                        headers={"Cache-Control": "no-store"})


async def submit(request: Request) -> Response:
    service = service_of(request)
    try:
        form = await read_form(request)
    except BadRequest as error:
        return service.answer(request, service.site.default_lang, error.status, error.key)
    lang = service.lang_of(form.get("lang", ""))
    if not service.origin_ok(request):
        return service.answer(request, lang, 403, "origin")
    trapped = await honeypot(service, request, form, lang)
    if trapped is not None:
        return trapped if trapped else success(service, request, lang, form)
    result = validate_form(form, list(service.site.topics), service.site.languages,
                           service.site.url)
    shown = {k: v for k, v in result.values.items() if k in LIMITS and k != "token"}
    shown["privacy"] = form.get("privacy", "")[:LIMITS["page"]]
    shown["booking"] = form.get("booking", "")[:LIMITS["booking"]]
    problem = token_problem(service, form)
    if problem == "confirm" and result.ok:  # no token: a visitor without JavaScript
        return service.answer(request, lang, 200 if not wants_json(request) else 422,
                              "confirm", shown)
    if problem:
        errors = dict(result.errors)
        if problem in ("question", "wrong_answer"):
            errors["answer"] = problem
        return service.answer(request, lang, 422, problem, shown, errors)
    if not result.ok:
        return service.answer(request, lang, 422, "fix_fields", shown, result.errors)
    values = result.values
    if form.get("booking"):
        booking = tokens.unseal(service.config.secret, "invite", form["booking"])
        if booking is None:
            return service.answer(request, lang, 422, "fix_fields", shown,
                                  {"message": "booking"})
        values["booking_id"] = str(booking["b"])
    if not service.rate.allow(service.client(request)):
        return service.answer(request, lang, 429, "rate", shown)
    gettext = service.catalogs[lang].gettext if lang in service.catalogs else (lambda s: s)
    updated = bool(values.get("booking_id")) and await run_in_threadpool(
        service.store.has_feedback_for, values["booking_id"])  # it replaces the first answer
    mails = mail.compose(values, service.site.topics[values["topic"]], service.site.name,
                         service.site.answer_within_hours, gettext,
                         f"{service.site.service_url}/admin/", updated=updated)
    await service.committer.add(values, mails)  # committed: on disk before we answer
    return success(service, request, lang, form)


async def honeypot(service: Service, request: Request, form: dict[str, str], lang: str
                   ) -> Response | bool | None:
    """None for a person's form. Only a bot fills the hidden field: its post is kept apart
    (never stored as a message, never mailed) and counted against the rate like any other;
    False means answer it as if accepted, a response is the refusal of one over the rate."""
    if not form.get("website", "").strip():
        return None
    if not service.rate.allow(service.client(request)):
        return service.answer(request, lang, 429, "rate")
    await run_in_threadpool(service.store.add_spam, "honeypot",
                            json.dumps(form, ensure_ascii=False))
    return False


def token_problem(service: Service, form: dict[str, str]) -> str | None:
    """The time trap (and question) of a form: None when its token is good."""
    return tokens.check(service.config.secret, form.get("token", ""), form.get("answer", ""),
                        service.config.min_seconds, service.config.max_seconds)


def success(service: Service, request: Request, lang: str, form: dict[str, str]) -> Response:
    message = service.gettext(lang, "thanks_helpful" if form.get("helpful") else "thanks")
    if "%(hours)s" in message:
        message = message % {"hours": service.site.answer_within_hours}
    if wants_json(request):
        return JSONResponse({"ok": True, "message": message}, status_code=201)
    page = form.get("page", "")
    query = urlencode({"from": page}) if site_url_ok(page, service.site.url) else ""
    target = service.site.thanks_url(lang) + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=303)


async def invited(request: Request) -> Response:
    """The form, pre-filled for the trip an invitation was about."""
    service = service_of(request)
    data = tokens.unseal(service.config.secret, "invite", request.query_params.get("t", ""))
    if data is None:
        return service.render_form_page(service.site.default_lang, {}, {}, "booking", 404)
    lang = service.lang_of(str(data.get("l", "")))
    values = {"topic": "booking" if "booking" in service.site.topics else "",
              "booking": request.query_params["t"],
              "privacy": "", "page": service.site.page_url(lang, "")}
    heading = service.gettext(lang, "invite_heading") % {"trip": data.get("t", "")}
    return service.render_form_page(lang, values, {}, "", 200, heading=heading)


def unsubscribe_target(service: Service, token: str) -> tuple[str, str] | None:
    """(address hash, language) of an unsubscribe token: a random one from the store, or a
    signed one of the links mailed before tokens were random (those still work)."""
    if not token or len(token) > 300:
        return None
    if "." not in token:
        return service.store.unsubscribe_link(token, service.config.retention_days)
    data = tokens.unseal(service.config.secret, "unsubscribe", token)
    return (addresses.hashed(str(data["e"])), str(data.get("l", ""))) if data else None


async def unsubscribe(request: Request) -> Response:
    """GET asks (link scanners must not unsubscribe anyone); POST does it, for good: the
    page's button, or a mail program's one-click POST (RFC 8058) to the link itself."""
    service = service_of(request)
    token_text = request.query_params.get("t", "")
    if request.method == "POST":
        try:
            pairs = await read_urlencoded(request, 4096, max_fields=4)
        except BadRequest as error:
            return service.render_form_page(service.site.default_lang, {}, {}, error.key,
                                            error.status)
        token_text = dict(pairs).get("t", token_text)
    target = await run_in_threadpool(unsubscribe_target, service, token_text)
    lang = service.lang_of(target[1] if target else "")
    if target is None:
        return service.render_form_page(lang, {}, {}, "booking", 404)
    done = request.method == "POST"
    if done:
        await run_in_threadpool(service.store.unsubscribe, target[0])
    return service.render(
        "feedback/unsubscribe.html", lang, token=token_text, done=done,
        action=f"{service.site.service_url}/unsubscribe",
        heading=service.gettext(lang, "unsubscribe_heading"),
        text=service.gettext(lang, "unsubscribed" if done else "unsubscribe_confirm"),
        button=service.gettext(lang, "unsubscribe_button"))


async def health(request: Request) -> Response:
    """Up, and the database answers; nothing about what it holds."""
    await run_in_threadpool(service_of(request).store.ping)
    return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(service_of(request).site.service_url))
