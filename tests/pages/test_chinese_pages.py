"""A Chinese dataset through the pages (AppTest): its language on the Data page, the Chinese lexicon on Sentiment,
jieba keywords and multilingual embeddings on Topics & intents, and the Overview."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from analytics.home import gapsight_home
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.reading import all_read
from tests.pages.test_pages import APP, _import_csv

REVIEWS = (
    ("快递太慢了，等了一个星期才到", 1), ("物流很快，第二天就到了", 5), ("包装破损，快递员态度很差", 1),
    ("价格实惠，性价比很高", 5), ("太贵了，不值这个价", 2), ("打折的时候买的，很划算", 4),
    ("质量很好，做工精细", 5), ("用了两天就坏了，质量太差", 1), ("材质一般，有点失望", 2),
    ("客服态度很好，耐心解答问题", 5), ("客服一直不回复，申请退款了", 1), ("退款很快，售后不错", 4),
)
CSV = "评价,星级,评论时间,来源\n" + "".join(
    f"{text}（{i}）,{stars}星,2025年{1 + i % 3}月{1 + i % 27}日,{('淘宝', '京东')[i % 2]}\n"
    for i, (text, stars) in enumerate(REVIEWS * 5))  # 60 rows over three months


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_data_overview_and_sentiment_read_chinese(home):
    dataset_id = _import_csv(home, "淘宝评价.csv", CSV)
    info = get_store().get_dataset(dataset_id)
    assert info.report["languages"] == {"zh": 60} and info.n_rows == 60
    data = _open(keys.DATA_PAGE)
    next(t for t in data.tabs if t.label == "Validation report")
    assert "Languages of the texts: Chinese 100 %" in all_read(data.caption)
    overview = _open(keys.OVERVIEW_PAGE)
    assert next(m.value for m in overview.metric if m.label == "Interactions") == "60"
    sentiment = _open(keys.SENTIMENT_PAGE)
    assert "pysenti + SnowNLP Chinese lexicons (baseline)" in all_read(sentiment.caption)
    shown = next(d.value for d in sentiment.dataframe if {"sentiment", "source"} <= set(d.value.columns))
    by_text = dict(zip(shown["text"].str.replace(r"（\d+）$", "", regex=True), shown["sentiment"]))
    assert by_text["用了两天就坏了，质量太差"] == "negative" and by_text["物流很快，第二天就到了"] == "positive"


def test_topics_keywords_are_chinese_words_and_embeddings_multilingual(home):
    dataset_id = _import_csv(home, "淘宝评价.csv", CSV)
    at = _open(keys.TOPICS_PAGE)
    clusters = next(d.value for d in at.tabs[2].dataframe if "keywords" in d.value.columns)
    words = [w.strip() for line in clusters["keywords"] for w in line.split(",") if w.strip()]
    assert words, clusters
    # Words, not whole clauses: short, no punctuation, and the reviews' own words among them.
    assert all(len(w) <= 4 and not re.search(r"[，。！？（）\d]", w) for w in words), words
    assert {"快递", "质量", "客服", "价格"} & set(words), words
    info = get_store().get_dataset(dataset_id)
    assert (gapsight_home() / "embeddings-multilingual" / f"{info.id}_v{info.version}.npz").is_file()
    assert not (gapsight_home() / "embeddings" / f"{info.id}_v{info.version}.npz").exists()
