"""The Recommendations page's reply strategies: which interactions await a reply, the playbook that answers them,
a priority queue with its formula, and the most similar past interactions of the one being answered."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.playbook import (
    DEFAULT_PLAYBOOK,
    EMOTION_RULE,
    EMOTIONS,
    FALLBACK,
    OPEN_CHANNELS,
    QueueResult,
    assign_strategies,
    customer_spend,
    mark_open,
    priority_queue,
    similar_interactions,
    validate_playbook,
)
from analytics.insights.sentiment import attach_sentiment
from analytics.insights.topics import TAG_SCHEMES, LabelSet, has_text, tag_interactions
from analytics.insights.verbatims import shorten_cells
from analytics.store.database import DatasetInfo, Store
from analytics.store.playbooks import delete_playbook, load_playbook, save_playbook
from models.flows.embedding_jobs import INLINE_LIMIT
from pages.common.embeddings import dataset_vectors, encoder_label, has_vectors, stored_vectors, zero_shot_tags
from pages.common.frame import current_filters
from pages.common.loaders import cached, dataset_rows, sentiment_predictions, stored_tags
from pages.common.widgets import ProgressBar, download_buttons, plain_label
from pages.panels.topics import embedding_status

OPEN_STATUSES = ("open", "pending", "new")
STATUS_VALUES_LIMIT = 50  # a source column with more distinct values is not a status
STATUS_COLUMNS_LIMIT = 100  # source columns looked at for a status (wide files have thousands)
SHOWN = 500  # queue rows drawn in the table (the downloads hold all of them)
PICKABLE = 200  # queue rows a user can open one by one
WINDOWS = (7, 30, 90, 365, 0)  # "received within" choices in days; 0: any time
QUEUE_COLUMNS = ["rank", "record_id", "priority", "negative_intensity", "customer_value", "age_factor", "days_open",
                 "emotion", "intent", "strategy", "channel", "customer_id", "product", "order_id", "timestamp", "text"]


def _intents(store: Store, info: DatasetInfo) -> tuple[pd.Series, str]:
    """record_id -> intent: the fine-tuned classifier's, else zero-shot once the texts are embedded, else keyword
    rules; with the words that say which."""
    tags = stored_tags(store, info).get("intent")
    if tags is not None:
        return tags.set_index("record_id")["label"], "intents from the trained intent classifier"
    scheme, home = TAG_SCHEMES["intents"], str(gapsight_home())
    if has_vectors(info):
        tagged = zero_shot_tags(home, info.id, info.version, scheme.name, tuple(scheme.descriptions.items()),
                                tuple(scheme.keywords.items()), scheme.threshold, False, _info=info)
        return (tagged.set_index("record_id")[scheme.column],
                "zero-shot intents (the default labels of Topics & intents)")

    def keyword_only() -> pd.Series:
        rows = dataset_rows(info)
        rows = rows[has_text(rows)]
        no_similarity = np.zeros((len(rows), len(scheme.descriptions)), dtype=np.float32)
        tagged = tag_interactions(rows, no_similarity, LabelSet(dict(scheme.descriptions), dict(scheme.keywords)),
                                  scheme, threshold=scheme.threshold, multi_label=False)
        return tagged.set_index("record_id")[scheme.column]

    return (cached("keyword_intents", (home, info.id, info.version), (), keyword_only),
            "intents from keyword rules only (embed the texts or fine-tune an intent classifier for better ones)")


def _status_columns(store: Store, info: DatasetInfo) -> dict[str, list[str]]:
    """Unmapped source columns with few distinct values (candidates for a ticket status) and their values."""
    def read() -> dict[str, list[str]]:
        mapped = set(info.mapping.values())
        columns = [c for c in store.load_raw(info.id, limit=1).columns if c != "_row" and c not in mapped]
        columns = columns[:STATUS_COLUMNS_LIMIT]
        found = {}
        for column in columns:
            values = store.load_raw(info.id, columns=[column])[column].dropna().astype(str).str.strip()
            distinct = sorted(set(values) - {""})
            if 1 <= len(distinct) <= STATUS_VALUES_LIMIT:
                found[column] = distinct
        return found
    return cached("status_columns", (str(gapsight_home()), info.id, info.version), (), read)


def _open_mask(store: Store, info: DatasetInfo, rows: pd.DataFrame) -> tuple[pd.Series | None, tuple]:
    """The user's choice of what awaits a reply (channels or a status column, and how recent), as a mask and a
    cache key."""
    left, middle, right = st.columns([1, 2, 1])
    by = left.radio("Awaiting a reply", ["channel", "status"], horizontal=True, key="reply_open_by",
                    format_func=lambda k: {"channel": "by channel", "status": "by a status column"}[k])
    if by == "channel":
        present = sorted(rows["channel"].dropna().astype(str).unique()) if "channel" in rows.columns else []
        if not present:
            middle.info("The data has no channel: map a channel column on the Data page, or pick a status column.",
                        icon=":material/info:")
            return None, ()
        chosen = middle.multiselect("Channels that take replies", present, key="reply_channels",
                                    default=[c for c in present if c.casefold() in OPEN_CHANNELS])
        mask, choice = mark_open(rows, channels=chosen), ("channel", tuple(chosen))
    else:
        statuses = _status_columns(store, info)
        if not statuses:
            middle.info(f"No unmapped source column has between 1 and {STATUS_VALUES_LIMIT} distinct values to read "
                        "a status from; pick the channels instead.", icon=":material/info:")
            return None, ()
        column = middle.selectbox("Status column", list(statuses), key="reply_status_column")
        chosen = middle.multiselect("Statuses that await a reply", statuses[column], key=f"reply_statuses_{column}",
                                    default=[v for v in statuses[column] if v.casefold() in OPEN_STATUSES])
        if not chosen:
            st.info(f"Pick the values of '{plain_label(column)}' that mean an interaction awaits a reply.",
                    icon=":material/info:")
            return None, ()
        status = cached("status", (str(gapsight_home()), info.id, info.version), (column,),
                        lambda: store.load_raw(info.id, columns=[column]).rename(columns={column: "_status"}))
        joined = rows[["_row"]].merge(status, on="_row", how="left").set_axis(rows.index)
        mask = mark_open(joined, status_column="_status", open_statuses=chosen)
        choice = ("status", column, tuple(chosen))
    stamps = rows["timestamp"] if "timestamp" in rows.columns else pd.Series(pd.NaT, index=rows.index)
    if stamps.isna().all():
        return mask, choice
    # Channels alone cannot tell a settled chat from a new one: by default only the last month of the data waits.
    days = right.selectbox("Received within", WINDOWS, index=WINDOWS.index(30 if by == "channel" else 0),
                           key=f"reply_window_{by}", format_func=lambda d: "any time" if not d else
                           f"the last {d} days of the data", help="Counted back from the data's last interaction.")
    if days:
        mask = mask & stamps.ge(stamps.max() - pd.Timedelta(days=days)).fillna(False)
    return mask, (*choice, days)


def _playbook_editor(store: Store, info: DatasetInfo) -> tuple[pd.DataFrame, bool]:
    """The editable intent × emotion playbook (saved per dataset, defaults until then); returns the one in use and
    whether it is the user's."""
    saved = load_playbook(store, info.id)
    book = DEFAULT_PLAYBOOK if saved is None else saved
    just_saved = st.session_state.pop("reply_playbook_saved", None)
    with st.expander("Playbook: intent × emotion → strategy and reply template", expanded=just_saved is not None):
        st.caption(f"{'Your saved playbook' if saved is not None else 'The default playbook'} · templates may use "
                   "{customer}, {product} and {order_id} · an intent × emotion without a row gets "
                   f"'{FALLBACK}' · emotions: {EMOTION_RULE}")
        round_ = st.session_state.setdefault("reply_playbook_round", 0)
        edited = st.data_editor(book, num_rows="dynamic", hide_index=True, width="stretch",
                                key=f"reply_playbook_{info.id}_{round_}", column_config={
                                    "emotion": st.column_config.SelectboxColumn(options=list(EMOTIONS)),
                                    "template": st.column_config.TextColumn(width="large")})
        save, restore = st.columns(2)
        if save.button("Save the playbook", key="reply_playbook_save", icon=":material/save:", width="stretch"):
            problems = validate_playbook(edited)
            if problems:
                for problem in problems:
                    st.error(plain_label(problem), icon=":material/error:")
            else:
                st.session_state["reply_playbook_saved"] = save_playbook(store, info.id, edited)
                st.session_state["reply_playbook_round"] = round_ + 1
                st.rerun()
        if restore.button("Restore the defaults", key="reply_playbook_restore", icon=":material/restart_alt:",
                          width="stretch", disabled=saved is None):
            delete_playbook(store, info.id)
            st.session_state["reply_playbook_saved"] = 0
            st.session_state["reply_playbook_round"] = round_ + 1
            st.rerun()
        if just_saved:
            st.success(f"Saved {just_saved} playbook rows; the queue below uses them.", icon=":material/check:")
        elif just_saved == 0:
            st.success("Restored the default playbook; the queue below uses it.", icon=":material/check:")
    return book, saved is not None


def _queue_and_replies(info: DatasetInfo, rows: pd.DataFrame, mask: pd.Series, choice: tuple, intents: pd.Series,
                       book: pd.DataFrame) -> tuple[QueueResult, pd.DataFrame]:
    """The priority queue of the open rows (customer values count every order of the dataset) and the queue with
    each interaction's strategy and filled reply; both cached, so picking another interaction recomputes neither."""
    home = str(gapsight_home())
    spend = cached("customer_spend", (home, info.id, info.version), (), lambda: customer_spend(dataset_rows(info)))
    scored = int(pd.util.hash_pandas_object(rows[["record_id", "sentiment", "confidence"]], index=False).sum())
    scope = (home, info.id, info.version, repr(current_filters()), len(rows), scored)
    queue = cached("reply_queue", scope, choice, lambda: priority_queue(rows, open_mask=mask, customer_value=spend))
    if queue.frame.empty:
        return queue, queue.frame
    answers = (choice, int(pd.util.hash_pandas_object(intents).sum()),
               int(pd.util.hash_pandas_object(book, index=False).sum()))

    def with_replies() -> pd.DataFrame:
        replies = assign_strategies(queue.frame, intents, book)
        return pd.concat([queue.frame, replies.drop(columns=["record_id", "emotion"])], axis=1)

    return queue, cached("reply_table", scope, answers, with_replies)


def _similar(info: DatasetInfo, picked: pd.Series) -> None:
    """The three past interactions most like the picked one, by the dataset's cached embeddings."""
    st.markdown("**Three most similar past interactions**")
    all_rows = dataset_rows(info)
    vectors = stored_vectors(str(gapsight_home()), info)
    if vectors is None:
        if len(all_rows) <= INLINE_LIMIT:
            if st.button("Embed the texts to find similar interactions", key="reply_embed"):
                bar = ProgressBar(f"Embedding every interaction with {encoder_label(info)}, once per dataset version:")
                dataset_vectors(info, progress=bar.count)
                bar.empty()
                st.rerun()
        elif st.button("Embed the texts in the background (once per dataset version)", key="reply_embed") or \
                st.session_state.get("reply_embedding"):
            st.session_state["reply_embedding"] = True
            embedding_status(info, all_rows)
        st.caption(f"Similar interactions are found by the {encoder_label(info)} embeddings of every text, made once "
                   "per dataset version (they also serve Topics & intents).")
        return
    ids = all_rows["record_id"].astype(str).to_numpy()
    where = np.flatnonzero(ids == str(picked["record_id"]))
    if not len(where):
        return
    past = np.ones(len(all_rows), dtype=bool)
    if pd.notna(picked.get("timestamp")) and "timestamp" in all_rows.columns:
        past = (all_rows["timestamp"] <= picked["timestamp"]).fillna(False).to_numpy()
    found = similar_interactions(vectors[where], vectors[past], ids[past], k=3, query_ids=[ids[where[0]]])
    if found.empty:
        st.caption("No earlier interaction with text to compare with.")
        return
    shown = [c for c in ("record_id", "timestamp", "channel", "rating", "text")
             if c in all_rows.columns and all_rows[c].notna().any()]
    neighbours = found.merge(all_rows[shown].astype({"record_id": str}), on="record_id", how="left")
    st.dataframe(shorten_cells(neighbours[["similarity", *shown]]), hide_index=True, width="stretch",
                 column_config={"similarity": st.column_config.NumberColumn(format="%.3f")})


def _answer(info: DatasetInfo, table: pd.DataFrame) -> None:
    """One queued interaction: its text, strategy and filled reply (copyable), and its similar past cases."""
    top = table.head(PICKABLE)
    labels = {int(r.rank): f"#{r.rank} · {r.strategy} · {str(r.text)[:70]}" for r in top.itertuples(index=False)}
    rank = st.selectbox("Answer an interaction (highest priority first)", list(labels), key="reply_pick",
                        format_func=labels.get)
    picked = top.loc[top["rank"] == rank].iloc[0]
    st.caption(f"{plain_label(picked['intent'])} · {picked['emotion']} · priority {picked['priority']:.3f} = "
               f"{picked['negative_intensity']:.3f} × {picked['customer_value']:.2f} × {picked['age_factor']:.2f}")
    st.text(str(picked["text"]))
    st.markdown(f"**Strategy: {plain_label(picked['strategy'])}**")
    st.code(str(picked["reply"]), language=None, wrap_lines=True)
    _similar(info, picked)


def replies_panel(store: Store, info: DatasetInfo, rows: pd.DataFrame) -> None:
    """Reply strategies for the open interactions of the filtered rows, in priority order, with the playbook."""
    if not info.mapping.get("text"):
        st.info("Reply strategies read the interactions' text (sentiment and intent): map a text column on the "
                "Data page.", icon=":material/info:")
        return
    if "sentiment" not in rows.columns:
        rows = attach_sentiment(rows, sentiment_predictions(store, info)[0])
    mask, choice = _open_mask(store, info, rows)
    book, own = _playbook_editor(store, info)
    if mask is None:
        return
    intents, intents_from = _intents(store, info)
    queue, table = _queue_and_replies(info, rows, mask, choice, intents, book)
    st.text(queue.formula)
    for note in queue.notes:
        st.info(note, icon=":material/info:")
    if table.empty:
        return
    a, b, c = st.columns(3)
    a.metric("Awaiting a reply", f"{len(table):,}", border=True)
    b.metric("Negative", f"{int(table['negative_intensity'].gt(0).sum()):,}", border=True)
    c.metric("Angry", f"{int(table['emotion'].eq('angry').sum()):,}", border=True)
    unmatched = table.loc[~table["matched"], "intent"].value_counts()
    st.caption(f"{intents_from}; strategies from the {'saved' if own else 'default'} "
               "playbook" + ("" if unmatched.empty else "; without a playbook row (they get "
               f"'{FALLBACK}'): " + ", ".join(f"{plain_label(i)} ({n:,})" for i, n in unmatched.items())))
    columns = [c for c in QUEUE_COLUMNS if c in table.columns and table[c].notna().any()]
    st.dataframe(shorten_cells(table[columns].head(SHOWN)), hide_index=True, width="stretch", column_config={
        "priority": st.column_config.NumberColumn(format="%.3f"),
        "negative_intensity": st.column_config.NumberColumn("negative intensity", format="%.3f"),
        "customer_value": st.column_config.NumberColumn("customer value", format="%.2f"),
        "age_factor": st.column_config.NumberColumn("age factor", format="%.2f"),
        "days_open": st.column_config.NumberColumn("days open", format="%.1f")})
    download_buttons(lambda: table[[*columns, "reply"]], basename=f"reply-queue-{info.name}", key="reply_queue")
    _answer(info, table)
