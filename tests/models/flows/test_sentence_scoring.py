"""Sentence scoring once per dataset version: split, VADER-scored, stored, then read back instead of rescored."""
from __future__ import annotations

import pandas as pd
import pytest

import models.flows.sentence_scoring as flow
from analytics.ingest.pipeline import remap_dataset
from analytics.store.sentences import load_sentences
from models.flows.sentence_scoring import ensure_sentence_scores
from tests.analytics.ingest.test_pipeline import _import, _write

# id 3 has no text (kept for its rating); id 4 is a chat whose agent turn must not be scored.
CSV = (
    "id,review,title,stars\n"
    "1,I love it,Fine,5\n"
    "2,The delivery was a disaster,Awful,1\n"
    "3,,Nothing to say,3\n"
    '4,"Customer: The box was damaged but the support was great | Agent: We are terribly sorry!",Mixed,3\n'
)


@pytest.fixture
def dataset(store, tmp_path):
    report = _import(store, _write(tmp_path, "chat.csv", CSV))
    assert report.rows_imported == 4
    return report.dataset_id


@pytest.fixture
def vader_calls(monkeypatch) -> list[int]:
    """Count the texts handed to VADER (the real scorer still runs)."""
    calls: list[int] = []
    real = flow.score_vader

    def counting(texts, **kwargs):
        calls.append(len(texts))
        return real(texts, **kwargs)

    monkeypatch.setattr(flow, "score_vader", counting)
    return calls


def _refuse(*args, **kwargs):
    raise AssertionError("sentences were scored again although the store holds them")


def _current(store, dataset_id):
    return store.get_dataset(dataset_id), store.load_rows(dataset_id)


def test_splits_scores_stores_and_reports_progress(store, dataset, vader_calls):
    info, rows = _current(store, dataset)
    seen: list[tuple[int, int]] = []
    scored = ensure_sentence_scores(store, info, rows, batch_size=2, progress=lambda d, t: seen.append((d, t)))

    by_sentence = scored.set_index("sentence")["compound"]
    assert scored[["record_id", "sentence_no", "sentence"]].values.tolist() == [
        ["1", 0, "I love it"],
        ["2", 0, "The delivery was a disaster"],
        ["4", 0, "The box was damaged"],
        ["4", 1, "the support was great"],
    ]  # no row for the empty text, the customer prefix stripped, the agent's apology dropped
    assert scored["compound"].between(-1, 1).all()
    assert by_sentence["I love it"] > 0.05
    assert by_sentence["The delivery was a disaster"] < -0.05
    assert by_sentence["the support was great"] > 0.05

    assert seen == [(2, 4), (4, 4)]  # batches of two, ending at (total, total)
    assert vader_calls == [2, 2]
    stored = load_sentences(store, info.id, info.version)
    pd.testing.assert_frame_equal(stored, scored)


def test_a_second_call_reads_the_store_instead_of_scoring(store, dataset, vader_calls, monkeypatch):
    info, rows = _current(store, dataset)
    first = ensure_sentence_scores(store, info, rows)
    monkeypatch.setattr(flow, "score_vader", _refuse)
    seen: list[tuple[int, int]] = []
    again = ensure_sentence_scores(store, info, rows, progress=lambda d, t: seen.append((d, t)))
    pd.testing.assert_frame_equal(again, first)
    assert seen == []


def test_a_remap_gives_a_new_version_that_is_scored_again(store, dataset, vader_calls, monkeypatch):
    info, rows = _current(store, dataset)
    ensure_sentence_scores(store, info, rows)
    assert vader_calls == [4]

    mapping = dict(info.mapping, text="title")
    remap_dataset(store, dataset, mapping)
    new_info, new_rows = _current(store, dataset)
    assert new_info.version == info.version + 1
    rescored = ensure_sentence_scores(store, new_info, new_rows)
    assert vader_calls == [4, 4]
    assert rescored["sentence"].tolist() == ["Fine", "Awful", "Nothing to say", "Mixed"]
    assert rescored.set_index("sentence").loc["Awful", "compound"] < -0.05
    assert load_sentences(store, dataset, info.version) is None  # the old version's sentences are replaced

    # The new version is now stored: reading it again does not score.
    monkeypatch.setattr(flow, "score_vader", _refuse)
    pd.testing.assert_frame_equal(ensure_sentence_scores(store, new_info, new_rows), rescored)


def test_a_dataset_without_any_sentence_is_stored_as_scored(store, tmp_path, vader_calls, monkeypatch):
    report = _import(store, _write(tmp_path, "blank.csv", "id,review,stars\n1,,5\n2,...,1\n"))
    info, rows = _current(store, report.dataset_id)
    scored = ensure_sentence_scores(store, info, rows)
    assert scored.empty and list(scored.columns) == ["record_id", "sentence_no", "sentence", "compound"]
    monkeypatch.setattr(flow, "score_vader", _refuse)
    assert ensure_sentence_scores(store, info, rows).empty
