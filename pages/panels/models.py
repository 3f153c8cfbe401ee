"""Models page panels: one model's report, models compared side by side, and ranking by a quality–cost trade-off."""
from __future__ import annotations

import streamlit as st

from analytics.figures.models import confusion_figure
from analytics.insights.model_ranking import rank_models
from analytics.insights.model_reports import (
    compare_table,
    comparison_table,
    per_class_table,
    selection_sentence,
    selection_table,
    stronger_baselines,
)
from analytics.language import describe_mix
from analytics.store.database import Store
from analytics.store.model_rows import RegisteredModel, activate_model
from models.registry import read_meta
from pages.common.widgets import plain_label


def report_panel(chosen: RegisteredModel) -> None:
    """The chosen model's test report next to its baselines: per-class scores and the confusion matrix."""
    try:
        meta = read_meta(chosen.folder)
        metrics = meta.metrics
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
        metrics = None
    if metrics:
        languages = (metrics.get("data") or {}).get("languages")
        st.caption(plain_label(f"Base: {meta.base}" + (f" · languages of the training texts: "
                                                       f"{describe_mix(languages)}" if languages else "")))
        if before := metrics.get("compared_with"):
            st.caption(f"int8 variant: macro-F1 {metrics['macro_f1']:.3f} against {before['macro_f1']:.3f} for the "
                       f"fp32 original on the same {metrics.get('n', 0):,} test rows; "
                       f"{metrics['speed']['cpu_rows_per_s']:,.0f} against {before['cpu_rows_per_s']:,.0f} rows/s "
                       f"on this CPU; {metrics['speed']['size_mb']:.0f} against {before['size_mb']:.0f} MB.")
        selection_panel(metrics)
        st.dataframe(comparison_table(metrics), hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.dataframe(per_class_table(metrics), hide_index=True, width="stretch")
        right.plotly_chart(confusion_figure(metrics), key="models_confusion")


def selection_panel(metrics: dict) -> None:
    """Which kind its run activated, by how much, every warning (a transformer that lost) and the calibration."""
    if sentence := selection_sentence(metrics):
        st.markdown(f"**{sentence}**")
        st.dataframe(selection_table(metrics), hide_index=True, width="stretch",
                     column_config={"activated": st.column_config.CheckboxColumn()})
    for warning in ((metrics.get("selection") or {}).get("warnings") or []) + stronger_baselines(metrics):
        st.warning(warning, icon=":material/warning:")
    calibration = metrics.get("calibration") or {}
    if calibration:
        before, after = calibration.get("ece_before"), calibration.get("ece_after")
        ece = f" Expected calibration error on the test rows: {before:.3f} before, {after:.3f} after." if (
            before is not None and after is not None) else ""
        st.caption(f"Confidence calibration: temperature {calibration.get('temperature', 1.0):.2f} fitted on the "
                   f"validation rows (bounded to 0.5–5).{ece} {calibration.get('note') or ''}")


def compare_panel(models: list[RegisteredModel], chosen: RegisteredModel, names: dict[str, str]) -> None:
    """Chosen models of the same task side by side."""
    same_task = {m.model_id: names[m.model_id] for m in models if m.task == chosen.task}
    picked = st.multiselect("Models to compare", list(same_task), default=list(same_task)[:3],
                            format_func=same_task.get, key="models_compare")
    cards = {}
    for model_id in picked:
        model = next(m for m in models if m.model_id == model_id)
        try:
            cards[names[model_id]] = read_meta(model.folder).metrics
        except ValueError as error:
            st.warning(plain_label(f"{names[model_id]}: {error}"), icon=":material/warning:")
    if cards:
        st.dataframe(compare_table(cards), hide_index=True, width="stretch")


def rank_panel(store: Store, models: list[RegisteredModel], chosen: RegisteredModel) -> None:
    """The task's models ranked by U = α·macro-F1 + (1−α)·cost score, with the best one a click away."""
    alpha = st.slider("α: weight of quality against speed and size", 0.0, 1.0, 0.7, 0.05, key="models_alpha")
    ranking = rank_models([m for m in models if m.task == chosen.task], alpha=alpha)
    st.caption(f"U = α·macro-F1 + (1−α)·cost score, for the '{plain_label(chosen.task)}' models. The cost score "
               "is the mean of CPU speed and smallness relative to the best model here (1 = fastest and smallest).")
    st.dataframe(ranking.drop(columns=["model_id"]), hide_index=True, width="stretch",
                 column_config={"active": st.column_config.CheckboxColumn(),
                                "utility": st.column_config.ProgressColumn("U", min_value=0, max_value=1,
                                                                           format="%.3f")})
    if not ranking.empty and not ranking.iloc[0]["active"]:
        best = ranking.iloc[0]
        st.button(f"Activate '{plain_label(best['name'])}' (best U)", key="models_activate_best",
                  on_click=activate_model,
                  args=(store, best["model_id"]))
