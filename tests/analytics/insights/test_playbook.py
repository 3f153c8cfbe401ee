"""Tests for analytics.insights.playbook: emotions, the playbook and its checks, replies, the queue, neighbours."""

import numpy as np
import pandas as pd
import pytest

from analytics.insights import playbook as pb
from analytics.insights.playbook import (
    DEFAULT_PLAYBOOK,
    EMOTIONS,
    FALLBACK,
    FALLBACK_TEMPLATE,
    assign_strategies,
    complete_playbook,
    emotion_of,
    fill_templates,
    mark_open,
    priority_queue,
    similar_interactions,
    validate_playbook,
)
from analytics.insights.topics import DEFAULT_INTENTS

# -- emotions -------------------------------------------------------------------------------------

EMOTION_CASES = [  # sentiment, confidence, text, expected emotion (why)
    ("negative", 0.9, "The parcel was late.", "angry"),  # confident negative
    ("negative", 0.8, "The parcel was late.", "angry"),  # the threshold itself counts
    ("negative", 0.79, "The parcel was late.", "frustrated"),
    ("negative", 0.6, "Late again!!", "angry"),  # two exclamation marks
    ("negative", 0.6, "Late! Sorry", "frustrated"),  # one is not shouting
    ("negative", 0.6, "I want a REFUND now", "angry"),  # an all-caps word of 6 letters
    ("negative", 0.6, "The USB cable is loose", "frustrated"),  # 3 capitals are an acronym, not shouting
    ("negative", 0.6, "Simply the Worst service", "angry"),  # an angry word, any case
    ("negative", 0.6, "A worst-case delay", "angry"),  # still the whole word "worst"
    ("negative", 0.6, "It was unacceptably slow", "frustrated"),  # not the word "unacceptable"
    ("Negative", 0.5, "meh", "frustrated"),  # labels compare without case
    ("positive", 0.99, "AMAZING!!", "pleased"),  # shouting only makes negatives angry
    ("neutral", 0.95, "WHERE IS IT!!", "neutral"),
    (None, None, "FURIOUS!!", "neutral"),  # not scored
]


def test_emotions_of_hand_written_rows():
    rows = pd.DataFrame(EMOTION_CASES, columns=["sentiment", "confidence", "text", "expected"],
                        index=[f"r{i}" for i in range(len(EMOTION_CASES))])
    emotion = emotion_of(rows)
    assert emotion.index.equals(rows.index) and emotion.name == "emotion"
    assert emotion.tolist() == rows["expected"].tolist()
    assert set(emotion) <= set(EMOTIONS)


def test_emotions_without_text_use_the_confidence_and_without_sentiment_are_refused():
    rows = pd.DataFrame({"sentiment": ["negative", "negative", "positive"], "confidence": [0.9, 0.5, 0.5]})
    assert emotion_of(rows).tolist() == ["angry", "frustrated", "pleased"]
    with pytest.raises(ValueError, match="score the dataset on the Sentiment page"):
        emotion_of(pd.DataFrame({"text": ["hello"]}))


def test_the_rule_is_stated():
    assert "0.8" in pb.EMOTION_RULE and "ALL-CAPS" in pb.EMOTION_RULE and "unacceptable" in pb.EMOTION_RULE


# -- the default playbook and its checks ------------------------------------------------------------

def test_the_defaults_cover_every_intent_and_emotion_once():
    pairs = set(zip(DEFAULT_PLAYBOOK["intent"], DEFAULT_PLAYBOOK["emotion"], strict=True))
    assert pairs == {(i, e) for i in [*DEFAULT_INTENTS, "other"] for e in EMOTIONS}
    assert len(DEFAULT_PLAYBOOK) == 7 * 4 == len(pairs)
    assert validate_playbook(DEFAULT_PLAYBOOK) == []
    assert {"apologise + compensate", "apologise + fix", "inform + reassure", "thank + upsell",
            "escalate"} <= set(DEFAULT_PLAYBOOK["strategy"])
    book = DEFAULT_PLAYBOOK.set_index(["intent", "emotion"])
    assert book.loc[("complaint", "angry"), "strategy"] == "escalate"
    assert book.loc[("praise", "pleased"), "strategy"] == "thank + upsell"
    assert FALLBACK == "inform + reassure"


def _edited(**changes) -> pd.DataFrame:
    table = DEFAULT_PLAYBOOK.copy()
    for (row, column), value in changes.items():
        table.loc[row, column] = value
    return table


def test_a_missing_column_is_named():
    assert validate_playbook(DEFAULT_PLAYBOOK.drop(columns="template")) == [
        "The playbook lacks the column(s) ['template']; it needs intent, emotion, strategy, template."]


def test_a_duplicate_pair_is_named_with_its_rows():
    table = pd.concat([DEFAULT_PLAYBOOK, DEFAULT_PLAYBOOK.iloc[[4]].assign(intent=" Complaint ")], ignore_index=True)
    problems = validate_playbook(table)
    assert problems == ["Row(s) 5, 29 repeat the intent × emotion pair(s) Complaint × angry, complaint × angry; "
                        "keep one row per pair."]


def test_empty_strategies_unknown_emotions_and_missing_intents_are_named():
    table = DEFAULT_PLAYBOOK.copy()
    table.loc[0, "strategy"] = "  "
    table.loc[1, "emotion"] = "sad"
    table.loc[2, "emotion"] = None
    table.loc[3, "intent"] = ""
    problems = validate_playbook(table)
    assert "Row(s) 1 have an empty strategy" in problems[2]
    assert "Row(s) 2, 3 have the emotion(s) 'sad', (none); use one of angry, frustrated, neutral, pleased." \
        in problems
    assert problems[0].startswith("Row(s) 4 have no intent")


@pytest.mark.parametrize("field", ["{product.__class__}", "{0}", "{}", "{customer_name}"])
def test_a_template_field_other_than_the_allowed_ones_is_refused(field):
    table = DEFAULT_PLAYBOOK.copy()
    table.loc[6, "template"] = f"Hi {{customer}}, about {field}"
    assert validate_playbook(table) == [
        f"Row(s) 7 use the template field(s) {field}; only {{customer}}, {{product}}, {{order_id}} can be filled."]


def test_blank_rows_from_the_editor_are_ignored_but_an_empty_table_is_not():
    blank = pd.DataFrame([[None, None, None, None]], columns=DEFAULT_PLAYBOOK.columns)
    assert validate_playbook(pd.concat([DEFAULT_PLAYBOOK, blank], ignore_index=True)) == []
    assert validate_playbook(blank) == ["The playbook has no rows; add at least one or restore the defaults."]


def test_complete_fills_the_missing_pairs_and_says_which():
    own = pd.concat([DEFAULT_PLAYBOOK.drop(index=[0, 5]).assign(strategy="call back"),
                     pd.DataFrame([["billing", "ANGRY", "refund the fee", "Hi {customer}"]],
                                  columns=DEFAULT_PLAYBOOK.columns)], ignore_index=True)
    done = complete_playbook(own)
    assert done.added == (("inquiry", "angry"), ("complaint", "frustrated"), ("billing", "frustrated"),
                          ("billing", "neutral"), ("billing", "pleased"))
    assert len(done.table) == 28 + 4 and validate_playbook(done.table) == []
    table = done.table.set_index(["intent", "emotion"])
    assert table.loc[("complaint", "frustrated"), "strategy"] == "apologise + compensate"  # from the defaults
    assert table.loc[("complaint", "angry"), "strategy"] == "call back"  # the user's rows stay
    assert table.loc[("billing", "angry"), "strategy"] == "refund the fee"  # emotion lower-cased
    assert table.loc[("billing", "frustrated"), "strategy"] == "apologise + fix"  # "other" × frustrated
    assert complete_playbook(DEFAULT_PLAYBOOK).added == ()


def test_complete_refuses_a_broken_playbook():
    with pytest.raises(ValueError, match="lacks the column"):
        complete_playbook(DEFAULT_PLAYBOOK.drop(columns="intent"))


# -- strategies and replies --------------------------------------------------------------------------

def _tickets() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": ["t1", "t2", "t3", "t4", "t5"],
        "sentiment": ["negative", "negative", "positive", "neutral", "negative"],
        "confidence": [0.95, 0.6, 0.9, 0.7, 0.6],
        "text": ["Broken.", "Late.", "Love it", "Where is it?", "Charged twice."],
        "customer_id": ["C1", "C2", None, "C4", "C5"],
        "product": ["Aurora Lamp", "Kettle", "Mug", None, " "],
        "order_id": ["A17", None, "A19", None, "A21"],
    })


def test_each_pair_gets_its_playbook_row_and_an_unknown_pair_the_stated_fallback():
    intents = pd.Series({"t1": "complaint", "t2": "Complaint ", "t3": "praise", "t5": "billing"})
    out = assign_strategies(_tickets(), intents)
    assert out.columns.tolist() == ["record_id", "intent", "emotion", "strategy", "reply", "matched"]
    assert out["intent"].tolist() == ["complaint", "Complaint", "praise", "other", "billing"]
    assert out["emotion"].tolist() == ["angry", "frustrated", "pleased", "neutral", "frustrated"]
    assert out["strategy"].tolist() == ["escalate", "apologise + compensate", "thank + upsell", "inform + reassure",
                                        "inform + reassure"]
    assert out["matched"].tolist() == [True, True, True, True, False]  # billing is in no playbook row
    assert out["reply"].iloc[0] == ("Hi C1, I am truly sorry about Aurora Lamp; this is not the service we want "
                                    "for you. I have passed order A17 to a senior colleague, who will contact you "
                                    "personally today.")
    # Missing customer, product or order read as neutral wording.
    assert out["reply"].iloc[2].startswith("Hi there, thank you for the kind words about Mug!")
    assert out["reply"].iloc[4] == FALLBACK_TEMPLATE.replace("{customer}", "C5").replace(
        "{product}", "your item").replace("{order_id}", "order A21")


def test_a_pair_missing_from_a_custom_playbook_falls_back():
    book = DEFAULT_PLAYBOOK[~((DEFAULT_PLAYBOOK["intent"] == "complaint") & (DEFAULT_PLAYBOOK["emotion"] == "angry"))]
    out = assign_strategies(_tickets(), pd.Series({"t1": "complaint", "t2": "complaint"}), book)
    assert out["strategy"].tolist()[:2] == [FALLBACK, "apologise + compensate"]
    assert out["matched"].tolist()[:2] == [False, True]


def test_a_broken_playbook_is_refused_before_any_reply():
    book = DEFAULT_PLAYBOOK.assign(template="Hi {product.__class__}")
    with pytest.raises(ValueError, match=r"use the template field\(s\) \{product.__class__\}"):
        assign_strategies(_tickets(), pd.Series(dtype=object), book)


def test_templates_are_filled_as_data_never_evaluated():
    rows = pd.DataFrame({"customer_id": ["C1"], "product": ["{order_id} $order_id"], "order_id": ["A7"]},
                        index=[42])
    templates = pd.Series(["{product.__class__} {0} {customer.__init__.__globals__} $customer {{customer}} "
                           "{product} for {order_id}"])
    reply = fill_templates(templates, rows)
    assert reply.index.tolist() == [42]
    # Only the three exact fields change, in one pass: the product's own "{order_id}" is not filled again.
    assert reply.iloc[0] == ("{product.__class__} {0} {customer.__init__.__globals__} $customer {C1} "
                             "{order_id} $order_id for order A7")


# -- the priority queue -------------------------------------------------------------------------------

def _queue_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7"],
        "channel": ["email", "chat", "email", "phone", "review", "email", "Phone"],
        "customer_id": ["A", "B", "C", "D", "A", "B", None],
        "order_id": ["o1", "o2", "o3", "o4", "o5", "o6", None],
        "amount": [100.0, 60.0, 50.0, np.nan, 200.0, 40.0, np.nan],
        "timestamp": pd.to_datetime(["2025-03-15", "2025-02-15", "2025-03-22", "2025-03-29", "2025-03-29",
                                     "2025-03-01", None]),
        "sentiment": ["negative", "negative", "negative", "negative", "positive", "positive", "negative"],
        "confidence": [0.9, 0.6, 0.7, 0.5, 0.9, 0.95, np.nan],
        "text": ["Broken lamp.", "Still waiting!!", "It broke.", "Meh.", "Great", "Fine", "Terrible."],
    })


def test_the_queue_follows_its_formula_on_a_hand_made_table():
    rows = _queue_rows()
    result = priority_queue(rows, open_mask=mark_open(rows))
    queue = result.frame.set_index("record_id")
    # Spend: A 100 + 200 = 300, B 60 + 40 = 100, C 50, D none -> median 100. Last timestamp 2025-03-29.
    # r1 angry (0.9 ≥ 0.8): 0.9 × 1.5 = 1.35; A 300/100 = 3; 14 days: 1 + 14/7 = 3  -> 12.15
    # r2 angry (!!): 0.6 × 1.5 = 0.9; B 1; 42 days: 1 + 6 = 7, capped at 5       -> 4.5
    # r7 negative without confidence: 1; no customer: 1; no timestamp: 1          -> 1.0
    # r3 frustrated: 0.7; C 50/100 = 0.5; 7 days: 2                                -> 0.7
    # r4 frustrated: 0.5; D has no amount: 1; 0 days: 1                            -> 0.5
    # r6 positive: 0; B 1; 28 days: 1 + 4 = 5                                      -> 0
    # r5 is a review: not open.
    assert queue.index.tolist() == ["r1", "r2", "r7", "r3", "r4", "r6"]
    assert result.frame["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert queue["negative_intensity"].tolist() == pytest.approx([1.35, 0.9, 1.0, 0.7, 0.5, 0.0])
    assert queue["customer_value"].tolist() == pytest.approx([3.0, 1.0, 1.0, 0.5, 1.0, 1.0])
    assert queue["age_factor"].tolist() == pytest.approx([3.0, 5.0, 1.0, 2.0, 1.0, 5.0])
    assert queue["priority"].tolist() == pytest.approx([12.15, 4.5, 1.0, 0.7, 0.5, 0.0])
    assert queue["emotion"].tolist() == ["angry", "angry", "frustrated", "frustrated", "frustrated", "pleased"]
    # The printed parts multiply to the priority exactly.
    product = queue["negative_intensity"] * queue["customer_value"] * queue["age_factor"]
    assert (product == queue["priority"]).all()
    assert queue["days_open"].tolist()[:2] == [14.0, 42.0] and np.isnan(queue.loc["r7", "days_open"])
    assert result.median_value == 100.0 and result.now == pd.Timestamp("2025-03-29")
    assert result.formula.startswith("priority = negative intensity × customer value × age factor;")
    assert "median customer 100.00" in result.formula and "1 + days open ÷ 7, at most 5" in result.formula
    assert "counted to 2025-03-29 00:00" in result.formula
    assert result.notes == ()


def test_given_customer_values_and_now_change_the_order_as_the_formula_says():
    rows = _queue_rows()
    values = pd.Series({"A": 10.0, "B": 10.0, "C": 40.0, "D": 10.0})  # median 10: A 1, B 1, C 4, D 1
    result = priority_queue(rows, open_mask=mark_open(rows), customer_value=values, now="2025-04-05")
    queue = result.frame.set_index("record_id")
    # r3 0.7 × 4 × (1 + 14/7) = 8.4; r1 1.35 × 1 × (1 + 21/7) = 5.4; r2 0.9 × 1 × 5 = 4.5;
    # r4 0.5 × 1 × (1 + 7/7) = 1.0 ties r7 1.0 and is older (r7 has no age); r6 0.
    assert queue.index.tolist() == ["r3", "r1", "r2", "r4", "r7", "r6"]
    assert queue["priority"].tolist() == pytest.approx([8.4, 5.4, 4.5, 1.0, 1.0, 0.0])


def test_a_big_spender_counts_at_most_five_median_customers():
    rows = _queue_rows()
    values = pd.Series({"A": 1000.0, "B": 10.0, "C": 10.0, "D": 10.0})  # A is 100 median customers
    queue = priority_queue(rows, open_mask=mark_open(rows), customer_value=values).frame.set_index("record_id")
    assert queue.loc["r1", "customer_value"] == 5.0 and queue.loc["r2", "customer_value"] == 1.0
    assert queue.loc["r1", "priority"] == pytest.approx(1.35 * 5.0 * 3.0)


def test_without_amounts_or_timestamps_the_parts_are_one_and_said_so():
    rows = _queue_rows().drop(columns=["amount", "timestamp"])
    result = priority_queue(rows)
    assert (result.frame["customer_value"] == 1).all() and (result.frame["age_factor"] == 1).all()
    assert result.notes == ("No amounts per customer: customer value is 1 for everyone.",
                            "No timestamps: every age factor is 1.")
    assert result.median_value is None and result.now is None
    assert "no amounts" in result.formula and "no timestamps" in result.formula
    # 1.35, 1.0 (r7, no confidence), 0.9, 0.7, 0.5, then the zeros in row order.
    assert result.frame["record_id"].tolist() == ["r1", "r7", "r2", "r3", "r4", "r5", "r6"]


def test_an_empty_queue_is_a_frame_and_a_note():
    rows = _queue_rows()
    for result in (priority_queue(rows, open_mask=np.zeros(len(rows), dtype=bool)), priority_queue(rows.iloc[:0])):
        assert result.frame.empty and {"priority", *pb.QUEUE_PARTS} <= set(result.frame.columns)
        assert result.notes[0].startswith("No open interactions")


def test_a_queue_without_negatives_is_ordered_by_age():
    rows = _queue_rows().assign(sentiment="positive")
    result = priority_queue(rows)
    assert (result.frame["priority"] == 0).all()
    assert result.frame["record_id"].tolist() == ["r2", "r6", "r1", "r3", "r4", "r5", "r7"]
    assert result.notes[0].startswith("No open interaction is negative")


def test_an_open_mask_that_does_not_fit_is_refused():
    rows = _queue_rows()
    with pytest.raises(ValueError, match="shape"):
        priority_queue(rows, open_mask=[True, False])
    with pytest.raises(ValueError, match="does not share the index"):
        priority_queue(rows, open_mask=pd.Series(True, index=range(10, 17)))


def test_open_tickets_by_channel_or_status():
    rows = _queue_rows().assign(status=["Open", "closed", "pending", None, "open", "solved", "new"])
    assert mark_open(rows).tolist() == [True, True, True, True, False, True, True]
    assert mark_open(rows, channels=["chat"]).tolist() == [False, True] + [False] * 5
    assert mark_open(rows, status_column="status").tolist() == [True, False, True, False, True, False, True]
    with pytest.raises(ValueError, match="no column 'state'"):
        mark_open(rows, status_column="state")
    with pytest.raises(ValueError, match="no channel"):
        mark_open(rows.drop(columns="channel"))


def test_chinese_channel_names_take_replies_as_their_english_ones_do():
    rows = pd.DataFrame({"channel": ["邮件", "在线客服", "电话", "微信", "短信", "电子邮件", "商品评价", "评论", "满意度调查"]})
    assert mark_open(rows).tolist() == [True] * 6 + [False] * 3
    from analytics.demo.generator import generate_demo

    zh, en = (generate_demo(seed=2, n_interactions=1_000, language=lang).interactions for lang in ("zh", "en"))
    assert mark_open(zh).tolist() == mark_open(en).tolist()  # the Chinese demo's 邮件, 在线客服 and 电话
    assert 0.2 < mark_open(zh).mean() < 0.8


# -- similar past interactions ------------------------------------------------------------------------

PAST = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0], [0.0, 0.0]])
PAST_IDS = ["a", "b", "c", "d", "e"]


def test_nearest_past_interactions_by_cosine_excluding_itself():
    out = similar_interactions(np.array([[1.0, 0.0], [0.0, 2.0]]), PAST, PAST_IDS, k=3, query_ids=["a", "x"])
    assert out.columns.tolist() == ["query", "rank", "record_id", "similarity"]
    # a: b 0, c 1/√2, d −1 (itself and the zero vector e are skipped). x = (0, 2): b 1, c 1/√2, a 0.
    assert out["query"].tolist() == ["a"] * 3 + ["x"] * 3
    assert out["record_id"].tolist() == ["c", "b", "d", "b", "c", "a"]
    assert out["rank"].tolist() == [1, 2, 3, 1, 2, 3]
    assert out["similarity"].tolist() == pytest.approx([2 ** -0.5, 0.0, -1.0, 1.0, 2 ** -0.5, 0.0], abs=1e-6)


def test_fewer_candidates_than_k_and_no_ids_and_zero_queries():
    assert similar_interactions(PAST[:1], PAST, PAST_IDS, k=10, query_ids=["a"])["record_id"].tolist() == \
        ["c", "b", "d"]
    plain = similar_interactions(PAST[:1], PAST, PAST_IDS, k=1)
    assert plain[["query", "record_id"]].values.tolist() == [[0, "a"]]  # without ids nothing is skipped
    assert similar_interactions(np.zeros((1, 2)), PAST, PAST_IDS).empty
    assert similar_interactions(np.zeros((0, 2)), PAST, PAST_IDS).empty


def test_batches_give_the_same_neighbours(monkeypatch):
    rng = np.random.default_rng(0)
    query, past = rng.normal(size=(7, 5)), rng.normal(size=(40, 5))
    ids = [f"p{i}" for i in range(40)]
    whole = similar_interactions(query, past, ids, k=4)
    monkeypatch.setattr(pb, "_SCORE_BATCH", 50)  # one query per batch
    batched = similar_interactions(query, past, ids, k=4)
    # float32 products of other shapes may differ in the last bit; the neighbours may not.
    pd.testing.assert_frame_equal(batched, whole, check_exact=False, atol=1e-6)
    cosine = (query / np.linalg.norm(query, axis=1, keepdims=True)) @ (past / np.linalg.norm(past, axis=1,
                                                                                               keepdims=True)).T
    best = np.argsort(-cosine, axis=1)[:, :4]
    assert whole["record_id"].tolist() == [ids[j] for j in best.ravel()]


def test_bad_shapes_and_k_are_refused():
    with pytest.raises(ValueError, match="same number of columns"):
        similar_interactions(np.ones((1, 3)), PAST, PAST_IDS)
    with pytest.raises(ValueError, match="past_ids has 2 ids for 5"):
        similar_interactions(PAST, PAST, ["a", "b"])
    with pytest.raises(ValueError, match="k=0"):
        similar_interactions(PAST, PAST, PAST_IDS, k=0)
