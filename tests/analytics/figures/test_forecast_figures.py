"""Tests for analytics.figures.forecast: the traces each chart draws, the not-worth-it note, user text escaped."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analytics.figures.forecast import backtest_figure, decomposition_figure, forecast_figure
from analytics.insights.forecast import backtest, decompose, fit_forecast
from analytics.insights.series import Metric
from tests.analytics.insights.test_forecast import make_series


@pytest.fixture(scope="module")
def weekly_pattern():
    rng = np.random.default_rng(0)
    values = 50 + 12 * np.tile([1.4, 1.15, 1.05, 1.0, 0.95, 0.7, 0.6], 30) + rng.normal(0, 3, 210)
    series = make_series(values, kind="count", label="<b>Volume</b>")
    partial = series.partial.copy()
    partial.iloc[-1] = True  # the last day only partly covered: drawn apart, left out of the fit
    return dataclasses.replace(series, partial=partial)


def test_the_forecast_draws_both_bands_history_forecast_and_alerts(weekly_pattern):
    result = fit_forecast(weekly_pattern, 14)
    alerts = pd.DataFrame({"period": weekly_pattern.values.index[[100, 150]], "actual": [90.0, 10.0],
                           "expected": [60.0, 55.0], "severity": [0.8, 1.2], "direction": ["above", "below"]})
    fig = forecast_figure(result, alerts=alerts)
    assert [t.name for t in fig.data] == ["95 % interval", "80 % interval", "actual", "partial period", "forecast",
                                          "alert: above expected", "alert: below expected"]
    band95, band80 = fig.data[0], fig.data[1]
    assert len(band95.x) == 28 and band95.y[0] == result.frame["upper_95"].iloc[0]
    assert band95.y[-1] == result.frame["lower_95"].iloc[0]  # the polygon closes on the first lower bound
    assert max(band80.y) <= max(band95.y) and min(band80.y) >= min(band95.y)
    assert list(fig.data[4].y) == result.frame["mean"].tolist() and list(fig.data[5].y) == [90.0]
    assert np.isnan(fig.data[2].y[-1]) and list(fig.data[3].y) == [weekly_pattern.values.iloc[-1]]
    assert fig.layout.title.text == "&lt;b&gt;Volume&lt;/b&gt;: forecast"
    assert "80 % and 95 % prediction intervals" in fig.layout.title.subtitle.text
    assert "does not beat" not in fig.layout.title.subtitle.text


def test_a_model_that_loses_the_backtest_is_said_in_the_subtitle(weekly_pattern):
    result = fit_forecast(weekly_pattern, 7)
    won = backtest(weekly_pattern, horizon=14, folds=2)
    assert won.beats
    lost = dataclasses.replace(won, beats=False, gain=-0.1,
                               verdict="use the naive forecast: the model does not beat it")
    shown = forecast_figure(result, backtest=won).layout.title.subtitle.text
    assert "Backtest: the model beats seasonal-naive by" in shown
    note = forecast_figure(result, backtest=lost).layout.title.subtitle.text
    assert "the model does not beat seasonal-naive" in note and "use the naive forecast" in note


def test_shares_are_plotted_as_percentages():
    series = make_series(0.1 + 0.01 * np.random.default_rng(1).normal(size=60), freq="W", kind="share")
    series = dataclasses.replace(series, metric=Metric("negative_share", "% negative", "share"))
    fig = forecast_figure(fit_forecast(series, 4))
    assert fig.layout.yaxis.tickformat == ".0%" and [t.name for t in fig.data][-1] == "forecast"


def test_the_decomposition_has_three_stacked_panels(weekly_pattern):
    parts = decompose(weekly_pattern)
    fig = decomposition_figure(parts)
    assert [t.name for t in fig.data] == ["trend", "seasonal", "remainder"]
    assert [t.yaxis for t in fig.data] == ["y", "y2", "y3"]
    assert [a.text for a in fig.layout.annotations] == ["Trend", "Seasonal (period 7)", "Remainder"]
    assert list(fig.data[1].y) == parts.frame["seasonal"].tolist()
    assert "season of 7 days" in fig.layout.title.subtitle.text and fig.layout.title.text.startswith("&lt;b&gt;")


def test_the_backtest_compares_mase_per_fold_and_overall(weekly_pattern):
    scored = backtest(weekly_pattern, horizon=14, folds=3)
    fig = backtest_figure(scored)
    assert [t.name for t in fig.data] == ["model", "seasonal-naive"]
    assert list(fig.data[0].x) == ["fold 1", "fold 2", "fold 3", "overall"]
    assert fig.data[0].y[-1] == scored.mase_model and fig.data[1].y[-1] == scored.mase_naive
    assert fig.layout.title.subtitle.text.startswith("The model beats seasonal-naive by")


def test_empty_input_says_why():
    assert forecast_figure(None).layout.annotations[0].text.startswith("No forecast yet")
    assert decomposition_figure(None).layout.annotations[0].text.startswith("No decomposition")
    assert backtest_figure(None).layout.annotations[0].text.startswith("No backtest")
    assert len(forecast_figure(None).data) == 0
