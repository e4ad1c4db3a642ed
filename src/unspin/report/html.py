"""One comparison as a single, self-contained HTML page.

The page is meant to be mailed, attached to a ticket or opened from disk years later, so it
carries everything inside one file: the viewer's CSS and JavaScript are inlined (read from
the package's ``static/`` folder, the very files the web app serves, so both show the same
thing) and the data is embedded as JSON. Nothing is fetched from the network.

The data is rendered by ``viewer.js`` in the browser rather than as server-made HTML for the
same reason: one renderer for the report and the web app, fed the same JSON.
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

from unspin.models import Comparison

__all__ = ["render_html", "write_html", "viewer_data"]

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _static(name: str) -> str:
    """A file of the package's ``static/`` folder (works from a wheel or a zip too)."""
    return (files("unspin") / "static" / name).read_text(encoding="utf-8")


def viewer_data(comparison: Comparison) -> dict[str, Any]:
    """The object ``UnspinViewer.render`` takes: both texts, their titles and the result.

    The texts travel whole and unmodified because every offset in the result indexes them.
    """
    a, b = comparison.a, comparison.b
    return {
        "a_text": a.text,
        "b_text": b.text,
        "a_title": a.title or a.id,
        "b_title": b.title or b.id,
        "result": comparison.to_json(),
        # Leading metadata spans (the "date ..." line of a .txt), which the viewer mutes.
        "a_skip": [list(span) for span in a.skip],
        "b_skip": [list(span) for span in b.skip],
    }


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    The HTML parser ends a script element at the first ``</script``, whatever the script
    type, so a document quoting that tag would cut the data short and let the rest of its
    text be parsed as markup. ``<``, ``>`` and ``&`` are therefore written as JSON escapes,
    which JSON.parse turns back into the same characters. Lone surrogates (possible in a
    Python str, not encodable as UTF-8) are escaped too, so writing the page cannot fail.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _inline(source: str, tag: str) -> str:
    """Static source made safe to inline in a ``<tag>`` element.

    ``</tag`` cannot appear literally inside the element; in CSS or JS it can only sit in a
    string or comment, where ``<\\/`` means the same thing.
    """
    return re.sub(rf"</(?={tag})", r"<\\/", source, flags=re.IGNORECASE)


_BOOT = """\
(function () {
  var root = document.getElementById("unspin-root");
  try {
    var data = JSON.parse(document.getElementById("unspin-data").textContent);
    window.UnspinViewer.render(root, data);
  } catch (err) {
    root.textContent = "This report could not be displayed: " + err;
  }
})();
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="unspin">
<title>{title}</title>
<style>
html, body {{ margin: 0; background: #f6f7f9; }}
.unspin-noscript {{ font: 15px system-ui, sans-serif; padding: 24px; }}
</style>
<style>
{css}
</style>
</head>
<body>
<div id="unspin-root">
<noscript><p class="unspin-noscript">This report needs JavaScript to display the two texts
side by side. The data is embedded in this file as JSON.</p></noscript>
</div>
<script type="application/json" id="unspin-data">{data}</script>
<script>
{js}
</script>
<script>
{boot}</script>
</body>
</html>
"""


def render_html(comparison: Comparison) -> str:
    """The report page for one comparison, as a string holding one complete HTML document.

    Self-contained (no external reference of any kind), so it can be opened offline from
    anywhere. The title names both document ids, so browser tabs and bookmarks of several
    reports can be told apart.
    """
    title = f"unspin: {comparison.a.id} vs {comparison.b.id}"
    return _PAGE.format(
        title=html.escape(title, quote=False),
        css=_inline(_static("viewer.css"), "style"),
        js=_inline(_static("viewer.js"), "script"),
        boot=_BOOT,
        data=_json_for_script(viewer_data(comparison)),
    )


def write_html(comparison: Comparison, path: str | Path) -> Path:
    """Writes the report page to ``path`` (UTF-8, as the page declares) and returns the path.

    Parent folders are created: the path usually comes straight from ``--html FILE``.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(comparison), encoding="utf-8")
    return out
