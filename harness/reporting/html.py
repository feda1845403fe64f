"""The leaderboard's static page: sortable tables and heat maps in one self-contained file.

Style and sorting script are data files beside this module (``leaderboard.css``,
``leaderboard.js``), inlined so the page works from a clone without a server.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

from harness.reporting.tables import Table

Section = tuple[str, str, Table]  # anchor, title, table
Figure = tuple[Path, str, str]  # path, alt text, caption
_NUMERIC = re.compile(r"^[-+]?\d")


@cache
def _asset(name: str) -> str:
    return resources.files("harness.reporting").joinpath(name).read_text("utf-8")


def table(content: Table, table_id: str) -> str:
    """A sortable table; cells that start with a number are right-aligned."""
    headers, rows = content
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(c)}</td>' if _NUMERIC.match(c) else f"<td>{escape(c)}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table class="sortable" id="{escape(table_id)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure(src: str, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{escape(src)}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def page(
    *,
    marker: str,
    intro: str,
    sections: list[Section],
    per_target: list[tuple[str, list[tuple[str, str, Table]]]],
    figures: list[Figure],
    problems: list[str],
    empty: bool,
    notes: dict[str, str],
) -> str:
    """The whole page. ``per_target``: (target, [(anchor suffix, kind title, table)]);
    ``notes``: a paragraph under the section of that anchor."""
    nav = [(anchor, title) for anchor, title, _ in sections]
    if figures or "heatmaps" in notes:
        nav.append(("heatmaps", "Heat maps"))
    if per_target:
        nav.append(("targets", "Per target"))
    if problems:
        nav.append(("skipped", "Skipped files"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        "<title>Leaderboard</title>",
        f"<style>\n{_asset('leaderboard.css')}</style>",
        "</head>",
        "<body>",
        marker,
        "<h1>Leaderboard</h1>",
        f'<p class="note">{escape(intro)} Click a column header to sort.</p>',
        "<nav>" + "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in nav) + "</nav>",
    ]
    if empty:
        parts.append("<p>No valid result records found.</p>")
    for anchor, title, content in sections:
        parts += [f'<section id="{anchor}">', f"<h2>{escape(title)}</h2>"]
        parts.append(table(content, f"table-{anchor}"))
        if anchor in notes:
            parts.append(f'<p class="note">{escape(notes[anchor])}</p>')
        parts.append("</section>")
    if figures or "heatmaps" in notes:
        parts += ['<section id="heatmaps">', "<h2>Heat maps</h2>"]
        parts += [_figure(f"figures/{p.name}", alt, caption) for p, alt, caption in figures]
        if "heatmaps" in notes:
            parts.append(f'<p class="note">{escape(notes["heatmaps"])}</p>')
        parts.append("</section>")
    if per_target:
        parts += ['<section id="targets">', "<h2>Per target (main metric per language)</h2>"]
        for target, kinds in per_target:
            parts.append(f'<h3 id="target-{escape(target)}">{escape(target)}</h3>')
            for tag, kind, content in kinds:
                if tag:
                    parts.append(f"<h4>{escape(kind.removeprefix(' — ').capitalize())}</h4>")
                parts.append(table(content, f"table-target-{target}{tag}"))
                if f"target-{target}{tag}" in notes:
                    parts.append(f'<p class="note">{escape(notes[f"target-{target}{tag}"])}</p>')
        parts.append("</section>")
    if problems:
        parts += [
            '<section id="skipped">',
            "<h2>Skipped result files (failed schema validation)</h2>",
            "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>",
            "</section>",
        ]
    parts += [f"<script>\n{_asset('leaderboard.js')}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)
