"""Untrusted server text never reaches the terminal as escape sequences or markup."""

from rich.text import Text

from bcs_tui.ui.textsafe import one_line, safe_rich, safe_text


def test_strips_csi_osc_dcs_and_controls():
    evil = "ok\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;ZXZpbA==\x1b\\ \x1bP1$qm\x1b\\ \x9b2J bell\x07 nul\x00 del\x7f"
    out = safe_text(evil)
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out and "\x00" not in out
    assert out.startswith("okred")
    assert "title" not in out and "ZXZpbA" not in out


def test_keeps_tabs_newlines_and_unicode():
    assert safe_text("a\tb\r\nc 中文 ✓") == "a\tb\nc 中文 ✓"


def test_none_and_non_strings():
    assert safe_text(None) == ""
    assert safe_text(42) == "42"


def test_one_line_squeezes_and_truncates():
    assert one_line("a\n b\t\tc") == "a b c"
    assert one_line("x" * 20, 10) == "x" * 9 + "…"


def test_markup_is_not_parsed():
    text = safe_rich("[bold red]boom[/] [link=http://x]y[/link]")
    assert isinstance(text, Text)
    assert text.plain == "[bold red]boom[/] [link=http://x]y[/link]"
    assert not text.spans
