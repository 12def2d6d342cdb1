"""A staff member as the templates and the structured data use them, and the checks of a
profile's fields: pure, no Pelican."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..images import Picture
from ..settings import is_email, is_international_phone


@dataclass
class Person:
    """One language version of a staff profile, as the templates use it."""

    id: str
    lang: str
    name: str
    role: str
    responsibilities: list[str]
    languages: list[str]
    email: str
    phone: str
    social: list[str]
    intro: str
    url: str
    vcard_url: str
    source_path: str
    photo: Picture | None = None
    posts: list[Any] = field(default_factory=list)


def split_list(value: Any) -> list[str]:
    """A metadata list written as ``a, b, c`` (or already a list)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def check_profile(meta: dict[str, Any], source: str, content_root: str
                  ) -> list[tuple[str, str, str]]:
    """(field, problem, fix) for a profile's metadata."""
    problems = []
    for name in ("role", "email", "phone", "photo"):
        if not meta.get(name):
            problems.append((name, f"no {name.capitalize()}",
                             f"add a line '{name.capitalize()}: ...' to the header"))
    if meta.get("email") and not is_email(str(meta["email"])):
        problems.append(("email", f"{meta['email']!r} is not an e-mail address",
                         "write it as name@example.com"))
    if meta.get("phone") and not is_international_phone(str(meta["phone"])):
        problems.append(("phone", f"phone {meta['phone']!r} is not in international form",
                         "start with + and the country code, e.g. +358 40 123 4567"))
    if meta.get("photo"):
        path = os.path.join(content_root, str(meta["photo"]))
        if not os.path.isfile(path):
            problems.append(("photo", f"photo {meta['photo']!r} does not exist",
                             f"put the image at {os.path.relpath(path, os.path.dirname(source))} "
                             f"or fix the path (relative to the content folder)"))
    return problems
