"""One self-contained HTML report (KPIs, charts, tables) that opens offline, with every piece of user text escaped."""
from __future__ import annotations

import base64
import hashlib
import html
import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

from analytics.export.names import file_slug
from analytics.export.tables import neutralise_text
from analytics.figures.style import INK_COLOR, MUTED_TEXT_COLOR, VOLUME_COLOR

MAX_ROWS = 50
FIGURE_HEIGHT = "450px"  # for figures whose layout sets no height (plotly's own "100%" collapses in a page)
FOOTER = "Generated offline by Gapsight"
# Each inline script is allowed by its hash; 'unsafe-inline' only serves browsers older than CSP 2, which ignore
# hashes (newer ones ignore 'unsafe-inline' when a hash is present). Nothing may be fetched: no default, connect,
# frame, media or object source; images and fonts only from data: / blob: (plotly's "download as PNG").
_CSP_SOURCES = (
    "default-src 'none'", "style-src 'unsafe-inline'", "img-src data: blob:", "font-src data:",
    "base-uri 'none'", "form-action 'none'",
)
# The modebar's plotly logo links to plotly.com; "responsive" redraws charts when the window (or print page) resizes.
_FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class ReportKpi:
    """One headline number: its label, value, change against the previous period, and a short note.

    ``value`` and ``delta`` may be ready-formatted text (``"4.21 ★"``, ``"+0.12"``) or numbers, which are
    formatted as in the tables (a number delta gets its sign). ``None`` shows as "–".
    """

    label: str
    value: str | float | None
    delta: str | float | None = None
    note: str = ""


@dataclass(frozen=True, eq=False)  # identity equality: figures and frames have no usable == or hash
class ReportSection:
    """A titled part of the report: paragraphs of text (blank lines separate them), then figures, then tables.

    Tables are written without their index (as the CSV / XLSX exports): reset it to keep it.
    """

    title: str
    text: str = ""
    figures: Sequence[go.Figure] = field(default_factory=tuple)
    tables: Sequence[pd.DataFrame] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", tuple(self.figures))
        object.__setattr__(self, "tables", tuple(self.tables))


_CSS = f"""
:root {{ --ink: {INK_COLOR}; --muted: {MUTED_TEXT_COLOR}; --accent: {VOLUME_COLOR}; --rule: #d9d9d9;
  --card: #f7f8fa; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0 auto; max-width: 1200px; padding: 24px 32px 16px; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }}
header {{ border-bottom: 3px solid var(--accent); margin-bottom: 20px; padding-bottom: 8px; }}
h1 {{ font-size: 28px; margin: 0 0 4px; }}
h2 {{ font-size: 21px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }}
.subtitle, .muted, figcaption, footer {{ color: var(--muted); }}
.subtitle {{ margin: 0; white-space: pre-line; }}
.kpis {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }}
.kpi {{ background: var(--card); border: 1px solid var(--rule); border-left: 4px solid var(--accent);
  border-radius: 6px; padding: 10px 14px; }}
.kpi-label {{ font-size: 13px; color: var(--muted); }}
.kpi-value {{ font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }}
.kpi-delta {{ font-size: 14px; font-variant-numeric: tabular-nums; }}
.kpi-note {{ font-size: 12px; color: var(--muted); }}
.text p {{ margin: 0 0 10px; white-space: pre-line; }}
figure {{ margin: 16px 0; }}
.table-wrap {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 13px; min-width: 50%; }}
th, td {{ padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top;
  white-space: pre-line; overflow-wrap: anywhere; max-width: 480px; }}
th {{ background: var(--card); border-bottom: 2px solid var(--ink); font-weight: 600; }}
tbody tr:nth-child(even) {{ background: #fbfbfc; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
figcaption {{ font-size: 12px; margin-top: 4px; }}
footer {{ margin-top: 40px; padding-top: 8px; border-top: 1px solid var(--rule); font-size: 12px; }}
@page {{ margin: 14mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 11pt; }}
  .kpi, figure, tr {{ break-inside: avoid; }}
  h2 {{ break-after: avoid; }}
  .table-wrap {{ overflow: visible; }}
  .modebar-container {{ display: none !important; }}
}}
""".strip()


def _escape(text: object) -> str:
    """Text for HTML content and quoted attributes alike."""
    return html.escape(str(text), quote=True)


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def _format_number(value: float) -> str:
    """Thousands separators from 1,000 up, three significant digits below; whole numbers without decimals."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _format_moment(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.hour == value.minute == value.second == value.microsecond == 0 and value.tzinfo is None:
        return value.date().isoformat()
    text = value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    return f"{text} {value.tzname()}" if value.tzinfo is not None else text


def _format_cell(value: object) -> str:
    """A value as readable text (not yet escaped): numbers rounded, dates in ISO, collections one item a line."""
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return "\n".join(_format_cell(item) for item in items)
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return _format_number(float(value))
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, (datetime, date)):
        return _format_moment(value)
    return str(value)


def _table_cell(value: object) -> str:
    """A table cell's text; text values neutralised as in CSV exports, since Excel opens an .html file as a sheet."""
    return neutralise_text(value) if isinstance(value, str) else _format_cell(value)


def _format_kpi_part(value: str | float | None, *, signed: bool) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        text = _format_cell(value)
        return "+" + text if signed and value > 0 else text
    return str(value)


def _kpi_html(kpi: ReportKpi) -> str:
    parts = [f'<div class="kpi-label">{_escape(kpi.label)}</div>',
             f'<div class="kpi-value">{_escape(_format_kpi_part(kpi.value, signed=False))}</div>']
    if not _missing(kpi.delta):
        parts.append(f'<div class="kpi-delta">{_escape(_format_kpi_part(kpi.delta, signed=True))}</div>')
    if kpi.note:
        parts.append(f'<div class="kpi-note">{_escape(kpi.note)}</div>')
    return '<div class="kpi">' + "".join(parts) + "</div>"


def _column_name(name: object) -> str:
    return " / ".join(map(str, name)) if isinstance(name, tuple) else str(name)


def _table_html(frame: pd.DataFrame, *, max_rows: int) -> str:
    shown = frame.iloc[:max_rows]
    numeric = [pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
               for dtype in frame.dtypes]
    cls = [' class="num"' if is_number else "" for is_number in numeric]
    head = "".join(f"<th{c}>{_escape(_column_name(name))}</th>" for c, name in zip(cls, frame.columns))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{_escape(_table_cell(value))}</td>" for c, value in zip(cls, row)) + "</tr>"
        for row in shown.itertuples(index=False, name=None))
    n_rows = len(frame)
    if n_rows == 0:
        caption = "No rows."
    elif n_rows > max_rows:
        caption = f"The first {max_rows:,} of {n_rows:,} rows; {n_rows - max_rows:,} left out."
    else:
        caption = f"{n_rows:,} row{'s' if n_rows != 1 else ''}."
    return (f'<figure class="table"><div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div><figcaption>{caption}</figcaption></figure>")


def _figure_html(fig: go.Figure, div_id: str) -> str:
    # plotly writes the figure's JSON with <, > and / as \u escapes, so no text in it can close the script.
    fragment = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                           config=dict(_FIGURE_CONFIG), default_width="100%", default_height=FIGURE_HEIGHT)
    return f'<figure class="chart">{fragment}</figure>'


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join(f"<p>{_escape(block)}</p>" for block in blocks)


def _section_html(section: ReportSection, number: int, *, max_rows: int) -> str:
    for table in section.tables:
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"section {section.title!r}: tables must be DataFrames, got {type(table).__name__}")
    parts = [f'<section class="report-section" id="section-{number}"><h2>{_escape(section.title)}</h2>']
    if section.text.strip():
        parts.append(f'<div class="text">{_paragraphs(section.text)}</div>')
    parts += [_figure_html(fig, f"gapsight-figure-{number}-{i}") for i, fig in enumerate(section.figures, start=1)]
    parts += [_table_html(table, max_rows=max_rows) for table in section.tables]
    if not (section.text.strip() or section.figures or section.tables):
        parts.append('<p class="muted">Nothing to show in this section.</p>')
    parts.append("</section>")
    return "".join(parts)


def _script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: Sequence[str] = ()) -> str:
    """The report's Content-Security-Policy: no network request of any kind, only the given inline scripts run.

    Parameters
    ----------
    scripts : sequence of str
        The exact text of each inline ``<script>`` the document holds; each is allowed by its SHA-256 hash.

    Examples
    --------
    >>> content_security_policy().split("; ")[:2]
    ["default-src 'none'", "script-src 'unsafe-inline'"]
    """
    hashes = sorted({_script_hash(source) for source in scripts})
    script_src = " ".join(["script-src 'unsafe-inline'", *hashes])
    return "; ".join([_CSP_SOURCES[0], script_src, *_CSP_SOURCES[1:]])


def build_report(
    *,
    title: str,
    subtitle: str,
    kpis: Sequence[ReportKpi],
    sections: Sequence[ReportSection],
    generated_at: datetime,
    max_rows: int = MAX_ROWS,
) -> str:
    """Write one self-contained HTML document: a header, KPI cards, sections of text, charts and tables, a footer.

    Parameters
    ----------
    title, subtitle : str
        The report's heading and the line under it (e.g. the dataset, its window and filters).
    kpis : sequence of ReportKpi
        Headline numbers, shown as cards; none: no cards.
    sections : sequence of ReportSection
        The body, in order. Figures are plotly figures (not mutated), tables DataFrames.
    generated_at : datetime
        When the report was made, printed in the footer (the caller passes the clock, so the output is reproducible).
    max_rows : int, default 50
        Rows shown per table; a caption says how many were left out.

    Returns
    -------
    str
        An HTML document that needs nothing else: plotly.js inline exactly once (none when there is no figure),
        no ``<link>`` or outside ``src`` / ``href``, a Content-Security-Policy ``<meta>`` that blocks every network
        request and runs only the document's own scripts (by hash), and every piece of user text HTML-escaped.
        Encode it as UTF-8 to save it.

    Raises
    ------
    ValueError
        If the title is empty or ``max_rows`` is below 1.
    TypeError
        If a section's table is not a DataFrame.

    Examples
    --------
    >>> page = build_report(title="Reviews <Q1>", subtitle="", kpis=[ReportKpi("Interactions", 1204)], sections=[],
    ...                     generated_at=datetime(2025, 4, 1, 9, 30))
    >>> "<h1>Reviews &lt;Q1&gt;</h1>" in page, '<div class="kpi-value">1,204</div>' in page
    (True, True)
    """
    if not str(title).strip():
        raise ValueError("title is empty: give the report a title, e.g. the dataset's name.")
    if isinstance(max_rows, bool) or not isinstance(max_rows, numbers.Integral) or max_rows < 1:
        raise ValueError(f"max_rows={max_rows!r} should be a whole number >= 1.")
    body = [f"<header><h1>{_escape(title)}</h1>"]
    if str(subtitle).strip():
        body.append(f'<p class="subtitle">{_escape(subtitle)}</p>')
    body.append("</header>")
    if kpis:
        body.append('<section class="kpis" aria-label="Key figures">' + "".join(map(_kpi_html, kpis)) + "</section>")
    body.append("<main>")
    body += [_section_html(section, number, max_rows=int(max_rows)) for number, section in enumerate(sections, 1)]
    body.append("</main>")
    stamp = _format_moment(generated_at)
    body.append(f'<footer>{FOOTER} · <time datetime="{_escape(generated_at.isoformat())}">{_escape(stamp)}</time>'
                "</footer>")
    body_html = "\n".join(body)

    has_figures = any(section.figures for section in sections)
    plotlyjs = plotly.offline.get_plotlyjs() if has_figures else ""
    scripts = ([plotlyjs] if has_figures else []) + _SCRIPT.findall(body_html)
    head = [
        '<meta charset="utf-8">',
        # Fixed keywords and base64 hashes: nothing in the policy needs escaping (and ' must stay as it is).
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(scripts)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="Gapsight">',
        f"<title>{_escape(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
    ]
    if has_figures:
        head.append(f"<script>{plotlyjs}</script>")
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n' + "\n".join(head) + "\n</head>\n<body>\n"
            + body_html + "\n</body>\n</html>\n")


def report_filename(dataset_name: str, when: datetime) -> str:
    """A safe file name for a report: ``gapsight-report-<slug>-YYYYMMDD-HHMM.html`` (slug: :func:`file_slug`).

    Examples
    --------
    >>> report_filename("Café reviews (Q1).csv", datetime(2025, 3, 1, 14, 5))
    'gapsight-report-cafe-reviews-q1-csv-20250301-1405.html'
    >>> report_filename("../../etc/passwd", datetime(2025, 3, 1))
    'gapsight-report-etc-passwd-20250301-0000.html'
    """
    return f"gapsight-report-{file_slug(dataset_name)}-{when:%Y%m%d-%H%M}.html"
