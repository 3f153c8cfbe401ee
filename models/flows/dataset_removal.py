"""Delete a dataset and everything derived from it: store tables, saved analyses and cached embeddings."""
from __future__ import annotations

from analytics.store.alerts import delete_alerts
from analytics.store.constructs import delete_constructs
from analytics.store.database import Store
from analytics.store.playbooks import delete_playbook
from analytics.store.rules import delete_rules
from analytics.store.sentences import delete_sentences
from models.flows.embedding_jobs import forget_embeddings


def delete_dataset_everywhere(store: Store, dataset_id: str) -> None:
    """The Data page's Delete: the dataset's rows, predictions, labels and segmentations (one transaction), then its
    association rules, alert scans, survey constructs, scored sentences, reply playbook and embedding files."""
    store.delete_dataset(dataset_id)
    for delete in (delete_rules, delete_alerts, delete_constructs, delete_sentences, delete_playbook):
        delete(store, dataset_id)
    forget_embeddings(dataset_id)
