"""vCard 4.0 (RFC 6350) text for one person, so a visitor can save a contact in one tap."""

from __future__ import annotations


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,")
            .replace(";", "\\;"))


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 6350 §3.2)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start = [], 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def vcard(name: str, title: str, org: str, email: str, phone: str, url: str,
          photo_url: str | None = None, lang: str | None = None, version: str = "4.0") -> str:
    """The downloadable card is vCard 4.0; ``version="3.0"`` gives the compact form that phone
    cameras import from a QR code (no photo, which would make the code too dense)."""
    given, _, family = name.partition(" ")
    modern = version == "4.0"
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{version}",
        f"FN:{_escape(name)}",
        f"N:{_escape(family)};{_escape(given)};;;",
        f"TITLE:{_escape(title)}",
        f"ORG:{_escape(org)}",
        f"EMAIL;TYPE=work:{email}" if modern else f"EMAIL;TYPE=INTERNET,WORK:{email}",
        f"TEL;VALUE=uri;TYPE=work,voice:tel:{phone.replace(' ', '')}" if modern
        else f"TEL;TYPE=WORK,VOICE:{phone.replace(' ', '')}",
        f"URL:{url}",
    ]
    if photo_url and modern:
        lines.append(f"PHOTO;MEDIATYPE=image/jpeg:{photo_url}")
    if lang and modern:
        lines.append(f"LANG:{lang}")
    lines.append("END:VCARD")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
