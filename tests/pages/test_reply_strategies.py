"""The Recommendations page's "Reply strategies" tab in AppTest: what awaits a reply, the queue and its formula,
the playbook in use, filled replies and the most similar past interactions."""
from __future__ import annotations

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from pages.common import keys
from tests.pages.test_pages import APP, _import_csv

TICKETS = """ticket_id,date,customer,order,product,status,amount,message
T1,2025-03-01,C1,O1,Desk Lamp,open,300,The lamp arrived broken. This is unacceptable!! I want it fixed now.
T2,2025-03-02,C2,O2,Desk Lamp,closed,40,Thanks for the quick help with my order.
T3,2025-03-05,C2,O3,Kettle,pending,60,The kettle leaks and the handle is terrible. Very disappointed.
T4,2025-03-06,C3,O4,Kettle,open,20,I love the kettle! Lovely design and great value.
T5,2025-03-08,C1,O5,Kettle,closed,50,Where is my parcel? It is late and nobody answers.
T6,2025-03-09,C3,O6,Desk Lamp,Open,25,Awful service. The lamp flickers and support is useless.
"""


def _tab(at: AppTest):
    return next(t for t in at.tabs if t.label == "Reply strategies")


def _queue(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in _tab(at).dataframe if "priority" in d.value.columns)


def _open(home, content: str = TICKETS) -> AppTest:
    _import_csv(home, "tickets.csv", content)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    return _reply_tab(at)


def _reply_tab(at: AppTest) -> AppTest:
    at.switch_page(keys.RECOMMENDATIONS_PAGE).run()
    at.session_state[keys.REC_TAB] = "Reply strategies"
    at.run()
    assert not at.exception, at.exception
    return at


def _by_status(at: AppTest) -> AppTest:
    _tab(at).radio(key="reply_open_by").set_value("status").run()
    assert not at.exception, at.exception
    return at


def _assert_ordered_by_formula(queue: pd.DataFrame) -> None:
    parts = queue["negative_intensity"] * queue["customer_value"] * queue["age_factor"]
    assert np.allclose(queue["priority"], parts)
    assert queue["priority"].is_monotonic_decreasing
    assert list(queue["rank"]) == list(range(1, len(queue) + 1))


def test_the_demo_queue_holds_the_reply_channels_in_priority_order(scored_demo_home):
    at = AppTest.from_file(APP, default_timeout=240)
    at.run()
    tab = _tab(_reply_tab(at))
    assert set(tab.multiselect(key="reply_channels").value) == {"chat", "email", "phone"}
    assert any(t.value.startswith("priority = negative intensity × customer value × age factor") for t in tab.text)
    queue = _queue(at)
    assert set(queue["channel"]) <= {"chat", "email", "phone"}
    _assert_ordered_by_formula(queue)
    assert queue["negative_intensity"].iloc[0] > 0 and queue["customer_value"].gt(1).any()  # demo has amounts
    from analytics.store.database import Store

    store = Store.open_default()
    rows = store.load_rows(store.list_datasets()[0].id)
    store.close()
    assert tab.selectbox(key="reply_window_channel").value == 30  # channels alone: the last month waits
    recent = rows["timestamp"] >= rows["timestamp"].max() - pd.Timedelta(days=30)
    waiting = next(m.value for m in tab.metric if m.label == "Awaiting a reply")
    assert waiting == f"{int((rows['channel'].isin(['chat', 'email', 'phone']) & recent).sum()):,}"
    assert queue["age_factor"].between(1, 1 + 30 / 7).all() and queue["age_factor"].nunique() > 10
    tab.multiselect(key="reply_channels").set_value(["phone"]).run()
    assert set(_queue(at)["channel"]) == {"phone"}
    _tab(at).selectbox(key="reply_window_channel").set_value(0).run()  # any time
    waiting = next(m.value for m in _tab(at).metric if m.label == "Awaiting a reply")
    assert waiting == f"{int(rows['channel'].eq('phone').sum()):,}"


def test_a_status_column_picks_the_open_tickets_and_replies_are_filled(home):
    at = _by_status(_open(home))
    tab = _tab(at)
    assert tab.selectbox(key="reply_status_column").value == "status"
    assert set(tab.multiselect(key="reply_statuses_status").value) == {"open", "Open", "pending"}
    queue = _queue(at)
    assert sorted(queue["record_id"]) == ["T1", "T3", "T4", "T6"]  # open, pending, "Open"; not the closed ones
    _assert_ordered_by_formula(queue)
    assert queue.set_index("record_id").loc["T4", "priority"] == 0  # a pleased customer is not urgent
    assert queue["record_id"].iloc[-1] == "T4"
    top = queue.iloc[0]
    reply = _tab(at).code[0].value
    assert top["customer_id"] in reply and f"order {top['order_id']}" in reply and top["product"] in reply
    # C1 spent 350 of the customers' 350 / 100 / 45: the median customer is C2 (100), so C1 counts 3.5.
    assert np.isclose(queue.set_index("record_id").loc["T1", "customer_value"], 3.5)
    _tab(at).multiselect(key="reply_statuses_status").set_value([]).run()
    assert any("Pick the values of 'status'" in i.value for i in _tab(at).info)
    assert not [d for d in _tab(at).dataframe if "priority" in d.value.columns]


def test_a_saved_playbook_changes_the_strategies_and_restoring_drops_it(home):
    from analytics.insights.playbook import DEFAULT_PLAYBOOK
    from analytics.store.database import Store
    from analytics.store.playbooks import load_playbook, save_playbook

    _import_csv(home, "tickets.csv", TICKETS)
    store = Store.open_default()
    dataset_id = store.list_datasets()[0].id
    book = DEFAULT_PLAYBOOK.copy()
    book.loc[book["emotion"].isin(["angry", "frustrated"]), ["strategy", "template"]] = [
        "call back", "Hi {customer}, we will call you about {order_id} within the hour."]
    save_playbook(store, dataset_id, book)
    store.close()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    queue = _queue(_by_status(_reply_tab(at)))
    negative = queue["negative_intensity"] > 0
    assert negative.any() and set(queue.loc[negative, "strategy"]) == {"call back"}
    assert set(queue.loc[~negative, "strategy"]) != {"call back"}
    assert any("from the saved playbook" in c.value for c in _tab(at).caption)
    assert _tab(at).code[0].value.startswith(f"Hi {queue['customer_id'].iloc[0]}, we will call you about order ")
    next(b for b in _tab(at).button if b.key == "reply_playbook_restore").click().run()
    assert not at.exception, at.exception
    store = Store.open_default()
    assert load_playbook(store, dataset_id) is None
    store.close()
    assert "call back" not in set(_queue(at)["strategy"])


def test_pairs_a_saved_playbook_lacks_get_the_stated_fallback(home):
    from analytics.insights.playbook import DEFAULT_PLAYBOOK, FALLBACK
    from analytics.store.database import Store
    from analytics.store.playbooks import save_playbook

    _import_csv(home, "tickets.csv", TICKETS)
    store = Store.open_default()
    save_playbook(store, store.list_datasets()[0].id, DEFAULT_PLAYBOOK[DEFAULT_PLAYBOOK["intent"] != "other"])
    store.close()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    queue = _queue(_by_status(_reply_tab(at)))
    other = queue["intent"] == "other"
    assert other.any() and set(queue.loc[other, "strategy"]) == {FALLBACK}
    assert any(f"without a playbook row (they get '{FALLBACK}'): other ({int(other.sum())})" in c.value
               for c in _tab(at).caption)


def test_the_three_most_similar_past_interactions_come_from_the_stored_embeddings(home):
    from analytics.store.database import Store
    from models.flows.embedding_jobs import embeddings_path
    from models.topic_embeddings import _write_cache, text_keys

    _import_csv(home, "tickets.csv", TICKETS)
    store = Store.open_default()
    info = store.list_datasets()[0]
    rows = store.load_rows(info.id)
    store.close()
    # Cosine to T6 (1, 0, 0): T1 0.995, T3 0.894, T5 0.700, T4 0, T2 -1. T3 (5 March) sees only T1 and T2.
    planted = {"T1": [1.0, 0.1, 0], "T2": [-1.0, 0, 0], "T3": [1.0, 0.5, 0], "T4": [0, 0, 1.0],
               "T5": [1.0, 1.0, 0.2], "T6": [1.0, 0, 0]}
    vectors = np.zeros((len(rows), 384), dtype=np.float32)  # MiniLM's width: zero-shot intents use them too
    vectors[:, :3] = [planted[i] for i in rows["record_id"]]
    _write_cache(embeddings_path(info), vectors, rows["record_id"].tolist(), text_keys(rows["text"].tolist()))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at = _by_status(_reply_tab(at))
    ranks = _queue(at).set_index("record_id")["rank"]
    for picked, expected in (("T6", ["T1", "T3", "T5"]), ("T3", ["T1", "T2"])):
        _tab(at).selectbox(key="reply_pick").set_value(int(ranks[picked])).run()
        assert not at.exception, at.exception
        similar = next(d.value for d in _tab(at).dataframe if "similarity" in d.value.columns)
        assert similar["record_id"].tolist() == expected
        assert similar["similarity"].is_monotonic_decreasing


def test_without_text_or_channel_the_tab_says_what_it_needs(home):
    at = _open(home, "ticket_id,date,rating\nA,2025-01-01,4\nB,2025-01-02,2\n")
    assert any("map a text column" in i.value for i in _tab(at).info)
