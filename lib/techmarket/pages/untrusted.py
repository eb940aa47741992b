"""Text from ``data/`` is untrusted: this module is the one place where it becomes HTML.

``data/`` is where reviewers and contributors make changes, and the pages are shared as files and
opened in browsers, so a span, a publisher, an excerpt, a note, an address, a unit or a name must
never become live markup or a live link to anything but a web page:

- :func:`escape` turns any text into HTML text (also inside a quoted attribute value);
- :func:`markdown_text` turns it into Markdown that renders as that same text (HTML and Markdown
  punctuation both escaped), for prose that notebooks write as Markdown;
- :func:`link` makes a live link of a web address (``http:`` or ``https:`` with a host,
  :func:`techmarket.data.addresses.web_address`) and shows any other address as text;
- :func:`clean_html` runs HTML rendered from Markdown through a maintained sanitizer (nh3, the
  bindings to Rust's ammonia) with an allow-list of tags and attributes, as a second line of
  defence where Markdown from data is rendered.

The notebooks and ``lib/`` are code and trusted; what they write around escaped text is theirs.
"""
from __future__ import annotations

import html
import re

from techmarket.data.addresses import WEB_SCHEMES, web_address

# What Markdown rendered for a page may keep: prose, lists, tables, code, links, quotations and the
# language marks of Chinese terms; no scripts, no styles, no forms, no frames, no event handlers.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title"},
    "a": {"href", "hreflang"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]~|])")  # emphasis, code, links and images, strikethrough, tables
# What starts a heading, quotation or list at a line's start; of an ordered list's "1." only the
# punctuation can be escaped ("1\." renders as "1."; a backslash before a digit would be shown)
_LINE_START = re.compile(r"^(\d*)([#>+\-=.)])")


def escape(value: object) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>`` and both quotes escaped, so that it is safe as
    element content and inside a quoted attribute value."""
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """``value`` as Markdown that renders as exactly this text, inline: HTML escaped, line breaks
    made spaces, and Markdown's punctuation (emphasis, code, links, strikethrough, tables, and what
    would start a heading, quotation or list) backslash-escaped."""
    text = " ".join(str(value).split("\n")).replace("\r", " ")
    text = _INLINE_MARKUP.sub(r"\\\1", escape(text))
    return _LINE_START.sub(r"\1\\\2", text)


def link(address: object, label_html: str | None = None, **attributes: str) -> str:
    """A live link to ``address`` if it is a web address (:func:`web_address`), else the address
    shown as text. ``label_html`` is trusted HTML (made by code, with any data in it escaped);
    without it the address itself is the label."""
    url = web_address(address)
    label = label_html if label_html is not None else escape(address)
    if url is None:
        return label if label_html is None else f"{label} ({escape(address)})"
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attributes.items())
    return f'<a href="{escape(url)}"{extra}>{label}</a>'


def clean_html(fragment: str) -> str:
    """``fragment`` (HTML rendered from Markdown) with only the allowed tags and attributes left,
    links only to web addresses or within the package (relative), script and style elements
    removed with their content."""
    import nh3

    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
                     clean_content_tags={"script", "style"}, url_schemes=set(WEB_SCHEMES), link_rel=None,
                     strip_comments=True)
