"""The "why this ad" page as HTML: one small self-contained document, readable on a phone or a TV
browser, every stored value escaped."""

from __future__ import annotations

from html import escape

from ads.ad_info import HOW_TO_CHANGE, NOT_PROFILED, AdInfo

NOT_NAMED = "Not named by the advertiser"
_STYLE = (
    "body{font:18px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
    "color:#1b1b1f;background:#fafafa}h1{font-size:1.5em}dt{font-weight:600;margin-top:1em}"
    "dd{margin:0}li{margin:.3em 0}.note{color:#555}"
)
_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def about_page(info: AdInfo) -> str:
    """The page about one campaign's ads."""
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in info.reasons)
    body = (
        "<h1>About this ad</h1>\n"
        "<p>This is an advertisement.</p>\n"
        "<dl>\n"
        f"<dt>Shown on behalf of</dt><dd>{_named(info.on_behalf_of)}</dd>\n"
        f"<dt>Paid for by</dt><dd>{_named(info.paid_by)}</dd>\n"
        "</dl>\n"
        "<h2>Why you are seeing it</h2>\n"
        f"<ul>{reasons}</ul>\n"
        f"<p>{escape(NOT_PROFILED)}</p>\n"
        f'<p class="note">{escape(HOW_TO_CHANGE)}</p>'
    )
    return _PAGE.format(title="About this ad", style=_STYLE, body=body)


def unavailable_page(reason: str) -> str:
    """The page a link that names no running campaign opens (``reason`` says why)."""
    body = f"<h1>About this ad</h1>\n<p>{escape(reason)}</p>"
    return _PAGE.format(title="About this ad", style=_STYLE, body=body)


def _named(name: str | None) -> str:
    return escape(name) if name else NOT_NAMED
