"""Tests for analytics.insights.topics on hand-made cases: labels, keywords, discovery, summaries, trends."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analytics.insights.topics import (
    DEFAULT_INTENTS,
    DEFAULT_KEYWORDS,
    DEFAULT_TOPICS,
    OTHER,
    assign_labels,
    class_tfidf,
    discover_topics,
    has_text,
    keyword_matches,
    label_table,
    parse_label_table,
    rename_and_merge,
    suggest_k,
    topic_examples,
    topic_summary,
    topic_trend,
)

SIM = np.array([
    [0.50, 0.20, 0.10],
    [0.10, 0.10, 0.15],
    [0.40, 0.45, 0.00],
])
LABELS = ["a", "b", "c"]


def test_single_label_takes_the_best_label_or_other_under_the_threshold():
    out = assign_labels(SIM, LABELS, threshold=0.3, multi_label=False)
    assert out["label"].tolist() == ["a", OTHER, "b"]
    assert out["score"].tolist() == [0.50, 0.15, 0.45]  # "other" keeps the closest label's similarity
    assert out["labels"].tolist() == [("a",), (OTHER,), ("b",)]
    assert out["source"].tolist() == ["embedding", "none", "embedding"]


def test_multi_label_keeps_every_label_over_the_threshold_best_first():
    out = assign_labels(SIM, LABELS, threshold=0.3, multi_label=True)
    assert out["labels"].tolist() == [("a",), (OTHER,), ("b", "a")]
    assert out["label"].tolist() == ["a", OTHER, "b"]
    assert assign_labels(SIM, LABELS, threshold=0.0, multi_label=True)["labels"].tolist()[1] == ("c", "a", "b")


def test_keyword_hits_force_a_label_first():
    hits = pd.DataFrame({"c": [False, True, True]})  # a frame may name only some labels
    single = assign_labels(SIM, LABELS, threshold=0.3, multi_label=False, keyword_hits=hits)
    assert single["label"].tolist() == ["a", "c", "c"]
    assert single["source"].tolist() == ["embedding", "keyword", "keyword"]
    assert single["score"].tolist()[2] == 0.0
    multi = assign_labels(SIM, LABELS, threshold=0.3, multi_label=True, keyword_hits=hits)
    assert multi["labels"].tolist() == [("a",), ("c",), ("c", "b", "a")]


def test_assign_labels_rejects_inconsistent_input():
    with pytest.raises(ValueError, match=r"expected \(n_rows, 2\)"):
        assign_labels(SIM, ["a", "b"], threshold=0.3, multi_label=False)
    with pytest.raises(ValueError, match="threshold=1.5"):
        assign_labels(SIM, LABELS, threshold=1.5, multi_label=False)
    with pytest.raises(ValueError, match=r"\['zzz'\]"):
        assign_labels(SIM, LABELS, threshold=0.3, multi_label=False, keyword_hits=pd.DataFrame({"zzz": [1, 0, 0]}))


def test_label_table_round_trips_and_rejects_bad_edits():
    table = label_table({"delivery": "parcel late", "price": "cost"}, {"delivery": ("late", "courier")})
    assert table["keywords"].tolist() == ["late, courier", ""]
    edited = pd.concat([table, pd.DataFrame({"label": [None, "new"], "description": ["x", None],
                                             "keywords": [None, None]})], ignore_index=True)
    parsed = parse_label_table(edited)
    assert parsed.descriptions == {"delivery": "parcel late", "price": "cost", "new": "new"}
    assert parsed.keywords == {"delivery": ("late", "courier")}
    with pytest.raises(ValueError, match="appears twice"):
        parse_label_table(pd.concat([table, table.head(1)]))
    with pytest.raises(ValueError, match="'other' is kept"):
        parse_label_table(pd.DataFrame({"label": ["Other"], "description": ["x"]}))
    with pytest.raises(ValueError, match="at least one label"):
        parse_label_table(pd.DataFrame({"label": [" "], "description": ["x"]}))


def test_defaults_cover_the_issue():
    assert {"inquiry", "complaint", "praise", "suggestion", "return/refund", "cancellation"} <= set(DEFAULT_INTENTS)
    assert {"delivery", "price", "quality", "support", "returns", "app", "reliability", "assurance",
            "tangibles", "empathy", "responsiveness"} <= set(DEFAULT_TOPICS)
    assert set(DEFAULT_KEYWORDS) <= set(DEFAULT_TOPICS) and "courier" in DEFAULT_KEYWORDS["delivery"]


PLANTED = (("courier", "parcel", "tracking"), ("expensive", "discount", "overpriced"), ("agent", "helpful", "rude"))


def _planted(n_per_blob: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(3, 16))
    centers = 4 * centers / np.linalg.norm(centers, axis=1, keepdims=True)
    truth = np.repeat(np.arange(3), n_per_blob)
    vectors = centers[truth] + rng.normal(scale=0.4, size=(len(truth), 16))
    texts = [f"{' '.join(rng.choice(PLANTED[b], size=2, replace=False))} order {rng.choice(['today', 'again'])}"
             for b in truth]
    order = rng.permutation(len(truth))
    return vectors[order], [texts[i] for i in order], truth[order]


def test_discover_topics_recovers_planted_clusters_and_their_words():
    vectors, texts, truth = _planted()
    found = discover_topics(vectors, texts, k=3, seed=0)
    assert adjusted_rand_score(truth, found.clusters) >= 0.9
    assert found.sizes == (30, 30, 30) and found.k == 3
    for cluster in range(3):
        blob = np.bincount(truth[found.clusters == cluster]).argmax()
        assert set(found.keywords[cluster][:3]) == set(PLANTED[blob])
        assert found.names[cluster] == " · ".join(found.keywords[cluster][:3])
        assert "order" not in found.keywords[cluster][:3]  # in every cluster: c-TF-IDF ranks it low
    assert found.silhouette is not None and found.silhouette > 0.5
    table = found.table()
    assert table.columns.tolist() == ["cluster", "name", "size", "share", "keywords"]
    assert table["share"].sum() == pytest.approx(1.0)
    assert found.assignments().tolist() == [found.names[c] for c in found.clusters]


def test_discover_topics_orders_clusters_by_size_and_checks_k():
    vectors, texts, truth = _planted()
    keep = (truth != 2) | (np.arange(len(truth)) % 3 == 0)  # blob 2 shrinks to about a third
    found = discover_topics(vectors[keep], [t for t, k in zip(texts, keep) if k], k=3)
    assert list(found.sizes) == sorted(found.sizes, reverse=True)
    assert np.bincount(found.clusters).tolist() == list(found.sizes)
    with pytest.raises(ValueError, match="k=5 should be between 2 and the number of texts=4"):
        discover_topics(vectors[:4], texts[:4], k=5)
    with pytest.raises(ValueError, match="90 embeddings but 3 texts"):
        discover_topics(vectors, texts[:3], k=2)


def test_suggest_k_stays_in_range():
    assert [suggest_k(n) for n in (0, 40, 400, 20_000)] == [2, 3, 10, 10]


def test_rename_and_merge_merges_topics_renamed_alike():
    topics = pd.Series(["late · parcel", "price · cost", "agent · rude", "late · parcel"], index=[5, 6, 7, 8])
    out = rename_and_merge(topics, {"late · parcel": "Delivery", "price · cost": "Delivery", "agent · rude": " "})
    assert out.tolist() == ["Delivery", "Delivery", "agent · rude", "Delivery"]
    assert out.index.tolist() == [5, 6, 7, 8] and topics.iloc[0] == "late · parcel"  # input untouched
    assert rename_and_merge(pd.Series([("a", "b"), ("b",)]), {"a": "x", "b": "x"}).tolist() == [("x",), ("x",)]
    with pytest.raises(ValueError, match=r"Cannot rename \['nope'\]"):
        rename_and_merge(topics, {"nope": "x"})


FRAME = pd.DataFrame({
    "record_id": list("12345"),
    "topic": ["a", "a", "b", "b", "b"],
    "sentiment": ["negative", "positive", "positive", np.nan, "neutral"],
    "rating_raw": [1.0, 5.0, 4.0, np.nan, 3.0],
    "timestamp": pd.to_datetime(["2025-01-05", "2025-02-10", "2025-01-20", "2025-02-01", None]),
    "text": ["x", "y", "z", "w", " "],
    "score": [0.2, 0.9, 0.5, 0.4, 0.3],
})


def test_topic_summary_by_hand():
    summary = topic_summary(FRAME, topic_column="topic")
    assert summary["topic"].tolist() == ["b", "a"]
    assert summary["volume"].tolist() == [3, 2]
    assert summary["share"].tolist() == pytest.approx([0.6, 0.4])
    assert summary["n_scored"].tolist() == [2, 2]
    assert summary["pct_negative"].tolist() == pytest.approx([0.0, 50.0])
    assert summary["pct_positive"].tolist() == pytest.approx([50.0, 50.0])
    assert summary["net_sentiment"].tolist() == pytest.approx([50.0, 0.0])
    assert summary["mean_rating"].tolist() == pytest.approx([3.5, 3.0])
    assert "mean_rating" not in topic_summary(FRAME.drop(columns="rating_raw"), topic_column="topic")


def test_topic_summary_counts_multi_label_rows_in_each_topic():
    frame = FRAME.assign(topics=[("a", "b"), ("a",), ("b",), ("b",), ("c",)])
    summary = topic_summary(frame, topic_column="topics").set_index("topic")
    assert summary["volume"].to_dict() == {"b": 3, "a": 2, "c": 1}
    assert summary.loc["a", "pct_negative"] == pytest.approx(50.0)
    assert summary.loc["b", "pct_negative"] == pytest.approx(50.0)  # rows 1 (negative) and 3; row 4 unscored
    assert summary.loc["b", "share"] == pytest.approx(0.6)  # of interactions, not of (row, topic) pairs
    assert summary.loc["c", "mean_rating"] == 3.0


def test_topic_trend_by_hand():
    trend = topic_trend(FRAME, topic_column="topic", freq="M")
    assert trend.columns.tolist() == ["period", "topic", "volume", "share", "pct_negative", "net_sentiment"]
    table = trend.set_index(["period", "topic"])
    jan, feb = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")
    assert table["volume"].to_dict() == {(jan, "a"): 1, (jan, "b"): 1, (feb, "a"): 1, (feb, "b"): 1}
    assert table.loc[(jan, "a"), "share"] == 0.5
    assert table.loc[(jan, "a"), "net_sentiment"] == -100.0
    assert np.isnan(table.loc[(feb, "b"), "net_sentiment"])  # its only row has no sentiment
    weekly = topic_trend(FRAME, topic_column="topic", freq="W")
    assert weekly["period"].min() == pd.Timestamp("2024-12-30")  # weeks start on Monday
    assert (weekly.groupby("period")["volume"].sum() > 0).all()
    assert topic_trend(FRAME.drop(columns="timestamp"), topic_column="topic").empty
    with pytest.raises(ValueError, match="freq='D'"):
        topic_trend(FRAME, topic_column="topic", freq="D")


def test_topic_trend_fills_missing_topics_with_zero():
    frame = FRAME.assign(topic=["a", "a", "a", "b", "b"])
    table = topic_trend(frame, topic_column="topic", freq="M").set_index(["period", "topic"])
    assert table.loc[(pd.Timestamp("2025-01-01"), "b"), "volume"] == 0
    assert table.loc[(pd.Timestamp("2025-01-01"), "b"), "share"] == 0.0


def test_topic_examples_are_display_ready_and_most_typical_first():
    frame = FRAME.assign(topics=[("a", "b"), ("a",), ("b",), ("b",), ("c",)])
    out = topic_examples(frame, topic_column="topics", topic="b")
    assert out["record_id"].tolist() == ["3", "4", "1"]
    assert out["topics"].tolist() == ["b", "b", "a; b"]
    assert "rating" in out.columns and "rating_raw" not in out.columns
    assert out.columns.tolist() == ["topics", "score", "sentiment", "rating", "timestamp", "text", "record_id"]
    assert "sentiment" not in topic_examples(frame.assign(sentiment=np.nan), topic_column="topics").columns
    assert len(topic_examples(frame, topic_column="topics")) == 5


def test_has_text():
    assert has_text(FRAME).tolist() == [True, True, True, True, False]
    assert not has_text(pd.DataFrame({"rating": [1]})).any()


def test_keywords_match_whole_words_case_insensitively():
    frame = keyword_matches(
        ["LATE again", "chocolate", "open 24/7?", "c++ rocks", None],
        {"delivery": ["late"], "hours": ["24/7"], "dev": "c++"},
    )
    assert frame["delivery"].tolist() == [True, False, False, False, False]
    assert frame["hours"].tolist() == [False, False, True, False, False]
    assert frame["dev"].tolist() == [False, False, False, True, False]


def test_chinese_keywords_match_inside_sentences_and_full_width_forms():
    frame = keyword_matches(["申请退款了", "退货退款流程太慢", "ＯＫ的", "好评"], {"refund": ["退款"], "ok": ["OK"]})
    assert frame["refund"].tolist() == [True, True, False, False]
    assert frame["ok"].tolist() == [False, False, True, False]  # ＯＫ is OK typed full-width


def test_class_tfidf_names_chinese_clusters_by_jieba_words():
    texts = ["快递太慢了，物流很差", "物流太慢，快递员态度差", "快递三天才到", "质量很好，做工精细", "做工不错，质量可以",
             "质量差，做工粗糙"]
    scores, vocabulary = class_tfidf(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
    top = [set(vocabulary[np.argsort(-scores[c], kind="stable")[:3]]) for c in range(2)]
    assert {"快递", "物流"} <= top[0] and {"质量", "做工"} <= top[1], top
    assert not any("，" in word or len(word) > 4 for word in vocabulary)  # words, not clauses
    assert not {"了", "很", "太"} & set(vocabulary)  # stop words left out
