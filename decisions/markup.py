"""The narrative's small markup, for the pages: Markdown (paragraphs, bullets, numbered
lists, **bold**, *italic*, ## sub-headings) through markdown-it-py, sanitised with nh3.

The officer types what the note form's hints say: blank lines between paragraphs, "- " for
bullets, "## " for a sub-heading. Raw HTML in the text is not markup: it is shown as typed
(markdown-it's html option off), and nh3 keeps only the tags below whatever comes out.
Redaction happens before (on the text), so nothing hidden reaches the parser."""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image", "link"])
TAGS = {"p", "ul", "ol", "li", "strong", "em", "h3", "h4", "br", "blockquote", "code"}
CLASSES = {"p": {"class": "govuk-body"}, "ul": {"class": "govuk-list govuk-list--bullet"},
           "ol": {"class": "govuk-list govuk-list--number"},
           "h3": {"class": "govuk-heading-s"}, "h4": {"class": "govuk-heading-s"}}


def _shift_headings(html: str) -> str:
    """The page's own headings are h1 and h2: the narrative's start at h3."""
    return re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{min(4, max(3, int(m[2]) + 1))}>", html)


def narrative_html(text: str | None) -> str:
    """Safe HTML for a narrative section (an empty string for empty text)."""
    if not (text or "").strip():
        return ""
    html = _shift_headings(_MD.render(text))
    return nh3.clean(html, tags=TAGS, attributes={}, set_tag_attribute_values=CLASSES)
