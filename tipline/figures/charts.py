"""Server-rendered SVG charts: no script, no library; readable by screen readers (a title and a description),
with the numbers in a table beside each chart."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#1f5f99"  # 7:1 on white
TEXT = "#1b1b1b"


def bar_chart(title: str, pairs: Sequence[tuple[str, int]], *, width: int = 560, label_width: int = 170) -> Markup:
    """Horizontal bars, one per (label, count)."""
    row = 26
    height = max(1, len(pairs)) * row + 8
    top = max((count for _label, count in pairs), default=0) or 1
    room = width - label_width - 50
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, count) in enumerate(pairs):
        y = 4 + index * row
        length = round(room * count / top)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}" font-size="13">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 8}" fill="{BAR}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 17}" fill="{TEXT}" font-size="13">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label is escaped above


def column_chart(title: str, pairs: Sequence[tuple[str, int]], *, width: int = 720, height: int = 220) -> Markup:
    """Vertical columns (days, hours), with every other label when there are many."""
    bottom = 28
    count_room = 16
    slot = width / max(1, len(pairs))
    top = max((count for _label, count in pairs), default=0) or 1
    plot = height - bottom - count_room
    step = 1 if len(pairs) <= 16 else 2 if len(pairs) <= 32 else 4
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, count) in enumerate(pairs):
        x = index * slot
        bar = round(plot * count / top)
        y = height - bottom - bar
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{y}" width="{slot * 0.7:.1f}" height="{bar}" fill="{BAR}"/>')
        if count:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{y - 3}" text-anchor="middle" fill="{TEXT}" font-size="11">'
                f"{count}</text>"
            )
        if index % step == 0:
            short = label[-5:] if len(label) > 5 else label
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 10}" text-anchor="middle" fill="{TEXT}" '
                f'font-size="11">{escape(short)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label is escaped above
