"""The canonical schema every dataset is mapped to (DESIGN §4), in one place."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CanonicalField:
    """One canonical column: its name, storage type, meaning and the names it often goes by."""

    name: str
    dtype: str  # "string", "float", "datetime"
    description: str
    synonyms: tuple[str, ...] = ()


CANONICAL_FIELDS: tuple[CanonicalField, ...] = (
    CanonicalField("record_id", "string", "unique id of the interaction (generated if absent)",
                   ("id", "record_id", "review_id", "ticket_id", "tweet_id", "message_id", "interaction_id",
                    "response_id", "case_id", "chat_id", "编号", "id号")),
    CanonicalField("text", "string", "what the customer wrote or said",
                   ("text", "review_text", "review", "comment", "comments", "body", "content", "message",
                    "feedback", "verbatim", "description_text", "transcript", "reviewtext", "review_body",
                    "内容", "评论", "评价内容", "留言", "评价", "评论内容", "回复内容", "反馈内容")),
    CanonicalField("rating", "float", "rating on any scale, normalised to 0–1 (original kept in rating_raw)",
                   ("rating", "stars", "star_rating", "score", "overall", "satisfaction", "csat", "nps",
                    "review_score", "rating_value", "thumbs", "评分", "星级", "打分", "满意度", "评分等级")),
    CanonicalField("timestamp", "datetime", "when it happened (stored as naive UTC)",
                   ("timestamp", "date", "time", "created_at", "created", "datetime", "review_date",
                    "submitted_at", "tweet_created", "invoicedate", "order_date", "日期", "时间", "评论时间", "评价时间",
                    "下单时间", "创建时间")),
    CanonicalField("customer_id", "string", "who it was (for segments)",
                   ("customer_id", "customer", "user_id", "userid", "author_id", "client_id", "customerid",
                    "account_id", "username", "user_name", "客户", "用户", "买家", "会员", "用户名", "客户编号",
                    "用户id")),
    CanonicalField("product", "string", "what it was about",
                   ("product", "product_id", "productid", "product_name", "sku", "item_name", "asin", "asins",
                    "stockcode", "商品", "产品", "商品名称", "产品名称", "商品编号")),
    CanonicalField("category", "string", "product category, brand or business line",
                   ("category", "categories", "product_category", "department", "airline", "line_of_business",
                    "segment_name", "类别", "品类", "分类")),
    CanonicalField("channel", "string", "where it came in (review, email, chat, phone, social …)",
                   ("channel", "source", "medium", "platform", "touchpoint", "渠道", "来源", "平台")),
    CanonicalField("expected", "float", "explicit expectation score, normalised to 0–1 (original in expected_raw)",
                   ("expected", "expectation", "expected_score", "expected_rating", "promised", "预期")),
    CanonicalField("advertised", "float",
                   "advertised or promised rating the customer saw before buying, on the rating's scale, "
                   "normalised to 0–1 (original in advertised_raw)",
                   ("advertised", "advertised_rating", "advertised_score", "promised_rating", "listed_rating",
                    "listing_rating", "average_rating", "avg_rating", "product_rating", "宣传评分")),
    CanonicalField("amount", "float", "money value of the order or interaction",
                   ("amount", "price", "revenue", "total", "order_value", "value", "spend", "unitprice",
                    "金额", "实付金额", "订单金额", "消费金额", "价格")),
    CanonicalField("order_id", "string", "order or basket the interaction belongs to",
                   ("order_id", "order", "invoice", "invoiceno", "invoice_no", "basket_id", "transaction_id",
                    "订单", "订单号", "订单编号")),
    CanonicalField("item", "string", "one item of the order (order-line data) or a list of items separated by ';'",
                   ("item", "items", "item_description", "line_item", "description", "basket", "products")),
)

CANONICAL_NAMES: tuple[str, ...] = tuple(f.name for f in CANONICAL_FIELDS)
FIELDS_BY_NAME: dict[str, CanonicalField] = {f.name: f for f in CANONICAL_FIELDS}

# Columns the store keeps for every dataset, in this order. `_row` is the 1-based data row in the
# source file, so every accepted or rejected row can be traced back to its line; `language` is the text's
# language as `analytics.language.detect_languages` tells it.
STORED_COLUMNS: tuple[str, ...] = (
    "_row", "record_id", "text", "language", "rating", "rating_raw", "timestamp", "customer_id", "product",
    "category", "channel", "expected", "expected_raw", "advertised",
    "advertised_raw", "amount", "order_id", "item",
)

ITEM_SEPARATOR = ";"

# Sentiment classes, in the order every table and chart uses.
CLASSES: tuple[str, ...] = ("negative", "neutral", "positive")

# THE rating → sentiment rule. A normalised rating (0–1) below NEGATIVE_BELOW is negative, above
# POSITIVE_ABOVE positive, anything in between (inclusive) neutral. KPIs, star–text mismatches,
# charts, default rating cuts and training labels all import it from here.
NEGATIVE_BELOW = 0.4
POSITIVE_ABOVE = 0.6


def sentiment_from_rating(normalised: pd.Series) -> pd.Series:
    """Label normalised ratings negative, neutral or positive by the app-wide rule.

    Parameters
    ----------
    normalised : pd.Series
        Ratings in 0–1, as from :func:`analytics.ingest.ratings.normalise_ratings`.

    Returns
    -------
    pd.Series
        ``"negative"`` below ``NEGATIVE_BELOW`` (0.4), ``"positive"`` above ``POSITIVE_ABOVE``
        (0.6), ``"neutral"`` in between; missing stays missing. Same index as the input.

    Examples
    --------
    >>> sentiment_from_rating(pd.Series([0.0, 0.5, 1.0])).tolist()
    ['negative', 'neutral', 'positive']
    """
    values = pd.to_numeric(normalised, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    labels = np.select([values < NEGATIVE_BELOW, values > POSITIVE_ABOVE, ~np.isnan(values)],
                       ["negative", "positive", "neutral"], default=None)
    return pd.Series(labels, index=normalised.index, dtype="str")
