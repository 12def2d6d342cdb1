"""Content files as writers see them: ``Key: value`` header lines, a blank line, the text.

The ``new`` commands and ``init`` write such files and copy them for translation; they keep
the header's order and spelling, so a copied file reads like the writer's own.
"""

from __future__ import annotations

from ..multilingual.model import UNTRANSLATED_FIELD
from ..sources import FIELD

Fields = list[tuple[str, str]]  # (name as written, value), in file order


def split(text: str) -> tuple[Fields, str]:
    """The header fields and the body of a Markdown file."""
    fields: Fields = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = FIELD.match(line)
        if not match:  # the blank line after the header, or text without a header
            start = number + 1 if not line.strip() else number
            return fields, "\n".join(lines[start:]).strip("\n")
        fields.append((match.group(1), match.group(2).strip()))
    return fields, ""


def join(fields: Fields, body: str) -> str:
    header = "".join(f"{name}: {value}\n" for name, value in fields)
    return f"{header}\n{body.strip()}\n"


def get(fields: Fields, name: str) -> str | None:
    return next((value for key, value in fields if key.lower() == name.lower()), None)


def put(fields: Fields, name: str, value: str, after: str | None = None) -> Fields:
    """``fields`` with ``name`` set: replaced where it stands, else after ``after`` (or at the
    end)."""
    if get(fields, name) is not None:
        return [(key, value if key.lower() == name.lower() else old) for key, old in fields]
    position = next((n + 1 for n, (key, _) in enumerate(fields)
                     if after and key.lower() == after.lower()), len(fields))
    return [*fields[:position], (name, value), *fields[position:]]


def quote(body: str) -> str:
    """The text as a Markdown quotation, blank lines kept inside it."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines())


def untranslated_copy(text: str, lang: str, language: str, key: str | None = None) -> str:
    """A copy of a content file waiting for its ``lang`` translation: the same header with
    ``Lang:`` changed, ``Untranslated: yes`` (the translation report lists it as such), the
    translation key when the file's place does not give it, and the original text quoted
    under a ``TODO: translate`` marker (the audit reports it until it is gone)."""
    fields, body = split(text)
    fields = put(fields, "Lang", lang, after="Title")
    if key:
        fields = put(fields, "Translation-Key", key, after="Lang")
    fields = put(fields, UNTRANSLATED_FIELD, "yes", after="Lang")
    todo = (f"TODO: translate into {language} the header's texts (Title, Summary, Category, "
            f"Tags, Role: those it has) and the text quoted below, then delete the quotation "
            f"and the line '{UNTRANSLATED_FIELD}: yes'.")
    return join(fields, f"{todo}\n\n{quote(body)}" if body.strip() else todo)
