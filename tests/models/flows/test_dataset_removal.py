"""Deleting a dataset removes everything derived from it, and nothing of another dataset."""
from __future__ import annotations

import pandas as pd

from analytics.insights.constructs import Construct, ConstructItem
from analytics.insights.playbook import DEFAULT_PLAYBOOK
from analytics.store.constructs import load_constructs, save_constructs
from analytics.store.playbooks import load_playbook, save_playbook
from analytics.store.sentences import load_sentences, save_sentences
from models.flows.dataset_removal import delete_dataset_everywhere
from models.flows.embedding_jobs import embeddings_path
from tests.analytics.ingest.test_pipeline import _import, _write


def _derived(store, dataset_id: str, version: int) -> None:
    save_constructs(store, dataset_id, [Construct("expectation", (ConstructItem("e1", 1, 5),)),
                                        Construct("experience", (ConstructItem("s1", 1, 5),))])
    save_sentences(store, dataset_id, version, pd.DataFrame({"record_id": ["1"], "sentence_no": [0],
                                                             "sentence": ["late"], "compound": [-0.3]}))
    save_playbook(store, dataset_id, DEFAULT_PLAYBOOK)


def test_delete_removes_the_derived_tables_and_files_of_that_dataset_only(store, tmp_path):
    gone = store.get_dataset(_import(store, _write(tmp_path, "a.csv", "id,text,e1,s1\n1,late,4,2\n")).dataset_id)
    kept = store.get_dataset(_import(store, _write(tmp_path, "b.csv", "id,text,e1,s1\n1,fine,3,4\n")).dataset_id)
    for info in (gone, kept):
        _derived(store, info.id, info.version)
    vectors = embeddings_path(gone)
    vectors.parent.mkdir(parents=True, exist_ok=True)
    vectors.write_bytes(b"stand-in")
    delete_dataset_everywhere(store, gone.id)
    assert [d.id for d in store.list_datasets()] == [kept.id]
    assert load_constructs(store, gone.id) == () and load_sentences(store, gone.id, gone.version) is None
    assert load_playbook(store, gone.id) is None and not vectors.exists()
    assert len(load_constructs(store, kept.id)) == 2 and load_playbook(store, kept.id) is not None
    assert load_sentences(store, kept.id, kept.version)["sentence"].tolist() == ["late"]
