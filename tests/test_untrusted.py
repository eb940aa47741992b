"""Text from data/ becomes HTML only through techmarket.pages.untrusted, and every page carries a
Content-Security-Policy that pins its inline scripts (techmarket.pages.shell). Literal examples of
what a hostile contributor might write, and properties over generated text (hypothesis)."""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techmarket.data.addresses import web_address
from techmarket.data.paths import PROJ_ROOT
from techmarket.pages import shell, untrusted


class Parsed(HTMLParser):
    """Elements, attributes and visible text of an HTML fragment, as a browser's parser sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def visible(self) -> str:
        return " ".join("".join(self.text).split())


# --- escape ---------------------------------------------------------------------------------
def test_escape_makes_markup_text_in_content_and_in_attributes():
    assert untrusted.escape('<script>alert("x")</script> & \'q\'') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;")
    page = f'<p title="{untrusted.escape(chr(34) + " onmouseover=alert(1) x=" + chr(34))}">ok</p>'
    (tag, attrs), = Parsed(page).tags
    assert tag == "p" and set(attrs) == {"title"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_escaped_text_is_parsed_back_as_the_same_text_and_no_element(text):
    parsed = Parsed(f"<p>{untrusted.escape(text)}</p>")
    assert [t for t, _ in parsed.tags] == ["p"]
    assert "".join(parsed.text) == text


# --- Markdown text --------------------------------------------------------------------------
def _rendered(markdown: str) -> Parsed:
    from nbconvert.filters.markdown import markdown2html

    return Parsed(markdown2html(markdown))


def test_markdown_text_shows_link_emphasis_code_and_html_as_text():
    hostile = "[click](javascript:alert(1)) *bold* `code` <img src=x onerror=alert(1)> | a | ~~gone~~"
    parsed = _rendered(f"Publisher: {untrusted.markdown_text(hostile)}.")
    assert [t for t, _ in parsed.tags] == ["p"]
    assert parsed.visible() == f"Publisher: {hostile}."


def test_markdown_text_cannot_start_a_heading_list_or_quotation():
    for start in ("# heading", "> quoted", "- item", "1. item", "+ item"):
        parsed = _rendered(untrusted.markdown_text(start))
        assert [t for t, _ in parsed.tags] == ["p"], (start, parsed.tags)
        assert parsed.visible() == start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
               max_size=30))
def test_any_text_in_markdown_renders_as_itself(text):
    parsed = _rendered(f"Text: {untrusted.markdown_text(text)} end")
    assert {t for t, _ in parsed.tags} <= {"p", "a"}  # a bare web address may be linked, as text
    assert all(web_address(a.get("href", "")) for t, a in parsed.tags if t == "a")
    assert parsed.visible() == " ".join(f"Text: {text} end".split())


# --- addresses and links --------------------------------------------------------------------
@pytest.mark.parametrize("address", [
    "https://m.mp.oeeee.com/a/BAAFRD000020210225444129.html", "http://www.gd.gov.cn/x?a=1&b=2", "HTTPS://EXAMPLE.ORG",
])
def test_web_addresses_are_allowed(address):
    assert web_address(address) == address


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x",
    "http://", "https:///path", "javascript&#58;alert(1)", "https://a b.org", "https://a.org/\x00", "", "mailto:a@b.c",
])
def test_other_addresses_are_refused(address):
    assert web_address(address) is None


def test_a_link_is_live_only_for_a_web_address():
    live = Parsed(untrusted.link("https://a.org/?q=1&r=\"2\"", "read", rel="noreferrer")).tags
    assert live == [("a", {"href": 'https://a.org/?q=1&r="2"', "rel": "noreferrer"})]
    shown = Parsed(untrusted.link("javascript:alert(1)", "where it was read"))
    assert shown.tags == [] and shown.visible() == "where it was read (javascript:alert(1))"
    assert Parsed(untrusted.link('javascript:"><script>x</script>')).tags == []


# --- the sanitizer --------------------------------------------------------------------------
def test_clean_html_keeps_prose_and_removes_what_runs():
    dirty = ('<h2 id="x">Title<a class="anchor-link" href="#x">¶</a></h2><p onclick="alert(1)">a '
             '<span lang="zh">中文</span><script>alert(1)</script><style>p{}</style>'
             '<a href="javascript:alert(1)">j</a><a href="https://a.org">w</a><img src=x onerror=alert(1)>'
             '<iframe src="https://a.org"></iframe><form action="https://a.org"><input></form></p>')
    parsed = Parsed(untrusted.clean_html(dirty))
    # (the form closes the paragraph, as in a browser: its closing tag then opens an empty one)
    assert [t for t, _ in parsed.tags] == ["h2", "a", "p", "span", "a", "a", "p"]
    assert parsed.tags[1][1] == {"class": "anchor-link", "href": "#x"}
    assert parsed.tags[4][1] == {} and parsed.tags[5][1] == {"href": "https://a.org"}
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a)
    assert "alert" not in parsed.visible()


# --- the policy of every page ---------------------------------------------------------------
def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_the_policy_pins_each_inline_script_and_allows_nothing_else():
    page = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>' \
           "<script>var a = 1;</script><p>x</p><script>\nvar b = 2;\n</script></body></html>"
    policy = shell.content_security_policy(page)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == f"{_sha256('var a = 1;')} {_sha256(chr(10) + 'var b = 2;' + chr(10))}"
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'none'"
    assert directives["img-src"] == "data:" and directives["font-src"] == "data:"
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]
    secured = shell.with_csp(page)
    assert secured.index('<meta charset="utf-8">') < secured.index("Content-Security-Policy") < secured.index("<title>")
    assert shell.content_security_policy("<p>no script</p>").count("script-src 'none'") == 1


def test_a_script_from_an_address_is_refused():
    with pytest.raises(shell.UnsafePage, match="source address"):
        shell.content_security_policy('<script src="https://evil.example/x.js"></script>')


# --- one helper -----------------------------------------------------------------------------
def test_no_module_escapes_html_or_renders_tables_unescaped_on_its_own():
    lib = PROJ_ROOT / "lib" / "techmarket"
    own = {"untrusted.py"}
    offenders = []
    for path in sorted(lib.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name not in own and re.search(r"\bhtml\.escape\(|markupsafe|escape\s*=\s*False", text):
            offenders.append(str(path.relative_to(lib)))
    assert not offenders, f"escape text through techmarket.pages.untrusted instead: {offenders}"
