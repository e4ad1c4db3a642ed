"""Human-readable reports of one comparison: an HTML page and a terminal view.

Both read only a ``Comparison`` (and the two texts inside it), so the engine can change
freely as long as it keeps producing that object.
"""

from unspin.report.html import render_html, write_html
from unspin.report.terminal import render_terminal

__all__ = ["render_html", "render_terminal", "write_html"]
