"""Lesson text to HTML with markdown-it-py: CommonMark, raw HTML refused rather than passed through.

Imports markdown-it-py and the standard library only. A text with raw HTML is an error (a shared server
must not serve a teacher's markup to every learner); links keep markdown-it's own check, which drops
``javascript:`` and other unsafe schemes.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

RENDERER = MarkdownIt("commonmark", {"html": False, "typographer": False})
DETECTOR = MarkdownIt("commonmark", {"html": True})  # only to find raw HTML and report its line


def raw_html_line(text: str) -> int | None:
    """The 0-based line of the first raw HTML in a Markdown text, or None when it has none."""
    for token in DETECTOR.parse(text):
        if token.type == "html_block":
            return token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type == "html_inline":
                return token.map[0] if token.map else 0
    return None


def render(text: str) -> str:
    """HTML for a Markdown text; call ``raw_html_line`` first, as the reader does."""
    return RENDERER.render(text)
