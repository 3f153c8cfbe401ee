"""Charts of the Compare page: the two groups with their intervals, the difference against zero, and a forest plot."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.figures.style import (
    AWAY_COLOR,
    GUIDE_COLOR,
    INK_COLOR,
    NEUTRAL_COLOR,
    TOWARDS_COLOR,
    apply_layout,
    empty_figure,
    escape,
)
from analytics.insights.compare import Comparison, format_p

NO_COMPARISON = "Choose a metric and two groups to compare."


def _scale(kind: str) -> tuple[float, str]:
    """Shares are drawn in percent (differences in percentage points), means as they are."""
    return (100.0, "%") if kind == "share" else (1.0, "")


def _errors(value: float, low: float | None, high: float | None, factor: float) -> tuple[float | None, float | None]:
    """Error-bar lengths above and below; None draws no bar (a single value has no interval)."""
    if low is None or high is None:
        return None, None
    return factor * (high - value), factor * (value - low)


def groups_figure(comparison: Comparison | None, *, metric_label: str = "") -> go.Figure:
    """Each group's mean or share with its confidence interval, n under its name."""
    if comparison is None:
        return empty_figure(NO_COMPARISON)
    factor, unit = _scale(comparison.kind)
    groups = (comparison.a, comparison.b)
    fig = go.Figure()
    for group, color in zip(groups, (TOWARDS_COLOR, AWAY_COLOR), strict=True):
        above, below = _errors(group.value, group.ci_low, group.ci_high, factor)
        fig.add_trace(go.Scatter(
            x=[f"{escape(group.label)}<br>n = {group.n:,}"], y=[factor * group.value], mode="markers",
            name=escape(group.label), marker={"size": 14, "color": color},
            error_y={"type": "data", "array": [above], "arrayminus": [below], "visible": above is not None,
                     "thickness": 2, "width": 10},
            hovertemplate=f"%{{x}}: %{{y:.3g}}{unit}<extra></extra>"))
    level = f"{1 - comparison.alpha:.0%}"
    interval = "Wilson score interval" if comparison.kind == "share" else "t interval"
    fig.update_yaxes(title_text=escape(metric_label) + (" (%)" if unit else ""))
    fig.update_layout(showlegend=False)
    return apply_layout(fig, title="The two groups", height=380,
                        subtitle=f"{'Share' if unit else 'Mean'} per group with its {level} {interval}; "
                                 f"n = {comparison.a.n:,} and {comparison.b.n:,}")


def difference_figure(comparison: Comparison | None, *, metric_label: str = "") -> go.Figure:
    """The difference B − A with its confidence interval against the zero line; dark when the verdict calls it."""
    if comparison is None:
        return empty_figure(NO_COMPARISON)
    if comparison.ci_low is None:
        return empty_figure(comparison.verdict, title="Difference")
    factor, unit = _scale(comparison.kind)
    above, below = _errors(comparison.difference, comparison.ci_low, comparison.ci_high, factor)
    name = f"{escape(comparison.b.label)} − {escape(comparison.a.label)}"
    fig = go.Figure(go.Scatter(
        x=[factor * comparison.difference], y=[name], mode="markers", name=name,
        marker={"size": 14, "color": INK_COLOR if comparison.called else NEUTRAL_COLOR},
        error_x={"type": "data", "array": [above], "arrayminus": [below], "thickness": 2, "width": 10},
        hovertemplate=f"%{{y}}: %{{x:+.3g}}{' pp' if unit else ''}<extra></extra>"))
    fig.add_vline(x=0, line={"color": GUIDE_COLOR, "dash": "dash"})
    fig.update_xaxes(title_text=escape(metric_label) + (" (percentage points)" if unit else ""), zeroline=False)
    fig.update_yaxes(automargin=True)
    return apply_layout(fig, title="Difference", height=260,
                        subtitle=f"{1 - comparison.alpha:.0%} {comparison.ci_method} interval; {comparison.test} "
                                 f"{format_p(comparison.p_value)}")


def forest_figure(table: pd.DataFrame, *, metric_label: str = "") -> go.Figure:
    """Each value's difference from the rest with its interval; values significant after the correction stand out.

    ``table`` is :func:`analytics.insights.compare.one_vs_rest`'s, whose ``attrs`` name the correction and the
    metric (``metric_label`` overrides it)."""
    attrs = table.attrs
    metric_label = metric_label or attrs.get("metric", "")
    skipped = attrs.get("skipped", 0)
    left_out = f"{skipped} value(s) with fewer than {attrs.get('min_n')} interactions left out" if skipped else ""
    if table.empty:
        return empty_figure("No value has enough interactions to test" + (f": {left_out}." if left_out else "."),
                            title="Each value against the rest")
    factor, unit = _scale(attrs.get("kind", "mean"))
    correction, alpha = attrs.get("correction", "adjusted"), attrs.get("alpha", 0.05)
    names = pd.Series([f"{escape(g)} (n = {n:,})" for g, n in zip(table["group"], table["n"], strict=True)],
                      index=table.index)
    fig = go.Figure()
    for significant, color, name in ((True, TOWARDS_COLOR, f"significant after {correction}"),
                                     (False, NEUTRAL_COLOR, "not significant")):
        part = table[table["significant"] == significant]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=factor * part["difference"], y=names[part.index], mode="markers", name=name,
            marker={"size": 11, "color": color},
            error_x={"type": "data", "array": factor * (part["ci_high"] - part["difference"]),
                     "arrayminus": factor * (part["difference"] - part["ci_low"]), "thickness": 1.5},
            customdata=part["p_adjusted"],
            hovertemplate=f"%{{y}}: %{{x:+.3g}}{' pp' if unit else ''}, adjusted p = %{{customdata:.3g}}"
                          "<extra></extra>"))
    fig.add_vline(x=0, line={"color": GUIDE_COLOR, "dash": "dash"})
    # Largest difference on top, as in the table.
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1].tolist(), automargin=True)
    fig.update_xaxes(title_text=f"difference from the rest: {escape(metric_label)}" + (" (pp)" if unit else ""),
                     zeroline=False)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    subtitle = (f"Each value against all others; {correction}-adjusted p < {alpha:g} highlighted; "
                f"intervals not adjusted" + (f"; {left_out}" if left_out else ""))
    return apply_layout(fig, title="Each value against the rest", subtitle=subtitle, height=200 + 32 * len(table))
