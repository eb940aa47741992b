"""Which addresses in data/ are web addresses: only an ``http:`` or ``https:`` address with a host
(and no spaces or control characters) may become a live link on a page; ``check-data`` reports
any other (:func:`techmarket.data.paper_checks.addresses_not_on_the_web`).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def web_address(address: object) -> str | None:
    """``address`` if it is an ``http:``/``https:`` address with a host (and no spaces or control
    characters), else None: only these become live links."""
    text = str(address).strip()
    if not text or _CONTROL.search(text) or " " in text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else None
