"""Figures for research: anonymous counts and answer times over a period, charts and a CSV export."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, render_template, request

from tipline.auth.current import requires
from tipline.figures.charts import bar_chart, column_chart
from tipline.figures.services import compute_figures, figures_csv, last_month
from tipline.request_session import request_session
from tipline.runtime import runtime

from . import labels
from .blueprint import console_bp
from .i18n import gettext as _

MAX_DAYS = 400


def _period() -> tuple[date, date]:
    rt = runtime()
    today = rt.clock.now().astimezone(rt.settings.zone).date()
    preset = request.args.get("period", "")
    if preset == "last_month":
        return last_month(today)
    try:
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else today - timedelta(days=29)
        end = date.fromisoformat(request.args["end"]) if request.args.get("end") else today
    except ValueError:
        abort(400, description="dates are YYYY-MM-DD")
    if end < start or (end - start).days > MAX_DAYS:
        abort(400, description="the period must be 1 to 400 days")
    return start, end


@console_bp.get("/figures")
@requires("figures.view")
def figures() -> str:
    start, end = _period()
    found = compute_figures(request_session(), start=start, end=end, zone=runtime().settings.zone)
    named = {
        "channel": [(labels.label(labels.CHANNELS, k), n) for k, n in found.counts["channel"]],
        "language": [(labels.label(labels.LANGUAGE_NAMES, k), n) for k, n in found.counts["language"]],
        "category": [
            (labels.category(k) if k != "unknown" else _("No category"), n) for k, n in found.counts["category"]
        ],
        "priority": found.counts["priority"],
        "day": found.counts["day"],
        "hour": [(f"{k} h", n) for k, n in found.counts["hour"]],
    }
    titles = {
        "day": _("Cases by day"),
        "hour": _("Cases by hour of the day"),
        "channel": _("Cases by channel"),
        "language": _("Cases by language"),
        "category": _("Cases by category"),
        "priority": _("Cases by priority"),
    }
    charts = {
        name: (column_chart if name in ("day", "hour") else bar_chart)(titles[name], pairs)
        for name, pairs in named.items()
    }
    return render_template(
        "console/figures.html", figures=found, named=named, titles=titles, charts=charts, start=start, end=end
    )


@console_bp.get("/figures.csv")
@requires("figures.view")
def figures_export() -> Response:
    start, end = _period()
    found = compute_figures(request_session(), start=start, end=end, zone=runtime().settings.zone)
    response = Response(figures_csv(found), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="tipline-figures-{start}-{end}.csv"'
    return response
