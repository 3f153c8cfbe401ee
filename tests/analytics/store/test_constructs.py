"""Stored survey constructs: round trip in order, replace and clear per dataset, refuse bad input without writing."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from analytics.insights.constructs import Construct, ConstructItem
from analytics.store.constructs import delete_constructs, load_constructs, save_constructs
from tests.analytics.ingest.test_pipeline import _import, _write

SURVEY = (
    "id,comment,expe3,expe1,sat2,sat1\n"
    "1,Fine,4,5,7,8\n"
    "2,Poor,2,1,3,2\n"
)

EXPECTATION = Construct("expectation", (ConstructItem("expe3", 1, 5), ConstructItem("expe1", 0, 10)))
EXPERIENCE = Construct("experience", (ConstructItem("sat2", 1, 10), ConstructItem("sat1", 1, 7.5)))


def _dataset(store, tmp_path, name: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    # A line naming the dataset keeps the contents apart (identical files import once).
    return _import(store, _write(folder, f"{name}.csv", SURVEY + f"3,{name},3,3,5,5\n"), name=name).dataset_id


@pytest.fixture
def dataset_id(store, tmp_path) -> str:
    return _dataset(store, tmp_path, "survey")


def test_a_fresh_store_has_no_constructs_and_loading_creates_nothing(store, dataset_id):
    assert load_constructs(store, dataset_id) == ()
    tables = {r[0] for r in store.cursor().execute("SHOW TABLES").fetchall()}
    assert "survey_constructs" not in tables


def test_round_trip_keeps_item_order_and_ranges_with_expectation_first(store, dataset_id):
    save_constructs(store, dataset_id, [EXPERIENCE, EXPECTATION])  # saved experience first
    back = load_constructs(store, dataset_id)
    assert back == (EXPECTATION, EXPERIENCE)
    # Items keep the analyst's order (expe3 before expe1), not the alphabetical one.
    assert [i.column for i in back[0].items] == ["expe3", "expe1"]
    assert [(i.low, i.high) for i in back[1].items] == [(1.0, 10.0), (1.0, 7.5)]
    assert all(isinstance(i.low, float) and isinstance(i.high, float) for c in back for i in c.items)


def test_one_construct_alone_round_trips(store, dataset_id):
    save_constructs(store, dataset_id, [EXPERIENCE])
    assert load_constructs(store, dataset_id) == (EXPERIENCE,)


def test_saving_again_replaces_and_an_empty_list_clears(store, dataset_id):
    save_constructs(store, dataset_id, [EXPECTATION, EXPERIENCE])
    shorter = Construct("expectation", (ConstructItem("expe1", 1, 5),))
    save_constructs(store, dataset_id, [shorter])
    assert load_constructs(store, dataset_id) == (shorter,)  # experience gone, expe3 gone
    save_constructs(store, dataset_id, [])
    assert load_constructs(store, dataset_id) == ()


def test_other_datasets_are_untouched_by_save_clear_and_delete(store, tmp_path):
    first, second = _dataset(store, tmp_path, "first"), _dataset(store, tmp_path, "second")
    assert first != second
    save_constructs(store, first, [EXPECTATION])
    save_constructs(store, second, [EXPERIENCE])
    save_constructs(store, first, [EXPECTATION, EXPERIENCE])
    assert load_constructs(store, second) == (EXPERIENCE,)
    save_constructs(store, first, [])
    assert load_constructs(store, second) == (EXPERIENCE,)
    save_constructs(store, first, [EXPECTATION])
    delete_constructs(store, second)
    assert load_constructs(store, second) == ()
    assert load_constructs(store, first) == (EXPECTATION,)


def test_delete_on_a_fresh_store_is_harmless(store, dataset_id):
    delete_constructs(store, dataset_id)
    assert load_constructs(store, dataset_id) == ()


# The dataclasses refuse these themselves; the store checks again because it is handed any sequence
# (e.g. built from page state), so the stand-ins below bypass the dataclass checks on purpose.
@pytest.mark.parametrize("bad, message", [
    (SimpleNamespace(name="satisfaction", items=(ConstructItem("sat1", 1, 5),)), "not 'satisfaction'"),
    (SimpleNamespace(name="experience", items=(SimpleNamespace(column="sat1", low=5.0, high=5.0),)),
     r"Column 'sat1': the top of its scale \(5\) must be above the bottom \(5\)"),
    (SimpleNamespace(name="experience", items=(ConstructItem("sat2", 1, 10),
                                               SimpleNamespace(column="sat1", low=10.0, high=1.0))),
     r"Column 'sat1': the top of its scale \(1\) must be above the bottom \(10\)"),
])
def test_a_bad_construct_raises_and_stores_nothing(store, dataset_id, bad, message):
    save_constructs(store, dataset_id, [EXPECTATION, EXPERIENCE])
    # The valid construct listed before the bad one must not be written either.
    replacement = Construct("expectation", (ConstructItem("expe1", 1, 5),))
    with pytest.raises(ValueError, match=message):
        save_constructs(store, dataset_id, [replacement, bad])
    assert load_constructs(store, dataset_id) == (EXPECTATION, EXPERIENCE)


def test_a_bad_construct_on_a_fresh_store_leaves_it_empty(store, dataset_id):
    with pytest.raises(ValueError):
        save_constructs(store, dataset_id, [EXPECTATION, SimpleNamespace(name="loyalty", items=())])
    assert load_constructs(store, dataset_id) == ()


def test_an_unknown_dataset_raises_and_stores_nothing(store, dataset_id):
    with pytest.raises(ValueError, match="'dsmissing' does not exist"):
        save_constructs(store, "dsmissing", [EXPECTATION])
    assert load_constructs(store, "dsmissing") == ()
