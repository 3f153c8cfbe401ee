"""Compare: is group A really different from group B? Two values of a column, or before / after a date."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from analytics.figures.compare import difference_figure, forest_figure, groups_figure
from analytics.insights.compare import (
    CORRECTIONS,
    compare_groups,
    compare_metrics,
    format_p,
    group_columns,
    groups_by_date,
    groups_by_value,
    one_vs_rest,
)
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows
from pages.common.loaders import dataset_filter_options, get_store, source_numbers, stored_sentiment, stored_tags
from pages.common.widgets import plain_label, scope_caption

BY_VALUE, BY_DATE = "Two values of a column", "Before / after a date"

store = get_store()
info = require_dataset(store)
st.title("Compare")
rows = filtered_rows(info)
require_rows(rows)
rows = rows.merge(source_numbers(info), on="_row", how="left")  # numeric source columns (an A/B metric …)
stored = stored_sentiment(store, info)
sentiment, tags = (stored[0] if stored else None), stored_tags(store, info)
scale = info.rating_scale
source = stored[1] if stored else "ratings" if info.mapping.get("rating") else None
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"% negative from {source}"] if source else [])

metrics = compare_metrics(rows, sentiment=sentiment, tags=tags)
usable = {m.key: m for m in metrics if m.available}
for missing in (m for m in metrics if not m.available):
    st.caption(f"{plain_label(missing.label)}: {missing.needs.rstrip('.')}.")
if not usable:
    st.info("Nothing to compare yet: map a rating, an expectation or a numeric column on the Data page, or score "
            "the texts on the Sentiment page.", icon=":material/info:")
    st.stop()
left, right = st.columns(2)
metric = usable[left.selectbox("Metric", list(usable), format_func=lambda k: usable[k].label, key="compare_metric")]
columns = group_columns(rows)
modes = ([BY_VALUE] if columns else []) + ([BY_DATE] if dataset_filter_options(info).date_min else [])
if not modes:
    st.info("Groups come from a column with a few values (channel, product, a variant column) or from dates; this "
            "dataset has neither. Map one on the Data page.", icon=":material/info:")
    st.stop()
mode = right.radio("Groups", modes, horizontal=True, key="compare_mode")
try:
    if mode == BY_VALUE:
        column = st.selectbox("Column", columns, key="compare_column")
        values = sorted(rows[column].dropna().astype(str).unique().tolist())
        a_col, b_col = st.columns(2)
        a = a_col.selectbox("Group A (baseline)", values, key=f"compare_a_{column}")
        b = b_col.selectbox("Group B", values, index=min(1, len(values) - 1), key=f"compare_b_{column}")
        samples = groups_by_value(rows, metric, column=column, a=a, b=b, sentiment=sentiment, tags=tags, scale=scale)
    else:
        options = dataset_filter_options(info)
        middle = options.date_min + timedelta(days=(options.date_max - options.date_min).days // 2)
        split = st.date_input("Split at (group B starts on this day)", middle, min_value=options.date_min,
                              max_value=options.date_max, key="compare_split")
        samples = groups_by_date(rows, metric, split=split, sentiment=sentiment, tags=tags, scale=scale)
    comparison = compare_groups(samples[0].values, samples[1].values, kind=metric.kind,
                                labels=(samples[0].label, samples[1].label))
except ValueError as error:
    st.error(plain_label(error), icon=":material/error:")
    st.stop()

cards = st.columns(3)
for card, group in zip(cards, (comparison.a, comparison.b)):
    value = f"{group.value:.3g}" if metric.kind == "mean" else f"{group.value:.1%}"
    card.metric(plain_label(group.label), value, border=True)
    card.caption(f"n = {group.n:,}")
cards[2].metric("Difference (B − A)", f"{comparison.difference:+.3g}" if metric.kind == "mean"
                else f"{comparison.difference * 100:+.1f} pts", border=True)
cards[2].caption(f"{comparison.test}: {format_p(comparison.p_value)}" if comparison.p_value is not None
                 else "no test: see the verdict")
st.text(comparison.verdict)  # holds user labels: plain text, never markdown
left, right = st.columns(2)
left.plotly_chart(groups_figure(comparison, metric_label=metric.label), width="stretch")
right.plotly_chart(difference_figure(comparison, metric_label=metric.label), width="stretch")
details = pd.DataFrame([{"test": t.name, "statistic": t.statistic, "p": format_p(t.p_value)} for t in comparison.tests])
if len(details):
    st.dataframe(details, hide_index=True, width="stretch")
effect = f"{comparison.effect_name} {comparison.effect_size:.2f} ({comparison.effect_label})" \
    if comparison.effect_size is not None else ""
odds = f" · odds ratio {comparison.odds_ratio:.2f}" if comparison.odds_ratio is not None else ""
ci = f"{comparison.ci_method} interval {comparison.ci_low:+.3g} to {comparison.ci_high:+.3g}" \
    if comparison.ci_low is not None else ""
st.caption(" · ".join(part for part in (ci, effect + odds) if part))
for note in comparison.notes:
    st.caption(note)
st.caption("Each interaction counts as independent; one customer's many interactions make p-values look surer "
           "than they are.")

st.subheader("One value against all the others")
if columns:
    left, right = st.columns(2)
    column = left.selectbox("Column", columns, key="compare_rest_column")
    correction = right.radio("Correction for many tests", list(CORRECTIONS), format_func=CORRECTIONS.get,
                             horizontal=True, key="compare_correction")
    table = one_vs_rest(rows, column, metric, correction=correction, sentiment=sentiment, tags=tags, scale=scale)
    st.plotly_chart(forest_figure(table, metric_label=metric.label), width="stretch")
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"p-values adjusted with {table.attrs.get('correction', CORRECTIONS[correction])}; "
               f"{table.attrs.get('skipped', 0)} values with fewer than {table.attrs.get('min_n')} interactions "
               "left out.")
