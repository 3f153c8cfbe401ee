"""The Models page's report tables: the run's comparison, and a legacy model beaten by its baseline said plainly."""

from analytics.insights.model_reports import comparison_table, selection_sentence, selection_table, stronger_baselines

SELECTION = {
    "winner": "embedding_logreg", "winner_name": "MiniLM embeddings + logistic regression", "test_margin": 0.02,
    "runner_up": "transformer", "warnings": ["The fine-tuned transformer lost to …"],
    "candidates": [
        {"kind": "tfidf_logreg", "name": "TF-IDF + logistic regression", "val_macro_f1": 0.47, "test_macro_f1": 0.30},
        {"kind": "embedding_logreg", "name": "MiniLM embeddings + logistic regression", "val_macro_f1": 0.51,
         "test_macro_f1": 0.37},
        {"kind": "transformer", "name": "Fine-tuned MiniLM transformer", "val_macro_f1": 0.49, "test_macro_f1": 0.35},
    ],
}
CARD = {"kind": "embedding_logreg", "macro_f1": 0.37, "accuracy": 0.45, "n": 157, "selection": SELECTION,
        "baselines": {"tfidf_logreg": {"name": "TF-IDF + logistic regression", "macro_f1": 0.30, "n": 157},
                      "vader": {"name": "VADER lexicon", "macro_f1": 0.41, "n": 157}}}


def test_the_selection_table_marks_only_the_winner():
    table = selection_table(CARD)
    assert table["model"].tolist()[0] == "TF-IDF + logistic regression"
    assert table.loc[table["activated"], "model"].tolist() == ["MiniLM embeddings + logistic regression"]
    assert selection_sentence(CARD).startswith("MiniLM embeddings + logistic regression was activated: the best "
                                               "validation macro-F1 of 3 models")
    assert "+0.020 test macro-F1 against Fine-tuned MiniLM transformer" in selection_sentence(CARD)


def test_the_comparison_names_this_model_by_its_kind():
    table = comparison_table(CARD)
    assert table["model"].tolist() == ["MiniLM embeddings + logistic regression (this model)",
                                       "TF-IDF + logistic regression", "VADER lexicon"]


def test_a_legacy_model_beaten_by_a_baseline_is_said_and_a_best_of_card_is_left_to_its_warnings():
    legacy = {k: v for k, v in CARD.items() if k not in ("selection", "kind")}
    assert stronger_baselines(legacy) == [
        "VADER lexicon scores higher on the same 157 test rows: macro-F1 0.410 against 0.370."]
    assert stronger_baselines(CARD) == []  # the run's own warnings say it
    assert selection_table(legacy).empty and selection_sentence(legacy) == ""
