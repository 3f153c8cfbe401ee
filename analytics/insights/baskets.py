"""Baskets from a canonical frame: orders → items, customers → products, interactions or customers → topics.

Cancellations, returns (quantity ≤ 0) and blanks are set aside and counted; the baskets are a sparse
boolean matrix, never a dense baskets × items frame. Frames in, frozen results out.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analytics.insights.topics import OTHER
from analytics.schema import ITEM_SEPARATOR
from analytics.words import keyword_words

ORDER_ITEMS = "order_items"
CUSTOMER_PRODUCTS = "customer_products"
INTERACTION_TOPICS = "interaction_topics"
CUSTOMER_TOPICS = "customer_topics"
INTERACTION_WORDS = "interaction_words"
# Words in at least this share of the texts (the most frequent MAX_WORDS of them) fill word baskets: rarer words
# give rules nobody can act on, and every extra item multiplies the itemsets to count.
MIN_WORD_SHARE = 0.005
MAX_WORDS = 300
_CANCELLATION = r"^C\d"  # UCI Online Retail marks cancelled invoices "C536379"
@dataclass(frozen=True)
class BasketKind:
    """What a basket is, what fills it, and how a rule on such baskets reads."""

    key: str
    label: str
    unit: str  # what a basket is, plural ("orders")
    sentence: str  # "{a}" and "{c}" stand for the antecedent and consequent


BASKET_KINDS: dict[str, BasketKind] = {
    ORDER_ITEMS: BasketKind(ORDER_ITEMS, "orders → items", "orders", "Customers who buy {a} also buy {c}"),
    CUSTOMER_PRODUCTS: BasketKind(CUSTOMER_PRODUCTS, "customers → products", "customers",
                                  "Customers who buy {a} also buy {c}"),
    INTERACTION_TOPICS: BasketKind(INTERACTION_TOPICS, "interactions → topics/intents", "interactions",
                                   "Interactions about {a} are also about {c}"),
    CUSTOMER_TOPICS: BasketKind(CUSTOMER_TOPICS, "customers → topics", "customers",
                                "Customers who raise {a} also raise {c}"),
    INTERACTION_WORDS: BasketKind(INTERACTION_WORDS, "interactions → words", "interactions",
                                  "Interactions that mention {a} also mention {c}"),
}

@dataclass(frozen=True)
class KindSupport:
    """Whether a frame can give one kind of basket, and if not, what would enable it."""

    kind: str
    label: str
    supported: bool
    hint: str  # "" when supported


@dataclass(frozen=True)
class BasketReport:
    """What went into the baskets and what was set aside.

    Set-aside rows are counted once, under the first reason that applies, in the order of the fields:
    ``n_missing_id``, ``n_cancelled``, ``n_non_positive``, ``n_missing_item``. For topic kinds a row is an
    interaction of the frame (``n_missing_item``: no topic but "other"). One-item baskets stay in the
    baskets (they are part of the support denominator, as is standard) and are only reported.
    """

    kind: str
    n_rows: int
    n_baskets: int
    n_items: int
    mean_size: float
    n_single_item: int
    n_missing_id: int
    n_cancelled: int
    n_non_positive: int
    n_missing_item: int

    @property
    def n_set_aside(self) -> int:
        return self.n_missing_id + self.n_cancelled + self.n_non_positive + self.n_missing_item


@dataclass(frozen=True, eq=False)
class Baskets:
    """Baskets × items as a sparse boolean matrix, with the lines behind it.

    Attributes
    ----------
    kind : str
        A key of :data:`BASKET_KINDS`.
    matrix : scipy.sparse.csr_matrix
        ``n_baskets × n_items``, True where the basket holds the item.
    basket_ids : pd.Index
        Order, customer or record id of each row, in order of first appearance.
    items : pd.Index
        Item names of the columns, sorted.
    item_counts : np.ndarray
        Baskets holding each item.
    lines : pd.DataFrame
        ``basket`` and ``item`` (row and column numbers) and ``record_id`` of every kept line.
    report : BasketReport
    """

    kind: str
    matrix: sparse.csr_matrix
    basket_ids: pd.Index
    items: pd.Index
    item_counts: np.ndarray
    lines: pd.DataFrame
    report: BasketReport

    @property
    def n_baskets(self) -> int:
        return self.matrix.shape[0]

def basket_kind(kind: str) -> BasketKind:
    """The kind named ``kind``, or a ValueError listing the kinds."""
    if kind not in BASKET_KINDS:
        raise ValueError(f"kind={kind!r} should be one of {list(BASKET_KINDS)}.")
    return BASKET_KINDS[kind]


def _clean(values: pd.Series) -> pd.Series:
    """Strings with blanks as missing."""
    text = values.astype("string").str.strip()
    return text.mask(text.eq(""))


def _has_values(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame.columns and bool(_clean(frame[column]).notna().any())


def _item_column(frame: pd.DataFrame, preferred: str, fallback: str) -> str | None:
    return next((c for c in (preferred, fallback) if _has_values(frame, c)), None)


def supported_kinds(frame: pd.DataFrame, *, tags: pd.DataFrame | None = None) -> tuple[KindSupport, ...]:
    """Which basket kinds ``frame`` (and a tags table ``record_id``, ``label``) can give, with hints.

    Examples
    --------
    >>> frame = pd.DataFrame({"order_id": ["o1"], "item": ["tea;cup"], "customer_id": [None]})
    >>> [(k.kind, k.supported) for k in supported_kinds(frame)][:2]
    [('order_items', True), ('customer_products', False)]
    >>> supported_kinds(frame)[1].hint
    'map a customer column to build customer baskets'
    """
    has = {c: _has_values(frame, c) for c in ("order_id", "customer_id", "item", "product", "text")}
    tagged = _has_values(tags, "label")
    customer = "map a customer column to build customer baskets"
    tag_hint = "tag the interactions with topics or intents first (Topics & intents page)"
    needs = {
        ORDER_ITEMS: [(has["order_id"], "map an order column (order or invoice id) to build order baskets"),
                      (has["item"] or has["product"],
                       "map an item column (one item per line, or items separated by ';')")],
        CUSTOMER_PRODUCTS: [(has["customer_id"], customer),
                            (has["product"] or has["item"], "map a product or item column")],
        INTERACTION_TOPICS: [(tagged, tag_hint)],
        CUSTOMER_TOPICS: [(has["customer_id"], customer), (tagged, tag_hint)],
        INTERACTION_WORDS: [(has["text"], "map a text column to build word baskets")],
    }
    out = []
    for kind, checks in needs.items():
        missing = [hint for ok, hint in checks if not ok]
        out.append(KindSupport(kind, BASKET_KINDS[kind].label, not missing, "; ".join(missing)))
    return tuple(out)


def _split_items(values: pd.Series) -> pd.Series:
    """One entry per item, indexed by source row: tuples and ';' lists split, blanks dropped."""
    if values.dtype == object:
        values = values.explode()  # tuples of labels; plain strings pass through
    text = values.astype("string")
    if text.str.contains(ITEM_SEPARATOR, regex=False).any():
        text = text.str.split(ITEM_SEPARATOR).explode()
    text = text.str.strip()
    return text[text.notna() & text.ne("")]


def _aligned_quantity(frame: pd.DataFrame, quantity: pd.Series | Sequence | None) -> np.ndarray:
    if quantity is None:
        return np.zeros(len(frame), dtype=bool)
    if isinstance(quantity, pd.Series):
        if not quantity.index.equals(frame.index):
            raise ValueError("quantity must be aligned with the frame: give a Series with the frame's index.")
        values = quantity
    else:
        values = pd.Series(list(quantity))
        if len(values) != len(frame):
            raise ValueError(f"quantity has {len(values)} values for {len(frame)} rows; they must match.")
    return (pd.to_numeric(values, errors="coerce") <= 0).to_numpy(dtype=bool, na_value=False)


def build_baskets(frame: pd.DataFrame, kind: str = ORDER_ITEMS, *, tags: pd.DataFrame | None = None,
                  quantity: pd.Series | Sequence | None = None) -> Baskets:
    """Baskets of one kind from a canonical frame, with cancellations, returns and blanks set aside.

    Parameters
    ----------
    frame : DataFrame
        Canonical rows (``record_id``, ``order_id``, ``item``, ``customer_id``, ``product`` …). ``item``
        holds one item or several separated by ";"; without ``record_id`` the frame's index stands in.
    kind : str
        ``"order_items"`` (order_id → item, or product), ``"customer_products"`` (customer_id → product,
        or item), ``"interaction_topics"`` (record → labels of ``tags``), ``"customer_topics"``
        (customer → labels of ``tags`` on their records) or ``"interaction_words"`` (record → the frequent
        content words of its text, Chinese cut by jieba).
    tags : DataFrame, optional
        ``record_id``, ``label`` (several rows or a tuple per record); "other" is no topic.
    quantity : Series or sequence, optional
        Quantity per row: order lines with quantity ≤ 0 are set aside (ignored by topic kinds).

    Examples
    --------
    >>> frame = pd.DataFrame({"order_id": ["1", "1", "2", "C3"], "item": ["tea", "cup", "tea;cup", "tea"]})
    >>> baskets = build_baskets(frame)
    >>> baskets.report.n_baskets, list(baskets.items), baskets.report.n_cancelled
    (2, ['cup', 'tea'], 1)
    """
    spec = basket_kind(kind)
    rows = frame.reset_index(drop=True)
    record_ids = _clean(rows["record_id"]) if "record_id" in rows.columns else \
        pd.Series(frame.index.astype(str), dtype="string")
    if kind in (ORDER_ITEMS, CUSTOMER_PRODUCTS):
        basket, items, counts = _line_items(rows, spec, _aligned_quantity(frame, quantity))
    elif kind == INTERACTION_WORDS:
        basket, items, counts = _word_items(rows, record_ids)
    else:
        basket, items, counts = _tagged_items(rows, spec, tags, record_ids)
    return _assemble(spec, basket, items, record_ids, n_rows=len(rows), counts=counts)


def _line_items(rows: pd.DataFrame, spec: BasketKind, non_positive: np.ndarray
                ) -> tuple[pd.Series, pd.Series, tuple[int, int, int, int]]:
    """Basket id per row, items by source row, and the set-aside counts of order lines."""
    id_column, preferred, fallback = ("order_id", "item", "product") if spec.key == ORDER_ITEMS else \
        ("customer_id", "product", "item")
    item_column = _item_column(rows, preferred, fallback)
    if id_column not in rows.columns or item_column is None:
        hint = next(k.hint for k in supported_kinds(rows) if k.kind == spec.key)
        raise ValueError(f"This data cannot give {spec.label} baskets: {hint}.")
    basket = _clean(rows[id_column])
    missing_id = basket.isna().to_numpy()
    cancelled = np.zeros(len(rows), dtype=bool)
    if "order_id" in rows.columns:
        order = basket if id_column == "order_id" else _clean(rows["order_id"])
        cancelled = order.str.contains(_CANCELLATION).to_numpy(dtype=bool, na_value=False) & ~missing_id
    non_positive = non_positive & ~missing_id & ~cancelled
    kept = ~(missing_id | cancelled | non_positive)
    items = _split_items(rows[item_column][kept])
    counts = (int(missing_id.sum()), int(cancelled.sum()), int(non_positive.sum()),
              int(kept.sum()) - items.index.nunique())
    return basket, items, counts


def _word_items(rows: pd.DataFrame, record_ids: pd.Series) -> tuple[pd.Series, pd.Series, tuple[int, int, int, int]]:
    """Each interaction's content words (jieba words for Chinese, :func:`analytics.words.keyword_words`), only the
    words frequent enough to make rules (:data:`MIN_WORD_SHARE`, :data:`MAX_WORDS`), and the set-aside counts."""
    if not _has_values(rows, "text"):
        raise ValueError("This data cannot give interactions → words baskets: map a text column.")
    text = _clean(rows["text"])
    present = np.flatnonzero((text.notna() & record_ids.notna()).to_numpy())
    words = [sorted(set(keyword_words(t))) for t in text.iloc[present].tolist()]
    frequency = Counter(w for found in words for w in found)
    minimum = max(2, MIN_WORD_SHARE * len(words))
    kept = {w for w, n in frequency.most_common(MAX_WORDS) if n >= minimum}
    if not kept:
        raise ValueError(f"No word is in at least {minimum:,.0f} of the {len(words):,} texts, so word baskets would "
                         "be empty: rules need words that recur (more texts, or clear the filters).")
    pairs = [(row, w) for row, found in zip(present.tolist(), words) for w in found if w in kept]
    items = pd.Series([w for _, w in pairs], index=[row for row, _ in pairs], dtype="string")
    missing_id = int(record_ids.isna().sum())
    return record_ids, items, (missing_id, 0, 0, len(present) - items.index.nunique())


def _tagged_items(rows: pd.DataFrame, spec: BasketKind, tags: pd.DataFrame | None, record_ids: pd.Series
                  ) -> tuple[pd.Series, pd.Series, tuple[int, int, int, int]]:
    """Basket id per record, its labels by source row ("other" is none), and the set-aside counts."""
    if tags is None or not {"record_id", "label"} <= set(tags.columns):
        raise ValueError(f"{spec.label} baskets need a tags table with record_id and label columns.")
    if spec.key == CUSTOMER_TOPICS and "customer_id" not in rows.columns:
        raise ValueError("map a customer column to build customer baskets.")
    basket = record_ids if spec.key == INTERACTION_TOPICS else _clean(rows["customer_id"])
    missing_id = (basket.isna() | record_ids.isna()).to_numpy()
    labels = _split_items(tags["label"].reset_index(drop=True))
    labels = labels[labels.str.casefold().ne(OTHER)]
    by_record = pd.DataFrame({"record_id": _clean(tags["record_id"]).to_numpy()[labels.index],
                              "item": labels.to_numpy()})
    positions = pd.DataFrame({"record_id": record_ids[~missing_id], "row": np.flatnonzero(~missing_id)})
    joined = positions.merge(by_record, on="record_id", how="inner")  # tags of records outside the frame drop out
    items = pd.Series(joined["item"].to_numpy(), index=joined["row"].to_numpy(), dtype="string")
    return basket, items, (int(missing_id.sum()), 0, 0, int((~missing_id).sum()) - items.index.nunique())


def _assemble(spec: BasketKind, basket: pd.Series, items: pd.Series, record_ids: pd.Series, *, n_rows: int,
              counts: tuple[int, int, int, int]) -> Baskets:
    rows = items.index.to_numpy()
    basket_codes, basket_ids = pd.factorize(basket.take(rows))
    item_codes, item_names = pd.factorize(items, sort=True)
    if not len(basket_ids):
        raise ValueError(f"No {spec.unit} are left once {sum(counts):,} of {n_rows:,} rows are set aside "
                         "(missing ids or items, cancellations, quantities ≤ 0).")
    shape = (len(basket_ids), len(item_names))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (basket_codes, item_codes)), shape=shape)
    matrix.data = matrix.data > 0  # an item listed twice in a basket counts once
    sizes = np.diff(matrix.indptr)
    lines = pd.DataFrame({"basket": basket_codes, "item": item_codes, "record_id": record_ids.to_numpy()[rows]})
    report = BasketReport(spec.key, n_rows, shape[0], shape[1], float(sizes.mean()), int((sizes == 1).sum()), *counts)
    return Baskets(spec.key, matrix, pd.Index(basket_ids, dtype=str), pd.Index(item_names, dtype=str),
                   np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64), lines, report)


