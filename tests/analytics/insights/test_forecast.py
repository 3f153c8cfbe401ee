"""Tests for analytics.insights.series, arima and forecast: the series builder, SARIMA selection on simulated
processes with known answers, the backtest verdict, STL, bad input, the demo's planted facts and real data."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.arima_process import arma_generate_sample

from analytics.insights.forecast import backtest, decompose, fit_forecast, seasonal_naive
from analytics.insights.series import (
    NO_TIMESTAMP,
    PERIOD_FREQS,
    Metric,
    MetricSeries,
    available_metrics,
    build_series,
    timestamp_hint,
)

VERDICTS = r"^(the model beats (seasonal-)?naive by \d+ %|use the naive forecast: the model does not beat it)$"


def make_series(values, *, freq="D", kind="mean", start="2024-01-01", label="Simulated"):
    """A MetricSeries straight from values (n = 100 behind every period, nothing partial)."""
    index = pd.date_range(start, periods=len(values), freq=PERIOD_FREQS[freq], name="period")
    return MetricSeries(Metric("x", label, kind), freq, pd.Series(np.asarray(values, dtype=float), index=index),
                        pd.Series(100, index=index), pd.Series(False, index=index), 10)


# --- the series builder -------------------------------------------------------------------------------------------

def _rows():
    return pd.DataFrame({
        "record_id": [str(i) for i in range(7)],
        # Tue 2025-01-07, Wed 2025-01-08 (week of Jan 6); nothing in the week of Jan 13; Mon 2025-01-20 ×3,
        # Sun 2025-01-26 (still the week of Jan 20); Wed 2025-01-29.
        "timestamp": pd.to_datetime(["2025-01-07 09:00", "2025-01-08 00:00", "2025-01-20 00:00", "2025-01-20 10:00",
                                     "2025-01-20 11:00", "2025-01-26 23:59", "2025-01-29 12:00"]),
        "rating": [0.0, 1.0, 0.25, 0.75, None, 0.5, 1.0],
        "amount": [10.0, 10.0, 5.0, 5.0, 5.0, 7.0, 1.0],
        "order_id": ["o1", "o1", "o2", "o2", "o2", "o3", "o4"],
    })


def test_counts_are_zero_filled_means_gapped_and_weeks_start_on_monday():
    volume = build_series(_rows(), "volume", freq="W")
    assert list(volume.values.index.strftime("%Y-%m-%d")) == ["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"]
    assert (volume.values.index.day_of_week == 0).all()
    assert volume.values.tolist() == [2.0, 0.0, 4.0, 1.0] and volume.n.tolist() == [2, 0, 4, 1]
    rating = build_series(_rows(), "mean_rating", freq="W", min_n=1)
    assert rating.values.iloc[1] != rating.values.iloc[1]  # the empty week is a gap, not 0
    assert rating.values.iloc[0] == 0.5 and rating.values.iloc[2] == pytest.approx(0.5)
    assert rating.n.tolist() == [2, 0, 3, 1]
    # Rows of one order repeat its total: each order is counted once (10 + 5 in two weeks, 7 and 1 alone).
    revenue = build_series(_rows(), "revenue", freq="W")
    assert revenue.values.tolist() == [10.0, 0.0, 12.0, 1.0] and "each order counts once" in revenue.note


def test_min_n_turns_thin_means_into_gaps_but_not_counts():
    rating = build_series(_rows(), "mean_rating", freq="W", min_n=2)
    assert rating.values.isna().tolist() == [False, True, False, True]  # 2, 0, 3 and 1 rated rows
    assert build_series(_rows(), "volume", freq="W", min_n=50).values.tolist() == [2.0, 0.0, 4.0, 1.0]


def test_negative_share_from_ratings_or_from_stored_sentiment():
    rule = build_series(_rows(), "negative_share", freq="M", min_n=1)
    assert rule.values.tolist() == [pytest.approx(2 / 6)]  # 0.0 and 0.25 are below 0.4; one row is unrated
    sentiment = pd.DataFrame({"record_id": ["0", "1", "2"], "label": ["positive", "negative", "negative"]})
    scored = build_series(_rows(), "negative_share", freq="M", sentiment=sentiment, min_n=1)
    assert scored.values.tolist() == [pytest.approx(2 / 3)] and scored.n.tolist() == [3]


def test_partial_first_and_last_periods_are_flagged_and_left_out_of_count_history():
    weekly = build_series(_rows(), "volume", freq="W")
    assert weekly.partial.tolist() == [True, False, False, True]  # starts on a Tuesday, ends on a Wednesday
    assert weekly.history().index.strftime("%d").tolist() == ["13", "20"]
    assert len(build_series(_rows(), "mean_rating", freq="W", min_n=1).history()) == 4  # means keep them
    assert not build_series(_rows(), "volume", freq="D").partial.any()


def test_a_frequency_finer_than_the_dates_is_refused():
    monthly = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-05-01"])})
    with pytest.raises(ValueError, match="freq='D' is finer than the data: every date is the 1st of a month"):
        build_series(monthly, "volume", freq="D")
    with pytest.raises(ValueError, match="Use 'M'"):
        build_series(monthly, "volume", freq="W")
    series = build_series(monthly, "volume", freq="M")
    assert series.values.tolist() == [1.0, 1.0, 1.0, 0.0, 1.0] and not series.partial.any()


def test_available_metrics_say_what_to_map_and_tags_give_one_share_per_label():
    metrics = {m.key: m for m in available_metrics(_rows())}
    assert metrics["mean_gap"].reason == "map an expectation column" and not metrics["mean_gap"].available
    assert metrics["revenue"].available and metrics["volume"].kind == "count"
    tags = {"topic": pd.DataFrame({"record_id": ["0", "1", "2"], "label": ["delivery", "delivery", "price"]})}
    shares = [m.key for m in available_metrics(_rows(), tags=tags) if m.kind == "share"]
    assert shares == ["negative_share", "topic:delivery", "topic:price"]
    share = build_series(_rows(), "topic:delivery", freq="M", tags=tags, min_n=1)
    assert share.values.tolist() == [pytest.approx(2 / 3)]  # of the 3 tagged rows
    bare = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01"])})
    assert {m.key: m.reason for m in available_metrics(bare)}["mean_rating"] == "map a rating column"


def test_no_timestamp_gives_no_metric_and_says_which_column_enables_the_page():
    frame = pd.DataFrame({"text": ["hi"], "rating": [0.5]})
    assert available_metrics(frame) == [] and timestamp_hint(frame) == NO_TIMESTAMP
    assert "Map a date column (timestamp)" in NO_TIMESTAMP
    with pytest.raises(ValueError, match="Map a date column"):
        build_series(frame, "volume", freq="W")
    with pytest.raises(ValueError, match="is not available: map a rating column"):
        build_series(pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01"])}), "mean_rating", freq="D")


# --- model selection on simulated processes ------------------------------------------------------------------------

@pytest.mark.filterwarnings("error")
def test_arima_111_is_recovered(recwarn):
    # ARIMA(1,1,1) with phi = 0.7 and theta = 0.4: the levels need one difference, the differences none.
    rng = np.random.default_rng(1)
    x = arma_generate_sample([1, -0.7], [1, 0.4], 500, distrvs=rng.standard_normal)
    result = fit_forecast(make_series(100 + np.cumsum(x)), 10)
    assert result.order == (1, 1, 1) and result.seasonal_order[1] == 0
    assert result.coefficients["ar.L1"] == pytest.approx(0.7, abs=0.1)  # tolerance: 0.1 on 500 points
    assert result.coefficients["ma.L1"] == pytest.approx(0.4, abs=0.1)
    assert "ADF" in result.tests and "KPSS" in result.tests and "d = 1" in result.tests
    assert "level: ADF p = " in result.tests and "cannot reject a unit root" in result.tests
    frame = result.frame
    assert len(frame) == 10 and (frame["period"].iloc[0] - pd.Timestamp("2024-01-01")).days == 500
    assert ((frame["lower_95"] <= frame["lower_80"]) & (frame["lower_80"] <= frame["mean"])
            & (frame["mean"] <= frame["upper_80"]) & (frame["upper_80"] <= frame["upper_95"])).all()
    assert (frame["upper_95"] - frame["lower_95"]).is_monotonic_increasing  # a unit root: uncertainty grows
    assert len(result.candidates) <= 8 and len(recwarn) == 0


def _weekly_pattern(n=210, noise=3.0, seed=0):
    rng = np.random.default_rng(seed)
    return 50 + 12 * np.tile([1.4, 1.15, 1.05, 1.0, 0.95, 0.7, 0.6], n // 7 + 1)[:n] + rng.normal(0, noise, n)


def test_a_seasonal_series_gets_its_season_and_beats_seasonal_naive():
    series = make_series(_weekly_pattern(), kind="count")
    result = fit_forecast(series, 14)
    assert result.seasonal_order[3] == 7 and "Season of 7 periods" in result.tests
    by_day = result.frame.groupby(result.frame["period"].dt.day_of_week)["mean"].mean()
    assert by_day.idxmax() == 0 and by_day.idxmin() == 6  # the forecast keeps Monday high, Sunday low
    scored = backtest(series, horizon=14, folds=3)
    assert scored.benchmark == "seasonal-naive" and scored.beats and scored.gain >= 0.15
    assert scored.verdict == f"the model beats seasonal-naive by {round(100 * scored.gain)} %"
    assert len(scored.folds) == 3 and len(scored.forecasts) == 42
    assert scored.mase_model < scored.mase_naive and scored.smape_model < scored.smape_naive


def test_white_noise_beats_naive_by_the_known_margin_and_a_random_walk_does_not():
    # White noise: the mean forecast errs by sigma, naive (last value) by sigma * sqrt(2), so the model must
    # remove about 1 - 1/sqrt(2) = 29 % of the naive error — no more: there is nothing else to learn.
    gains = [backtest(make_series(5 + np.random.default_rng(s).normal(size=150), freq="W"), horizon=10, folds=4).gain
             for s in range(6)]
    assert np.mean(gains) == pytest.approx(1 - 1 / np.sqrt(2), abs=0.1)
    # A random walk: naive is the optimal forecast, so the verdict says to use it.
    walks = [backtest(make_series(100 + np.random.default_rng(s).normal(size=150).cumsum(), freq="W"), horizon=10,
                      folds=4) for s in range(6)]
    assert sum(w.beats for w in walks) <= 1 and abs(np.mean([w.gain for w in walks])) < 0.05
    assert all(w.benchmark == "naive" for w in walks)
    assert all(w.verdict == "use the naive forecast: the model does not beat it" for w in walks if not w.beats)


def test_seasonal_naive_repeats_the_last_observed_season():
    train = np.array([1.0, 2.0, 3.0, 10.0, 20.0, np.nan])
    assert seasonal_naive(train, 3, 4).tolist() == [10.0, 20.0, 3.0, 10.0]  # the gap falls back a season
    assert seasonal_naive(train, 1, 2).tolist() == [20.0, 20.0]


def test_decompose_finds_the_weekly_pattern():
    parts = decompose(make_series(_weekly_pattern(), kind="count"))
    by_day = parts.frame.groupby(parts.frame["period"].dt.day_of_week)["seasonal"].mean()
    planted = np.array([1.4, 1.15, 1.05, 1.0, 0.95, 0.7, 0.6])
    assert np.corrcoef(by_day, planted)[0, 1] > 0.95 and by_day.idxmax() == 0
    # The planted season and the noise have about the same variance (8.95 and 9): strength near 0.5–0.65,
    # where the same noise alone stays near 0.2 (the seasonal smoother picks up a little of it).
    assert parts.period == 7 and 0.5 < parts.strength < 0.75
    assert decompose(make_series(50 + np.random.default_rng(0).normal(0, 3, 210), kind="count")).strength < 0.3
    assert np.allclose(parts.frame[["trend", "seasonal", "remainder"]].sum(axis=1), parts.frame["observed"])


# --- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("values", "message"), [
    ([1.0, 2.0, 3.0], "3 days with a value; a model needs at least 8"),
    ([0.0] * 30, "is 0 in every one of the 30 days"),
    ([4.2] * 30, "is 4.2 in every day with a value"),
    ([1.0, np.nan, np.nan, np.nan] * 10, "30 of 40 days are gaps"),
    ([1.0, 2.0, 1.5] * 10 + [np.nan] * 25 + [1.0, 2.0, 1.5] * 10, "25 days in a row have no value"),
])
def test_bad_series_get_a_clear_message_and_print_no_warning(values, message, recwarn):
    series = make_series(values, label="Mean rating")
    for run in (lambda: fit_forecast(series, 3), lambda: decompose(series), lambda: backtest(series, horizon=2)):
        with pytest.raises(ValueError, match=message):
            run()
    assert len(recwarn) == 0


def test_bad_options_and_short_histories_are_refused():
    series = make_series(_weekly_pattern(n=30), kind="count")
    with pytest.raises(ValueError, match="horizon=0 should be a whole number"):
        fit_forecast(series, 0)
    with pytest.raises(ValueError, match="horizon=31 days is longer than the 30 days of history"):
        fit_forecast(series, 31)
    with pytest.raises(ValueError, match="A backtest of 3 folds × 10 days needs more than 30 days"):
        backtest(series, horizon=10, folds=3)
    with pytest.raises(ValueError, match="two full seasons of 12 months"):
        decompose(make_series(np.arange(20.0), freq="M"))


def test_a_model_that_runs_out_of_time_keeps_the_best_fit_so_far():
    result = fit_forecast(make_series(_weekly_pattern(), kind="count"), 7, time_limit=0.0)
    assert len(result.candidates) == 1 and result.order[0] == result.order[2] == 0
    assert any("time limit of 0 s was reached after 1 candidate order(s)" in w for w in result.warnings)


# --- the demo's planted facts ---------------------------------------------------------------------------------------

def test_the_demo_weekday_pattern_shows_in_the_daily_stl(demo_rows):
    parts = decompose(build_series(demo_rows, "volume", freq="D"))
    by_day = parts.frame.groupby(parts.frame["period"].dt.day_of_week)["seasonal"].mean()
    assert by_day.idxmax() == 0 and by_day.idxmin() == 6  # Monday high, Sunday low (fact 1)
    assert by_day[0] > 0 > by_day[6]


def test_the_demo_november_december_peaks_are_forecast(demo_rows):
    history = demo_rows[demo_rows["timestamp"] < "2025-11-01"]
    series = build_series(history, "volume", freq="M")
    result = fit_forecast(series, 2)
    assert result.frame["period"].dt.strftime("%Y-%m").tolist() == ["2025-11", "2025-12"]
    jan_oct = series.values[series.values.index.month <= 10].mean()
    assert (result.frame["mean"] > 1.2 * jan_oct).all()  # fact 2: Nov–Dec are 1.64 × Jan–Oct
    assert result.seasonal_order[1] == 1 and result.seasonal_order[3] == 12  # a seasonal difference at lag 12


# --- real data ------------------------------------------------------------------------------------------------------

@pytest.mark.real_data
def test_online_retail_daily_orders_forecast_and_backtest():
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "online-retail" / "online_retail.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the real data sits beside the project only on dev machines)")
    raw = pd.read_parquet(path, columns=["InvoiceNo", "InvoiceDate"])
    kept = raw[~raw["InvoiceNo"].astype(str).str.startswith("C")]  # cancellations are not orders
    orders = kept.groupby("InvoiceNo", as_index=False)["InvoiceDate"].min().rename(columns={"InvoiceDate": "timestamp"})
    series = build_series(orders, "volume", freq="D")
    assert series.values.sum() == orders["InvoiceNo"].nunique()
    result = fit_forecast(series, 14)
    scored = backtest(series, horizon=14, folds=3)
    assert len(result.frame) == 14 and (result.frame["lower_95"] >= 0).all()
    assert pd.Series([scored.verdict]).str.match(VERDICTS).all()
    print(f"Online Retail daily orders: {result.model}; backtest: {scored.verdict} "
          f"(MASE {scored.mase_model:.2f} vs {scored.benchmark} {scored.mase_naive:.2f})")
