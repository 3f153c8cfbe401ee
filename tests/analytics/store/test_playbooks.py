"""Stored playbooks: edits persist across reopening, bad tables and failed writes leave the earlier one intact."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.insights.playbook import DEFAULT_PLAYBOOK
from analytics.store import playbooks
from analytics.store.database import Store
from analytics.store.playbooks import delete_playbook, load_playbook, save_playbook


def _edited() -> pd.DataFrame:
    table = DEFAULT_PLAYBOOK.copy()
    table.loc[4, ["strategy", "template"]] = ["call back within the hour", "Hi {customer}, we will call you."]
    return table


def test_edits_persist_and_survive_reopening_the_store(store):
    assert save_playbook(store, "ds1", _edited()) == 28
    pd.testing.assert_frame_equal(load_playbook(store, "ds1"), _edited(), check_dtype=False)
    store.close()
    reopened = Store.open_default()
    try:
        back = load_playbook(reopened, "ds1")
        assert back.loc[4, "strategy"] == "call back within the hour"
        assert back.loc[4, "template"] == "Hi {customer}, we will call you."
        assert back[["intent", "emotion"]].values.tolist() == DEFAULT_PLAYBOOK[["intent", "emotion"]].values.tolist()
    finally:
        reopened.close()


def test_saving_cleans_the_table_and_replaces_the_earlier_one(store):
    save_playbook(store, "ds1", DEFAULT_PLAYBOOK)
    spare = pd.DataFrame([[None, None, None, None]], columns=DEFAULT_PLAYBOOK.columns)
    table = pd.concat([pd.DataFrame([[" billing ", "Angry", " refund the fee ", ""]],
                                    columns=DEFAULT_PLAYBOOK.columns), spare], ignore_index=True)
    assert save_playbook(store, "ds1", table.assign(note="ignored")) == 1
    back = load_playbook(store, "ds1")
    assert back.values.tolist() == [["billing", "angry", "refund the fee", ""]]
    assert back.columns.tolist() == ["intent", "emotion", "strategy", "template"]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda t: pd.concat([t, t.iloc[[0]]], ignore_index=True), r"Row\(s\) 1, 29 repeat .* inquiry × angry"),
    (lambda t: t.drop(columns="template"), r"lacks the column\(s\) \['template'\]"),
    (lambda t: t.assign(template="Dear {name}"), r"template field\(s\) \{name\}"),
    (lambda t: t.assign(template="{product.__class__}"), r"template field\(s\) \{product.__class__\}"),
    (lambda t: t.assign(strategy=""), "empty strategy"),
])
def test_a_bad_playbook_is_refused_with_its_problem_and_the_earlier_one_stays(store, change, problem):
    save_playbook(store, "ds1", _edited())
    with pytest.raises(ValueError, match=problem):
        save_playbook(store, "ds1", change(DEFAULT_PLAYBOOK.copy()))
    assert load_playbook(store, "ds1").loc[4, "strategy"] == "call back within the hour"


def test_a_write_that_fails_midway_rolls_back(store, monkeypatch):
    save_playbook(store, "ds1", _edited())

    def broken_insert(cur, table, frame, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(playbooks, "insert_frame", broken_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        save_playbook(store, "ds1", DEFAULT_PLAYBOOK)  # the old rows were deleted inside the transaction
    assert len(load_playbook(store, "ds1")) == 28
    assert load_playbook(store, "ds1").loc[4, "strategy"] == "call back within the hour"


def test_datasets_keep_their_own_playbook_and_delete_removes_one(store):
    save_playbook(store, "ds1", _edited())
    save_playbook(store, "ds2", DEFAULT_PLAYBOOK)
    assert delete_playbook(store, "ds1") is True
    assert load_playbook(store, "ds1") is None
    assert delete_playbook(store, "ds1") is False
    pd.testing.assert_frame_equal(load_playbook(store, "ds2"), DEFAULT_PLAYBOOK, check_dtype=False)


def test_a_fresh_store_has_no_playbook_and_deletes_nothing(store):
    assert load_playbook(store, "ds1") is None
    assert delete_playbook(store, "ds1") is False
    assert load_playbook(store, "ds1") is None  # the table exists now, still empty
