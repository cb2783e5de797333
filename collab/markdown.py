"""Comment bodies as safe HTML: Markdown with raw HTML disabled, then sanitised by an allowlist.

Two locks, so one failing does not open the door: markdown-it escapes any HTML the author types
(`html=False`), and nh3 then keeps only the tags and attributes below, drops every URL scheme
but http, https and mailto (so `javascript:` and `data:` links lose their href), and marks each
link `rel="nofollow noopener noreferrer"`.
"""

from __future__ import annotations

import re
from html import escape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "span", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_CLASSES = {"span": {"mention"}}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"

# CommonMark with tables and strikethrough; no raw HTML. Headings # and ## become h3, so a
# comment cannot outrank the page's own outline.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(["table", "strikethrough"])
_HEADING = re.compile(r"<(/?)h[12]>")


def _image_as_link(self, tokens, idx, options, env):
    # No images in comments (a remote image is a tracking pixel): a link to it, its alt text
    # as the label. The sanitiser still checks the URL's scheme.
    token = tokens[idx]
    label = self.renderInline(token.children or [], options, env) or "image"
    return f'<a href="{escape(token.attrGet("src") or "")}">{label}</a>'


_md.add_render_rule("image", _image_as_link)


def _mentions(state) -> None:
    """Core rule: an @mention in plain text becomes a `mention` token (not in code, where
    markdown-it makes no text tokens)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = []
        for token in block.children:
            if token.type != "text" or "@" not in token.content:
                children.append(token)
                continue
            text, last = token.content, 0
            for match in MENTION.finditer(text):
                name = match.group(1).rstrip(".")
                end = match.start() + 1 + len(name)
                if match.start() > last:
                    children.append(_text(state, text[last : match.start()]))
                mention = Token("mention", "", 0)
                mention.content = name
                children.append(mention)
                last = end
            if last < len(text):
                children.append(_text(state, text[last:]))
        block.children = children


def _text(state, content: str):
    token = Token("text", "", 0)
    token.content = content
    return token


def _render_mention(self, tokens, idx, options, env):
    return f'<span class="mention">@{escape(tokens[idx].content)}</span>'


# An @mention: a Django username (letters, digits and @.+-_) not preceded by a word character,
# so "ann@example.com" mentions nobody. A trailing "." ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+)")


def render(body: str) -> SafeString:
    """`body` (Markdown) as sanitised HTML, safe to put in a page as is."""
    html = _HEADING.sub(r"<\1h3>", _md.render(body or ""))
    return mark_safe(  # noqa: S308 - the output of nh3's allowlist sanitiser
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            allowed_classes=ALLOWED_CLASSES,
            url_schemes=URL_SCHEMES,
            link_rel=LINK_REL,
            strip_comments=True,
        )
    )


def mentioned_usernames(body: str) -> list[str]:
    """The usernames `body` mentions, each once, in order of first mention."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body or ""):
        name = match.group(1).rstrip(".")
        if name:
            seen.setdefault(name, None)
    return list(seen)


_md.core.ruler.push("mentions", _mentions)
_md.add_render_rule("mention", _render_mention)
