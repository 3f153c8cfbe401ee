"""The α trade-off ranking: hand-computed utilities, α at both ends, unmeasured models."""
from __future__ import annotations

import pytest

from analytics.insights.model_ranking import rank_models
from analytics.store.model_rows import RegisteredModel


def _model(model_id, f1, rate, size, *, active=False, variant="fp32"):
    speed = {} if rate is None else {"cpu_rows_per_s": rate, "size_mb": size}
    return RegisteredModel(model_id, "sentiment", model_id.upper(), f"/m/{model_id}", None, (),
                           {"macro_f1": f1, "speed": speed, "variant": variant}, active)


MODELS = [_model("fp32", 0.80, 100.0, 90.0, active=True), _model("int8", 0.79, 160.0, 30.0, variant="int8"),
          _model("old", 0.70, None, None)]


def test_utilities_match_hand_computation():
    table = rank_models(MODELS, alpha=0.5).set_index("model_id")
    # fp32: speed 100/160, size 30/90 -> cost (0.625 + 0.3333) / 2 = 0.479
    assert table.loc["fp32", "cost_score"] == pytest.approx(0.479, abs=1e-3)
    assert table.loc["int8", "cost_score"] == 1.0
    assert table.loc["old", "cost_score"] == 0.0  # never measured
    assert table.loc["int8", "utility"] == pytest.approx(0.5 * 0.79 + 0.5 * 1.0)
    assert table["rank"].to_dict() == {"int8": 1, "fp32": 2, "old": 3}


def test_alpha_one_ranks_by_quality_alone_and_zero_by_cost_alone():
    assert rank_models(MODELS, alpha=1.0)["model_id"].tolist() == ["fp32", "int8", "old"]
    assert rank_models(MODELS, alpha=0.0)["model_id"].tolist() == ["int8", "fp32", "old"]


def test_models_without_quality_are_left_out_and_bad_alpha_is_refused():
    unmeasured = RegisteredModel("x", "sentiment", "X", "/m/x", None, (), {}, False)
    assert rank_models([unmeasured], alpha=0.5).empty
    assert rank_models([unmeasured, MODELS[0]], alpha=0.5)["model_id"].tolist() == ["fp32"]
    with pytest.raises(ValueError, match="alpha=1.5 should be between 0 and 1"):
        rank_models(MODELS, alpha=1.5)
