"""Tests for analytics.figures.rules: nodes, edges and cells of the rule charts, user text escaped, empty input."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analytics.figures.rules import NO_RULES, rules_matrix_figure, rules_network_figure

RULES = pd.DataFrame({
    "antecedent": ["<b>x</b>", "tea", "tea; cake", "cup"],
    "consequent": ["tea", "<b>x</b>", "cup", "tea"],
    "support": [0.2, 0.2, 0.1, 0.3],
    "confidence": [0.8, 0.5, 0.9, 0.6],
    "lift": [4.0, 4.0, 3.0, 1.5],
    "leverage": [0.15, 0.15, 0.07, 0.1],
    "conviction": [3.0, 1.6, 5.0, 1.5],
    "n_baskets": [40, 40, 20, 60],
})
ESCAPED = "&lt;b&gt;x&lt;/b&gt;"


def strings(fig) -> list[str]:
    """Every string in the figure's JSON (text, hovers, tick labels, titles)."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(json.loads(fig.to_json()))
    return found


def test_network_has_one_node_per_side_and_one_edge_per_rule():
    fig = rules_network_figure(RULES, unit="orders")
    lines = [t for t in fig.data if t.mode == "lines"]
    arrows, nodes = fig.data[-2], fig.data[-1]
    assert len(lines) == 4 and len(arrows.x) == 4
    # Sides: "<b>x</b>", "tea", "tea; cake", "cup" → 4 nodes (a multi-item side is one node).
    assert len(nodes.x) == 4 and sorted(nodes.text) == sorted(["cup", "tea", "tea; cake", ESCAPED])
    widths = [t.line.width for t in lines]
    assert widths[0] == widths[1] == 8.0 and widths[3] == 1.0 and 1.0 < widths[2] < 8.0  # wider for higher lift
    assert arrows.hovertext[0] == (f"<b>{ESCAPED} → tea</b><br>confidence 0.80 · lift 4.0<br>"
                                   "support 20.0 % · 40 orders")


def test_network_arrows_point_to_the_consequent():
    fig = rules_network_figure(RULES.head(1))
    line, arrows, nodes = fig.data
    (x0, x1), (y0, y1) = line.x, line.y
    assert (arrows.x[0], arrows.y[0]) == pytest.approx(((x0 + x1) / 2, (y0 + y1) / 2))
    angle = np.radians(arrows.marker.angle[0])  # clockwise from north
    direction = np.array([x1 - x0, y1 - y0]) / np.hypot(x1 - x0, y1 - y0)
    assert np.array([np.sin(angle), np.cos(angle)]) == pytest.approx(direction)


def test_network_layout_is_deterministic():
    first, second = rules_network_figure(RULES), rules_network_figure(RULES)
    assert list(first.data[-1].x) == list(second.data[-1].x) and list(first.data[-1].y) == list(second.data[-1].y)


def test_network_shows_the_top_rules_only():
    fig = rules_network_figure(RULES, top=2)
    assert sum(t.mode == "lines" for t in fig.data) == 2 and len(fig.data[-1].x) == 2
    assert "The 2 strongest rules" in fig.layout.title.subtitle.text


def test_matrix_cells_hold_the_lift():
    fig = rules_matrix_figure(RULES)
    heat = fig.data[0]
    assert list(heat.y) == [ESCAPED, "tea", "tea; cake", "cup"]  # antecedents, strongest first
    assert list(heat.x) == ["tea", ESCAPED, "cup"]
    z = np.array(heat.z, dtype=float)
    assert z.shape == (4, 3)
    assert z[0, 0] == 4.0 and z[1, 1] == 4.0 and z[2, 2] == 3.0 and z[3, 0] == 1.5
    assert np.isnan(z).sum() == 12 - 4  # blank where there is no rule
    assert "<br>confidence 0.90 · lift 3.0<br>support 10.0 % · 20 baskets" in heat.text[2][2]


@pytest.mark.parametrize("draw", [rules_network_figure, rules_matrix_figure])
def test_user_text_is_escaped(draw):
    texts = strings(draw(RULES, subtitle="<i>mine</i>"))
    assert not any("<b>x</b>" in t or "<i>" in t for t in texts)
    assert any(ESCAPED in t for t in texts)


@pytest.mark.parametrize("draw", [rules_network_figure, rules_matrix_figure])
def test_empty_rules_say_so(draw):
    fig = draw(RULES.iloc[:0])
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == NO_RULES
