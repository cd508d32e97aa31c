"""EVE markup is cleaned with an allow-list before it reaches a page."""

import pytest

from django.utils.safestring import SafeString

from memberaudit.markup import eve_markup_to_text, sanitize_eve_markup, sanitize_eve_markup_html

HOSTILE_INPUTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<b onmouseover="alert(1)">x</b>',
    '<font color="red" onclick="alert(1)">x</font>',
    '<span style="background:url(javascript:alert(1))">x</span>',
    '<span style="width: expression(alert(1))">x</span>',
    '<font color="red;background:url(javascript:alert(1))">x</font>',
    '<font color="expression(alert(1))" size="expression(alert(1))">x</font>',
    "<font color='\"><script>alert(1)</script>'>x</font>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<base href="javascript:alert(1)//">',
    '<a href="showinfo:1377//1" onclick="alert(1)">x</a>',
    '<div onclick="alert(1)">x</div>',
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">x</p>',
    '<a href="//evil.example/">x</a>',
]


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_should_remove_everything_executable(hostile):
    cleaned = sanitize_eve_markup(hostile).lower()

    assert "<script" not in cleaned
    assert "javascript:" not in cleaned
    assert "vbscript:" not in cleaned
    assert "data:" not in cleaned
    assert "expression(" not in cleaned
    assert "url(" not in cleaned
    assert "onerror" not in cleaned
    assert "onclick" not in cleaned
    assert "onload" not in cleaned
    assert "onmouseover" not in cleaned
    for tag in ("<img", "<svg", "<iframe", "<object", "<embed", "<style", "<link", "<meta"):
        assert tag not in cleaned
    for tag in ("<form", "<button", "<base", "<math", "<template", "<textarea", "<div"):
        assert tag not in cleaned


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_should_not_gain_markup_when_cleaned_output_is_cleaned_again(hostile):
    once = sanitize_eve_markup(hostile)
    twice = sanitize_eve_markup(once)

    assert twice.count("<") <= once.count("<")
    assert "javascript:" not in twice.lower()


def test_should_keep_allowed_formatting():
    text = "<b>bold</b> <i>italic</i> <u>under</u> <p>para</p> <strong>s</strong> <em>e</em>"

    assert sanitize_eve_markup(text) == text


def test_should_drop_unknown_tags_but_keep_their_text():
    assert sanitize_eve_markup("<loc><blink>hello</blink></loc>") == "hello"


def test_should_remove_script_and_style_with_their_content():
    assert sanitize_eve_markup("a<script>alert(1)</script><style>b{}</style>b") == "ab"


def test_should_strip_comments():
    assert sanitize_eve_markup("a<!-- secret -->b") == "ab"


def test_should_close_unclosed_tags():
    assert sanitize_eve_markup("<b><i>text") == "<b><i>text</i></b>"


def test_should_fix_wrongly_nested_tags():
    cleaned = sanitize_eve_markup("<b><i>text</b></i>")

    assert cleaned.count("<b>") == cleaned.count("</b>")
    assert cleaned.count("<i>") == cleaned.count("</i>")


def test_should_ignore_stray_closing_tags():
    assert sanitize_eve_markup("</font></b>text</a>") == "text"


def test_should_keep_escaped_markup_escaped():
    text = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;"

    assert sanitize_eve_markup(text) == ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;")


def test_should_escape_bare_angle_brackets_and_ampersands():
    assert sanitize_eve_markup("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"


def test_should_turn_newlines_into_line_breaks():
    assert sanitize_eve_markup("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"


def test_should_return_empty_text_for_nothing():
    assert sanitize_eve_markup(None) == ""
    assert sanitize_eve_markup("") == ""


class TestFonts:
    def test_should_turn_argb_color_into_css_color(self):
        assert (
            sanitize_eve_markup('<font color="#ffff0000">red</font>')
            == '<span style="color: #ff0000">red</span>'
        )

    def test_should_accept_rgb_colors_and_color_names(self):
        assert sanitize_eve_markup('<font color="#00FF00">g</font>') == (
            '<span style="color: #00ff00">g</span>'
        )
        assert sanitize_eve_markup('<font color="yellow">y</font>') == (
            '<span style="color: yellow">y</span>'
        )

    def test_should_drop_white_which_is_eve_default_text_color(self):
        assert sanitize_eve_markup('<font color="#bfffffff">x</font>') == "<span>x</span>"

    def test_should_drop_fully_transparent_colors(self):
        assert sanitize_eve_markup('<font color="#00ff0000">x</font>') == "<span>x</span>"

    def test_should_drop_invalid_colors(self):
        assert sanitize_eve_markup('<font color="#12345">x</font>') == "<span>x</span>"
        assert sanitize_eve_markup('<font color="rgb(1,2,3)">x</font>') == "<span>x</span>"

    def test_should_turn_size_into_pixels_within_bounds(self):
        assert sanitize_eve_markup('<font size="14">x</font>') == (
            '<span style="font-size: 14px">x</span>'
        )
        assert sanitize_eve_markup('<font size="900">x</font>') == (
            '<span style="font-size: 32px">x</span>'
        )
        assert sanitize_eve_markup('<font size="1">x</font>') == (
            '<span style="font-size: 8px">x</span>'
        )

    def test_should_combine_size_and_color(self):
        assert sanitize_eve_markup('<font size="12" color="#ff00ff00">x</font>') == (
            '<span style="font-size: 12px; color: #00ff00">x</span>'
        )

    def test_should_ignore_style_written_by_the_author(self):
        assert sanitize_eve_markup('<span style="color: red">x</span>') == "<span>x</span>"

    def test_should_convert_nested_fonts(self):
        cleaned = sanitize_eve_markup('<font size="14"><font color="#ff0000ff">a</font>b</font>')

        assert cleaned == (
            '<span style="font-size: 14px"><span style="color: #0000ff">a</span>b</span>'
        )

    def test_should_not_treat_escaped_font_text_as_tag(self):
        assert sanitize_eve_markup("&lt;font color=red&gt;") == "&lt;font color=red&gt;"


class TestLinks:
    def test_should_keep_web_links_with_safe_rel(self):
        assert sanitize_eve_markup('<a href="https://example.com/?a=1&b=2">w</a>') == (
            '<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer nofollow">w</a>'
        )

    def test_should_turn_character_showinfo_into_web_link(self):
        cleaned = sanitize_eve_markup('<a href="showinfo:1377//93330670">Pilot</a>')

        assert 'href="https://evewho.com/character/93330670"' in cleaned

    def test_should_turn_corporation_and_alliance_showinfo_into_web_links(self):
        assert "evewho.com/corporation/98000001" in sanitize_eve_markup(
            '<a href="showinfo:2//98000001">C</a>'
        )
        assert "evewho.com/alliance/99000001" in sanitize_eve_markup(
            '<a href="showinfo:16159//99000001">A</a>'
        )

    def test_should_keep_other_game_links_inert(self):
        cleaned = sanitize_eve_markup('<a href="showinfo:587">Rifter</a>')

        assert 'href="showinfo:587"' in cleaned

    def test_should_turn_kill_report_into_zkillboard_link(self):
        cleaned = sanitize_eve_markup('<a href="killReport:84900000:0123abcd">Kill</a>')

        assert 'href="https://zkillboard.com/kill/84900000/"' in cleaned

    def test_should_drop_relative_and_unknown_scheme_links_but_keep_text(self):
        for href in ("/admin/", "//evil.example/", "ftp://x", "file:///etc/passwd"):
            cleaned = sanitize_eve_markup(f'<a href="{href}">text</a>')
            assert "href" not in cleaned
            assert "text" in cleaned

    def test_should_drop_other_link_attributes(self):
        cleaned = sanitize_eve_markup('<a href="https://x.example" target="_top" id="a">t</a>')

        assert "target" not in cleaned
        assert "id=" not in cleaned


def test_should_mark_result_safe_for_templates():
    result = sanitize_eve_markup_html("<b>x</b><script>alert(1)</script>")

    assert isinstance(result, SafeString)
    assert result == "<b>x</b>"


class TestPlainText:
    def test_should_strip_tags_and_decode_entities(self):
        assert eve_markup_to_text('<font color="#ffff0000">Hi</font> &amp; <b>bye</b>') == (
            "Hi & bye"
        )

    def test_should_keep_line_breaks(self):
        assert eve_markup_to_text("a<br>b<br/>c\nd") == "a\nb\nc\nd"

    def test_should_drop_script_content(self):
        assert eve_markup_to_text("a<script>alert(1)</script>b") == "ab"

    def test_should_return_empty_text_for_nothing(self):
        assert eve_markup_to_text(None) == ""
