"""SVG pictures of the marketplace pages: needs by status, project progress bars.

Drawn on the server as inline SVG (the CSP forbids inline styles and scripts, so no
``style="width: …"`` progress bars).
"""

from markupsafe import Markup, escape

from marketplace.models.listings import NEED_STATUSES
from marketplace.services.exchange.claim_queries import project_progress
from marketplace.web.charts import bar_chart

# Colours follow the status badges in app.css.
PROGRESS_COLOURS = {"done": "#20c997", "in_progress": "#fd7e14", "accepted": "#198754"}


def status_chart(counts: dict[str, int]) -> Markup:
    """Return a bar chart of a community's needs per status (statuses in workflow order)."""
    rows = [(label, counts.get(status, 0)) for status, label in NEED_STATUSES.items()]
    return bar_chart(rows, title="本社区需求状态分布", label_width=80)


def progress_bar(percent: int | None, status: str = "in_progress", *, width: int = 160) -> Markup:
    """Return a small labelled progress bar for a project (claim) as inline SVG."""
    value = max(0, min(100, percent or 0))
    filled = round((width - 2) * value / 100)
    colour = PROGRESS_COLOURS.get(status, "#adb5bd")
    label = f"完成进度 {value}%"
    return Markup(
        f'<svg class="progress-svg" width="{width + 44}" height="16" viewBox="0 0 {width + 44} 16"'
        f' role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0.5" y="2.5" width="{width - 1}" height="11" rx="5" fill="#eee" stroke="#ccc"/>'
        f'<rect x="1" y="3" width="{filled}" height="10" rx="5" fill="{colour}"/>'
        f'<text x="{width + 4}" y="12" font-size="11" fill="#555">{value}%</text></svg>'
    )


def latest_percent(claim) -> int:
    """Return a project's progress in % (``project_progress``: 100 once done)."""
    return project_progress(claim)
