"""Deterministic generator of the demo dataset: a raw CSV export with documented planted facts (data/DEMO.md)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics.demo import phrases_zh
from analytics.demo.composer import STYLES, TOPICS, Spec, Style, write_text

DEMO_FILENAME = "demo_interactions.csv"
LANGUAGES: tuple[str, ...] = ("en", "zh")
DEMO_FILENAMES: Mapping[str, str] = MappingProxyType({"en": DEMO_FILENAME, "zh": "demo_interactions_zh.csv"})
COLUMNS: tuple[str, ...] = (
    "interaction_id", "created_at", "customer_id", "channel", "product", "category", "rating",
    "expected", "advertised_rating", "order_id", "items", "amount", "text",
)
START_DATE = "2024-01-01"
END_DATE = "2025-12-31"
CHANNELS: tuple[str, ...] = ("review", "email", "chat", "phone", "survey")
# TOPICS (delivery, price, quality, support, returns, app, product) comes from the composer, which writes about them.
GROUPS: tuple[str, ...] = ("loyal", "bargain", "at_risk", "occasional")
CUSTOMERS_PER_INTERACTION = 3 / 20  # 20,000 interactions -> 3,000 customers
MIN_INTERACTIONS = 200

# Fact 1 and 2: relative daily volume by weekday (Monday first) and by calendar month, plus a
# linear growth of GROWTH over the two years.
WEEKDAY_MULTIPLIERS: tuple[float, ...] = (1.40, 1.15, 1.05, 1.00, 0.95, 0.70, 0.60)
MONTH_MULTIPLIERS: tuple[float, ...] = (0.90, 0.85, 0.95, 0.95, 1.00, 0.95, 0.90, 0.90, 1.00, 1.05, 1.45, 1.60)
GROWTH = 0.10

# Fact 3: the delivery-complaint surge.
SURGE_MONTH = "2025-03"
SURGE_VOLUME_MULTIPLIER = 1.25
SURGE_SHARE = 0.22
SURGE_RATING_DROP = 2.3

# Text noise.
MISMATCH_SHARE = 0.035
SARCASM_SHARE = 0.08
TYPO_SHARE = 0.05
RATING_NOISE_SD = 0.95
CUSTOMER_NOISE_SD = 0.30

# Fact 5: advertised rating = realised mean + offset (rounded to 0.1).
ADVERTISED_OFFSET = 0.30
UNDERPERFORMER_OFFSET = (1.3, 1.6)
ADVERTISED_MAX = 4.9
UNDERPERFORMER_MIN_ADVERTISED = 4.5

# Fact 6: chance that an order holding one item of a planted pair also holds the other.
PAIR_ATTACH_PROB = 0.5
SAME_CATEGORY_EXTRA_PROB = 0.25

# Fact 7: shift of the stated expectation above the advertised rating on survey rows, by category.
EXPECTATION_SHIFT: Mapping[str, float] = MappingProxyType({
    "Kitchen": 0.1, "Coffee": 0.1, "Home": 0.1, "Garden": -0.35, "Electronics": 1.4, "Outdoor": 0.1,
})
EXPECTATION_NOISE_SD = 0.7
MISS_CATEGORY = "Electronics"
EXCEED_CATEGORY = "Garden"


class _Product(NamedTuple):
    name: str
    category: str
    price: float
    quality: float  # latent mean rating before group, channel and noise effects
    popularity: float
    short: str  # how a text refers to it after naming it once


_PRODUCTS: tuple[_Product, ...] = (
    _Product("Nordic Chef's Knife", "Kitchen", 59.00, 4.90, 5, "knife"),
    _Product("Cascade Cast-Iron Skillet", "Kitchen", 44.90, 4.80, 6, "skillet"),
    _Product("Zephyr Air Fryer", "Kitchen", 119.00, 3.40, 9, "air fryer"),
    _Product("Granite Nonstick Pan Set", "Kitchen", 89.00, 4.40, 5, "pan set"),
    _Product("Willow Bamboo Cutting Board", "Kitchen", 24.50, 4.65, 4, "cutting board"),
    _Product("Tempo Stand Mixer", "Kitchen", 249.00, 4.95, 3, "mixer"),
    _Product("Crisp Vacuum Sealer", "Kitchen", 69.90, 4.30, 2, "sealer"),
    _Product("Aurora Espresso Machine", "Coffee", 429.00, 4.75, 5, "espresso machine"),
    _Product("Velvet Milk Frother", "Coffee", 39.90, 4.55, 4, "frother"),
    _Product("Ridge Burr Grinder", "Coffee", 129.00, 4.70, 4, "grinder"),
    _Product("Harbor Pour-Over Kettle", "Coffee", 54.00, 4.85, 3, "kettle"),
    _Product("Brook Cold Brew Maker", "Coffee", 34.90, 3.40, 7, "cold brew maker"),
    _Product("Sunrise Espresso Roast 1kg", "Coffee", 21.50, 4.60, 10, "coffee"),
    _Product("Copper Moka Pot", "Coffee", 32.00, 4.45, 4, "moka pot"),
    _Product("Lumen Smart Bulb 4-Pack", "Home", 49.90, 4.25, 6, "bulb pack"),
    _Product("Haven Linen Duvet Cover", "Home", 79.00, 4.70, 4, "duvet cover"),
    _Product("Nimbus Memory Foam Pillow", "Home", 45.00, 3.40, 8, "pillow"),
    _Product("Breeze Tower Fan", "Home", 89.90, 4.20, 5, "fan"),
    _Product("Pure Air Purifier", "Home", 199.00, 4.65, 4, "purifier"),
    _Product("Pure Air HEPA Filter", "Home", 29.00, 4.50, 4, "filter"),
    _Product("Hearth Scented Candle Trio", "Home", 28.50, 4.75, 6, "candle set"),
    _Product("Evergreen Hose Reel", "Garden", 64.00, 4.30, 4, "hose reel"),
    _Product("Thornless Bypass Pruner", "Garden", 27.90, 4.85, 5, "pruner"),
    _Product("Meadow Raised Garden Bed", "Garden", 139.00, 4.60, 3, "garden bed"),
    _Product("Solar Path Light Set", "Garden", 42.00, 4.15, 6, "light set"),
    _Product("Rainmaker Drip Irrigation Kit", "Garden", 58.50, 4.40, 3, "irrigation kit"),
    _Product("Greenleaf Compost Bin", "Garden", 74.00, 4.55, 2, "compost bin"),
    _Product("Pulse Fitness Tracker", "Electronics", 99.00, 4.10, 9, "tracker"),
    _Product("Volt Fast Charger", "Electronics", 29.90, 4.25, 8, "charger"),
    _Product("Orbit Bluetooth Speaker", "Electronics", 79.00, 4.20, 6, "speaker"),
    _Product("Vista 4K Streaming Stick", "Electronics", 49.00, 4.05, 7, "streaming stick"),
    _Product("Nova Smartwatch", "Electronics", 199.00, 4.00, 5, "smartwatch"),
    _Product("Arc Noise-Cancelling Headset", "Electronics", 249.00, 4.50, 4, "headset"),
    _Product("Quill E-Reader", "Electronics", 139.00, 4.35, 3, "e-reader"),
    _Product("Summit Two-Person Tent", "Outdoor", 189.00, 4.60, 4, "tent"),
    _Product("Ember Camp Stove", "Outdoor", 54.90, 4.65, 4, "stove"),
    _Product("Trailhead Hydration Pack", "Outdoor", 49.00, 4.45, 4, "hydration pack"),
    _Product("Polar Insulated Bottle", "Outdoor", 27.00, 4.80, 8, "bottle"),
    _Product("Drift Inflatable Kayak", "Outdoor", 299.00, 3.40, 4, "kayak"),
    _Product("Glacier Down Sleeping Bag", "Outdoor", 159.00, 4.70, 3, "sleeping bag"),
)
UNDERPERFORMING_PRODUCTS: tuple[str, ...] = (
    "Zephyr Air Fryer", "Brook Cold Brew Maker", "Nimbus Memory Foam Pillow", "Drift Inflatable Kayak",
)
PLANTED_PAIRS: tuple[tuple[str, str], ...] = (
    ("Aurora Espresso Machine", "Velvet Milk Frother"),
    ("Pure Air Purifier", "Pure Air HEPA Filter"),
    ("Summit Two-Person Tent", "Ember Camp Stove"),
)


@dataclass(frozen=True)
class GroupProfile:
    """How one planted customer group behaves (fact 4).

    Parameters
    ----------
    share : float
        Share of customers in the group.
    activity : float
        Mean relative number of interactions beyond each customer's first one.
    new_order_prob : float
        Chance that an interaction concerns a new order rather than the customer's previous one.
    items_probs : tuple of float
        Chance of 1, 2, 3 and 4 items in an order.
    price_exponent : float
        Product choice weight is multiplied by (price / median price) ** price_exponent.
    rating_offset : float
        Added to the latent rating.
    channel_probs : tuple of float
        Chance of each channel, in the order of ``CHANNELS``.
    topic_multipliers : tuple of float
        Multiplies the topic weights, in the order of ``TOPICS``.
    """

    share: float
    activity: float
    new_order_prob: float
    items_probs: tuple[float, ...]
    price_exponent: float
    rating_offset: float
    channel_probs: tuple[float, ...]
    topic_multipliers: tuple[float, ...]


GROUP_PROFILES: Mapping[str, GroupProfile] = MappingProxyType({
    "loyal": GroupProfile(0.15, 4.0, 0.85, (0.20, 0.35, 0.28, 0.17), 0.5, 0.45,
                          (0.35, 0.15, 0.20, 0.05, 0.25), (1.0, 0.7, 1.2, 1.0, 0.8, 1.1, 1.2)),
    "bargain": GroupProfile(0.25, 1.3, 0.75, (0.70, 0.22, 0.06, 0.02), -1.2, -0.15,
                            (0.35, 0.15, 0.30, 0.05, 0.15), (1.0, 4.0, 1.0, 1.0, 1.0, 1.0, 1.0)),
    "at_risk": GroupProfile(0.15, 2.0, 0.40, (0.45, 0.30, 0.17, 0.08), 0.0, -1.3,
                            (0.10, 0.35, 0.10, 0.35, 0.10), (1.0, 1.0, 1.0, 2.6, 2.6, 1.0, 1.0)),
    "occasional": GroupProfile(0.45, 0.25, 0.85, (0.50, 0.30, 0.14, 0.06), 0.0, 0.0,
                               (0.40, 0.10, 0.20, 0.10, 0.20), (1.0,) * 7),
})
ACTIVITY_SHAPE = 4.0  # gamma shape of each customer's activity around the group mean
ORDER_GAP_DAYS = 45  # a later contact this far after the previous one is always about a new order

CHANNEL_RATING_OFFSET: Mapping[str, float] = MappingProxyType({
    "review": 0.05, "email": -0.25, "chat": -0.15, "phone": -0.35, "survey": 0.10,
})
# Topic weights by the polarity of the text, in the order of TOPICS.
_TOPIC_WEIGHTS: Mapping[str, tuple[float, ...]] = MappingProxyType({
    "neg": (0.24, 0.12, 0.18, 0.14, 0.10, 0.07, 0.15),
    "neu": (0.18, 0.14, 0.18, 0.10, 0.08, 0.08, 0.24),
    "pos": (0.14, 0.12, 0.24, 0.09, 0.04, 0.06, 0.31),
})
_CHANNEL_TOPIC_MULTIPLIERS: Mapping[str, tuple[float, ...]] = MappingProxyType({
    "review": (0.8, 1.0, 1.4, 0.4, 0.5, 0.6, 1.6),
    "email": (1.2, 1.0, 0.8, 1.5, 1.6, 1.0, 0.7),
    "chat": (1.4, 0.9, 0.7, 1.4, 1.3, 1.5, 0.6),
    "phone": (1.3, 0.8, 0.7, 1.7, 1.6, 0.9, 0.6),
    "survey": (1.0,) * 7,
})
# Chance of an expectation cue by text polarity; higher on underperforming products and surge rows.
CUE_PROBS: Mapping[str, float] = MappingProxyType({"neg": 0.22, "mixed": 0.15, "pos": 0.07, "neu": 0.03})
UNDERPERFORMER_CUE_PROB = 0.5
SURGE_CUE_PROB = 0.35

_HOUR_WEIGHTS_OFFICE = np.array([0, 0, 0, 0, 0, 0, 1, 3, 7, 9, 10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 4, 2, 1, 0.5])
_HOUR_WEIGHTS_ANYTIME = np.array([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 5, 6, 6, 6, 6, 5, 5, 5, 6, 7, 8, 9, 8, 5, 2])

CUE_PATTERN = r"\b(?:expected|expecting|promised|advertised|should have|supposed to)\b"

_UNIFORMS_PER_ROW = 32  # the longest text uses fewer draws; more would be recycled


@dataclass(frozen=True, eq=False)
class DemoTruth:
    """The planted facts of one generated demo dataset and its hidden per-row labels (see data/DEMO.md).

    Attributes
    ----------
    seed, n_interactions, n_customers : int
        What was generated.
    weekday_multipliers, month_multipliers : tuple of float
        Relative daily volume by weekday (Monday first) and month (January first) — facts 1 and 2.
    growth : float
        Linear volume growth over the two years.
    surge_month : str
        ``YYYY-MM`` of the delivery-complaint surge (fact 3), with ``surge_volume_multiplier``,
        ``surge_share`` (share of that month's rows that are surge complaints) and ``surge_rating_drop``.
    group_profiles : Mapping[str, GroupProfile]
        Behaviour of each customer group (fact 4).
    customer_groups : pandas.Series
        Group of every customer, indexed by ``customer_id``.
    products : pandas.DataFrame
        product, category, price, quality, popularity, advertised_rating, underperforming, and the names the
        CSV shows (display_product, display_category); product and category stay the English keys.
    underperforming_products : tuple of str
        Products whose mean rating falls well short of the advertised one (fact 5).
    planted_pairs : tuple of (str, str)
        Item pairs bought together far above chance (fact 6), with ``pair_attach_prob``.
    expectation_shift : Mapping[str, float]
        Shift of the survey expectation above the advertised rating by category (fact 7);
        ``miss_category`` and ``exceed_category`` name the extremes.
    labels : pandas.DataFrame
        One row per interaction, aligned with the interactions frame: interaction_id, customer_group,
        topic, second_topic, text_polarity (neg/neu/mixed/pos), is_mismatch, is_sarcastic,
        typo_count, cue ("", "missed", "met"), is_surge_complaint.
    language : str
        ``"en"`` or ``"zh"``: the language of the texts and display names; ``channel_names`` maps each channel
        key of ``CHANNELS`` to the name the CSV shows.
    """

    seed: int
    n_interactions: int
    n_customers: int
    weekday_multipliers: tuple[float, ...]
    month_multipliers: tuple[float, ...]
    growth: float
    surge_month: str
    surge_volume_multiplier: float
    surge_share: float
    surge_rating_drop: float
    group_profiles: Mapping[str, GroupProfile]
    customer_groups: pd.Series
    products: pd.DataFrame
    underperforming_products: tuple[str, ...]
    planted_pairs: tuple[tuple[str, str], ...]
    pair_attach_prob: float
    expectation_shift: Mapping[str, float]
    miss_category: str
    exceed_category: str
    mismatch_share: float
    sarcasm_share: float
    typo_share: float
    labels: pd.DataFrame
    language: str
    channel_names: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class DemoData:
    """A generated demo dataset: the raw export and the truth behind it."""

    interactions: pd.DataFrame
    truth: DemoTruth


def generate_demo(*, seed: int = 7, n_interactions: int = 20_000, language: str = "en") -> DemoData:
    """Generate the demo interactions with their planted facts, deterministically from ``seed``.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed always gives the same frame.
    n_interactions : int
        Number of rows; customers are ``n_interactions * 3 / 20`` (3,000 for 20,000 rows).
    language : {"en", "zh"}
        Language of the texts and of the product, category and channel names. Only the writing differs: the
        random draws, and so every planted fact and the truth, are the same in both for the same seed.

    Returns
    -------
    DemoData
        ``interactions`` with the columns of ``COLUMNS`` (values as the CSV holds them) and ``truth``.

    Examples
    --------
    >>> demo = generate_demo(seed=1, n_interactions=2_000)
    >>> demo.interactions.shape
    (2000, 13)
    >>> generate_demo(seed=1, n_interactions=200, language="zh").interactions.loc[0, ["channel", "product"]].tolist()
    ['在线客服', '山脊锥刀磨豆机']
    """
    if n_interactions < MIN_INTERACTIONS:
        raise ValueError(f"n_interactions={n_interactions} should be >= {MIN_INTERACTIONS}")
    lang = _language(language)
    rng = np.random.default_rng(seed)
    products = _product_table()
    n_customers = max(1, round(n_interactions * CUSTOMERS_PER_INTERACTION))
    groups = _assign_groups(rng, n_customers)
    rows = _draw_rows(rng, groups, n_interactions)
    rows = _attach_orders(rng, rows, products, lang)
    rows = _rate(rng, rows, groups, products)
    products = _advertise(rng, products, rows)
    rows = _expect(rng, rows, products)
    rows = _label_text(rng, rows)
    texts, typos = _write_texts(rng, rows, products, lang)
    rows["text"] = texts
    rows["typo_count"] = typos
    return _package(rows, groups, products, lang, seed=seed, n_interactions=n_interactions)


def ensure_demo_csv(directory: Path, *, seed: int = 7, n_interactions: int = 20_000, language: str = "en") -> Path:
    """Write ``directory / DEMO_FILENAMES[language]`` (``demo_interactions.csv``, …) unless it already exists.

    The file is written under a temporary name and renamed, so a reader never sees half a file.

    Parameters
    ----------
    directory : Path
        Folder of the demo file (created when missing).
    seed, n_interactions : int
        Passed to :func:`generate_demo` when the file has to be written.
    language : {"en", "zh"}
        Which demo: each language has its own file, so both can sit side by side.

    Returns
    -------
    Path
        The demo CSV.
    """
    _language(language)  # refuse an unknown language before touching the folder
    directory = Path(directory)
    target = directory / DEMO_FILENAMES[language]
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    frame = generate_demo(seed=seed, n_interactions=n_interactions, language=language).interactions
    # A private temporary name (not mkstemp: its 0600 mode would stick to the final file).
    tmp = directory / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        _to_csv(frame, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    # Written the way a shop system exports them: expectations as "4", amounts as "45.00".
    out = frame.assign(
        expected=["" if np.isnan(v) else str(int(v)) for v in frame["expected"].to_numpy(dtype=float)],
        amount=[f"{v:.2f}" for v in frame["amount"].to_numpy(dtype=float)],
    )
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


# ---------------------------------------------------------------------------------------------- generation


def _product_table() -> pd.DataFrame:
    table = pd.DataFrame(_PRODUCTS, columns=list(_Product._fields))
    table["underperforming"] = table["name"].isin(UNDERPERFORMING_PRODUCTS)
    return table


def _assign_groups(rng: np.random.Generator, n_customers: int) -> pd.DataFrame:
    counts = [round(GROUP_PROFILES[g].share * n_customers) for g in GROUPS]
    counts[-1] = n_customers - sum(counts[:-1])
    group_idx = rng.permutation(np.repeat(np.arange(len(GROUPS)), counts))
    activity_mean = np.array([GROUP_PROFILES[g].activity for g in GROUPS])[group_idx]
    return pd.DataFrame({
        "customer_id": [f"C{i + 1:05d}" for i in range(n_customers)],
        "group_idx": group_idx,
        "group": np.array(GROUPS, dtype=object)[group_idx],
        "activity": rng.gamma(ACTIVITY_SHAPE, activity_mean / ACTIVITY_SHAPE),
        "rating_offset": rng.normal(0.0, CUSTOMER_NOISE_SD, n_customers),
    })


def _day_weights() -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(START_DATE, END_DATE, freq="D")
    t = np.arange(len(days)) / (len(days) - 1)
    weights = (np.array(WEEKDAY_MULTIPLIERS)[days.day_of_week] * np.array(MONTH_MULTIPLIERS)[days.month - 1]
               * (1.0 + GROWTH * t))
    weights = np.where(days.strftime("%Y-%m") == SURGE_MONTH, weights * SURGE_VOLUME_MULTIPLIER, weights)
    return days, weights / weights.sum()


def _draw_rows(rng: np.random.Generator, groups: pd.DataFrame, n: int) -> pd.DataFrame:
    n_customers = len(groups)
    # Every customer appears at least once; the remaining rows follow each customer's activity.
    activity = groups["activity"].to_numpy()
    extra = rng.choice(n_customers, size=n - n_customers, p=activity / activity.sum())
    customer = np.concatenate([rng.permutation(n_customers), extra])
    days, day_p = _day_weights()
    day = rng.choice(len(days), size=n, p=day_p)
    group_idx = groups["group_idx"].to_numpy()[customer]
    channel_probs = np.array([GROUP_PROFILES[g].channel_probs for g in GROUPS])
    channel = _categorical_by_group(channel_probs, group_idx, rng.random(n))
    office = np.isin(channel, [CHANNELS.index("chat"), CHANNELS.index("phone")])
    hour = np.where(office, rng.choice(24, size=n, p=_HOUR_WEIGHTS_OFFICE / _HOUR_WEIGHTS_OFFICE.sum()),
                    rng.choice(24, size=n, p=_HOUR_WEIGHTS_ANYTIME / _HOUR_WEIGHTS_ANYTIME.sum()))
    seconds = hour * 3600 + rng.integers(0, 3600, size=n)
    when = days.to_numpy()[day].astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    month = days.strftime("%Y-%m").to_numpy()[day]
    surge = (month == SURGE_MONTH) & (rng.random(n) < SURGE_SHARE)
    return pd.DataFrame({"customer": customer, "group_idx": group_idx, "when": when,
                         "channel_idx": channel, "is_surge_complaint": surge})


def _categorical(probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise inverse-CDF draw: one category per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((cdf < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _categorical_by_group(probs: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw where row ``i`` uses the probabilities ``probs[group[i]]`` of a (groups, k) matrix."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    out = np.empty(len(group), dtype=int)
    for g in range(len(probs)):
        mask = group == g
        out[mask] = np.searchsorted(cdf[g], u[mask], side="right")
    return np.minimum(out, probs.shape[1] - 1)


def _attach_orders(rng: np.random.Generator, rows: pd.DataFrame, products: pd.DataFrame,
                   lang: _Language) -> pd.DataFrame:
    """Group each customer's contacts into orders and give every order its line items."""
    rows = rows.sort_values(["customer", "when"], kind="stable").reset_index(drop=True)
    n = len(rows)
    new_prob = np.array([GROUP_PROFILES[g].new_order_prob for g in GROUPS])[rows["group_idx"].to_numpy()]
    customer = rows["customer"].to_numpy()
    when = rows["when"].to_numpy()
    first = np.r_[True, customer[1:] != customer[:-1]]
    gap = np.r_[np.timedelta64(0, "s"), when[1:] - when[:-1]]
    new_order = first | (rng.random(n) < new_prob) | (gap > np.timedelta64(ORDER_GAP_DAYS, "D"))
    order_seq = np.cumsum(new_order) - 1
    n_orders = int(order_seq[-1]) + 1
    # Orders are numbered in the order their first contact happened.
    first_when = when[new_order]
    rank = np.empty(n_orders, dtype=int)
    rank[np.argsort(first_when, kind="stable")] = np.arange(n_orders)
    order_group = rows["group_idx"].to_numpy()[new_order]
    baskets = _draw_baskets(rng, order_group, products)
    prices = products["price"].tolist()
    names = [lang.product_names[name][0] for name in products["name"]]
    pick = rng.random(n)
    item_count = np.array([len(b) for b in baskets])[order_seq]
    slot = np.minimum((pick * item_count).astype(int), item_count - 1)
    rows["product_idx"] = [baskets[o][s] for o, s in zip(order_seq.tolist(), slot.tolist())]
    rows["order_id"] = np.array([f"O{1000 + r:07d}" for r in rank], dtype=object)[order_seq]
    rows["items"] = np.array([";".join(names[i] for i in b) for b in baskets], dtype=object)[order_seq]
    rows["amount"] = np.array([round(sum(prices[i] for i in b), 2) for b in baskets])[order_seq]
    return rows


def _product_weights(products: pd.DataFrame) -> np.ndarray:
    """Choice weights of products for each group, shape (groups, products)."""
    price = products["price"].to_numpy()
    relative = price / np.median(price)
    base = products["popularity"].to_numpy(dtype=float)
    weights = np.array([base * relative ** GROUP_PROFILES[g].price_exponent for g in GROUPS])
    return weights / weights.sum(axis=1, keepdims=True)


def _draw_baskets(rng: np.random.Generator, order_group: np.ndarray,
                  products: pd.DataFrame) -> list[list[int]]:
    """Line items of every order: an anchor product, its planted partner, then other items."""
    n_orders = len(order_group)
    weights = _product_weights(products)
    anchor = _categorical_by_group(weights, order_group, rng.random(n_orders))
    items_probs = np.array([GROUP_PROFILES[g].items_probs for g in GROUPS])
    n_items = _categorical_by_group(items_probs, order_group, rng.random(n_orders)) + 1
    attach = rng.random(n_orders) < PAIR_ATTACH_PROB
    candidates = _extra_candidates(rng, anchor, order_group, weights, products)
    partner = _partners(products)
    baskets = []
    for first, size, pair, row in zip(anchor.tolist(), n_items.tolist(), attach.tolist(), candidates.tolist()):
        items = [first]
        if pair and partner[first] >= 0:
            items.append(partner[first])
        for candidate in row:
            if len(items) >= size:
                break
            if candidate not in items:
                items.append(candidate)
        baskets.append(items)
    return baskets


def _partners(products: pd.DataFrame) -> list[int]:
    index = {name: i for i, name in enumerate(products["name"])}
    partner = [-1] * len(products)
    for a, b in PLANTED_PAIRS:
        partner[index[a]], partner[index[b]] = index[b], index[a]
    return partner


def _extra_candidates(rng: np.random.Generator, anchor: np.ndarray, order_group: np.ndarray,
                      weights: np.ndarray, products: pd.DataFrame, *, k: int = 6) -> np.ndarray:
    """``k`` candidate extra items per order: from the anchor's category or from the group's mix."""
    n_orders = len(anchor)
    category = products["category"].to_numpy(dtype=object)
    members = [np.flatnonzero(category == c) for c in category]
    size = np.array([len(m) for m in members])
    padded = np.array([np.resize(m, size.max()) for m in members])
    slot = (rng.random((n_orders, k)) * size[anchor][:, None]).astype(int)
    same = padded[anchor[:, None], slot]
    mix = _categorical_by_group(weights, np.repeat(order_group, k), rng.random(n_orders * k)).reshape(n_orders, k)
    return np.where(rng.random((n_orders, k)) < SAME_CATEGORY_EXTRA_PROB, same, mix)


def _rate(rng: np.random.Generator, rows: pd.DataFrame, groups: pd.DataFrame,
          products: pd.DataFrame) -> pd.DataFrame:
    """Star rating from product quality, group, customer, channel, surge and noise."""
    quality = products["quality"].to_numpy()[rows["product_idx"].to_numpy()]
    group_offset = np.array([GROUP_PROFILES[g].rating_offset for g in GROUPS])[rows["group_idx"].to_numpy()]
    customer_offset = groups["rating_offset"].to_numpy()[rows["customer"].to_numpy()]
    channel_offset = np.array([CHANNEL_RATING_OFFSET[c] for c in CHANNELS])[rows["channel_idx"].to_numpy()]
    surge = np.where(rows["is_surge_complaint"].to_numpy(), -SURGE_RATING_DROP, 0.0)
    latent = quality + group_offset + customer_offset + channel_offset + surge
    latent = latent + rng.normal(0.0, RATING_NOISE_SD, len(rows))
    return rows.assign(rating=np.clip(np.rint(latent), 1, 5).astype("int64"))


def _advertise(rng: np.random.Generator, products: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Set each product's advertised rating from its realised mean (fact 5)."""
    realised = (rows.groupby("product_idx")["rating"].mean()
                .reindex(range(len(products))).fillna(products["quality"]).to_numpy())
    normal_offset = rng.uniform(-ADVERTISED_OFFSET, ADVERTISED_OFFSET, len(products))
    under_offset = rng.uniform(*UNDERPERFORMER_OFFSET, len(products))
    under = products["underperforming"].to_numpy()
    advertised = np.where(under, np.clip(realised + under_offset, UNDERPERFORMER_MIN_ADVERTISED, ADVERTISED_MAX),
                          np.clip(realised + normal_offset, 1.0, ADVERTISED_MAX))
    products = products.copy()
    products["realised_rating"] = realised
    products["advertised_rating"] = np.round(advertised, 1)
    return products


def _expect(rng: np.random.Generator, rows: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Stated expectation on survey rows: advertised rating shifted by category (fact 7)."""
    product_idx = rows["product_idx"].to_numpy()
    advertised = products["advertised_rating"].to_numpy()[product_idx]
    shift = products["category"].map(EXPECTATION_SHIFT).to_numpy(dtype=float)[product_idx]
    stated = np.clip(np.rint(advertised + shift + rng.normal(0.0, EXPECTATION_NOISE_SD, len(rows))), 1, 5)
    survey = rows["channel_idx"].to_numpy() == CHANNELS.index("survey")
    return rows.assign(expected=np.where(survey, stated, np.nan))


def _label_text(rng: np.random.Generator, rows: pd.DataFrame) -> pd.DataFrame:
    """Decide what each text says: polarity, topics, mismatch, sarcasm and expectation cue."""
    n = len(rows)
    rating = rows["rating"].to_numpy()
    surge = rows["is_surge_complaint"].to_numpy()
    u = rng.random((n, 8))
    polarity = np.select(
        [rating <= 1, rating == 2, rating == 3, rating == 4],
        [np.full(n, "neg"), np.where(u[:, 0] < 0.75, "neg", "mixed"), np.where(u[:, 0] < 0.55, "mixed", "neu"),
         np.where(u[:, 0] < 0.75, "pos", "mixed")],
        default="pos").astype(object)
    dominant = np.where(rating <= 2, "neg", np.where(rating >= 4, "pos", np.where(u[:, 1] < 0.5, "neg", "pos")))
    dominant = dominant.astype(object)
    mismatch = (rating != 3) & ~surge & (u[:, 2] < MISMATCH_SHARE)
    polarity[mismatch] = np.where(rating[mismatch] >= 4, "neg", "pos")
    # Surge complaints always carry a delivery complaint, as the whole text or the "but" half of it.
    polarity[surge] = np.where(rating[surge] <= 2, "neg", "mixed")
    dominant[surge] = "neg"
    topic_polarity = np.where(polarity == "mixed", dominant, polarity)
    rows["topic_idx"] = _draw_topics(rows, topic_polarity, u[:, 3])
    rows.loc[surge, "topic_idx"] = TOPICS.index("delivery")
    rows["second_topic_idx"] = (rows["topic_idx"].to_numpy() + 1 + (u[:, 4] * 6).astype(int)) % len(TOPICS)
    rows["text_polarity"] = polarity
    rows["dominant"] = dominant
    rows["is_mismatch"] = mismatch
    rows["is_sarcastic"] = (polarity == "neg") & (u[:, 5] < SARCASM_SHARE)
    rows["cue"] = _draw_cues(rows, u[:, 6])
    rows["customer_group"] = np.array(GROUPS, dtype=object)[rows["group_idx"].to_numpy()]
    return rows


def _draw_topics(rows: pd.DataFrame, topic_polarity: np.ndarray, u: np.ndarray) -> np.ndarray:
    base = np.array([_TOPIC_WEIGHTS[p] for p in ("neg", "neu", "pos")])
    pol_idx = np.select([topic_polarity == "neg", topic_polarity == "neu"], [0, 1], default=2)
    group_mult = np.array([GROUP_PROFILES[g].topic_multipliers for g in GROUPS])[rows["group_idx"].to_numpy()]
    channel_mult = np.array([_CHANNEL_TOPIC_MULTIPLIERS[c] for c in CHANNELS])[rows["channel_idx"].to_numpy()]
    return _categorical(base[pol_idx] * group_mult * channel_mult, u)


def _draw_cues(rows: pd.DataFrame, u: np.ndarray) -> np.ndarray:
    polarity = rows["text_polarity"].to_numpy()
    dominant = rows["dominant"].to_numpy()
    prob = np.array([CUE_PROBS[p] for p in polarity])
    missed = (polarity == "neg") | ((polarity == "mixed") & (dominant == "neg"))
    under = np.isin(rows["product_idx"].to_numpy(), [i for i, p in enumerate(_PRODUCTS)
                                                     if p.name in UNDERPERFORMING_PRODUCTS])
    prob = np.where(under & (polarity != "pos"), UNDERPERFORMER_CUE_PROB, prob)
    prob = np.where(rows["is_surge_complaint"].to_numpy(), SURGE_CUE_PROB, prob)
    kind = np.where(missed | ((polarity == "neu") & (u < prob / 2)), "missed", "met")
    kind = np.where(under & (polarity == "mixed"), "missed", kind)
    return np.where(u < prob, kind, "").astype(object)


# ---------------------------------------------------------------------------------------------- text


class _Language(NamedTuple):
    """One language of the demo: how its texts are written (the composer's style) and what its CSV calls things."""

    code: str
    style: Style
    product_names: Mapping[str, tuple[str, str]]  # English key -> (name in the CSV and texts, short name)
    category_names: Mapping[str, str]
    channel_names: Mapping[str, str]


_LANGUAGES: Mapping[str, _Language] = MappingProxyType({
    "en": _Language("en", STYLES["en"], product_names={p.name: (p.name, p.short) for p in _PRODUCTS},
                    category_names={p.category: p.category for p in _PRODUCTS},
                    channel_names=dict(zip(CHANNELS, CHANNELS))),
    "zh": _Language("zh", STYLES["zh"], product_names=phrases_zh.PRODUCT_NAMES,
                    category_names=phrases_zh.CATEGORY_NAMES, channel_names=phrases_zh.CHANNEL_NAMES),
})


def _language(language: str) -> _Language:
    if language not in _LANGUAGES:
        raise ValueError(f"language={language!r} should be one of {', '.join(map(repr, LANGUAGES))}")
    return _LANGUAGES[language]


def _write_texts(rng: np.random.Generator, rows: pd.DataFrame, products: pd.DataFrame,
                 lang: _Language) -> tuple[list[str], np.ndarray]:
    """Draw what every row's text needs (uniforms, typo counts, slot values) and have the composer write it."""
    n = len(rows)
    uniforms = rng.random((n, _UNIFORMS_PER_ROW)).tolist()
    typo_count = np.where(rng.random(n) < TYPO_SHARE, np.where(rng.random(n) < 0.7, 1, 2), 0)
    slots = _draw_slots(rng, rows, lang)
    under = products["underperforming"].tolist()
    columns = [rows[c].tolist() for c in ("channel_idx", "text_polarity", "dominant", "topic_idx",
                                          "second_topic_idx", "rating", "cue", "is_sarcastic", "product_idx")]
    texts = []
    for r, (channel, pol, dom, topic, topic2, rating, cue, sarcastic, p) in enumerate(zip(*columns)):
        spec = Spec(lang.style, CHANNELS[channel], pol, dom, TOPICS[topic], TOPICS[topic2], rating in (1, 5), cue,
                    sarcastic, under[p], _PRODUCTS[p].category, slots[r])
        texts.append(write_text(spec, uniforms[r], int(typo_count[r])))
    return texts, typo_count


def _draw_slots(rng: np.random.Generator, rows: pd.DataFrame, lang: _Language) -> list[dict]:
    """Values for the phrase slots of every row ({days}, {courier}, …)."""
    n = len(rows)
    tables = lang.style.phrases  # the slot tables of both languages have the same lengths, so the draws match
    product = [_PRODUCTS[p] for p in rows["product_idx"].tolist()]
    names = [lang.product_names[p.name] for p in product]
    customer = rows["customer"].to_numpy()
    days = rng.integers(2, 10, n)
    columns = {
        "order_id": rows["order_id"].tolist(),
        "days": days.tolist(),
        "days2": (days + rng.integers(3, 11, n)).tolist(),
        "years": rng.integers(2, 13, n).tolist(),
        "weeks": rng.integers(2, 9, n).tolist(),
        "minutes": rng.integers(20, 96, n).tolist(),
        "n": rng.integers(3, 7, n).tolist(),
        "pct": (5 * rng.integers(2, 9, n)).tolist(),
        "weekday": [tables.WEEKDAYS[i] for i in rng.integers(0, len(tables.WEEKDAYS), n).tolist()],
        "courier": [tables.COURIERS[i] for i in rng.integers(0, len(tables.COURIERS), n).tolist()],
        "agent": [tables.AGENTS[i] for i in rng.integers(0, len(tables.AGENTS), n).tolist()],
        "when": [tables.WHEN[i] for i in rng.integers(0, len(tables.WHEN), n).tolist()],
        "claim": [tables.CLAIMS[p.category][int(u * len(tables.CLAIMS[p.category]))]
                  for p, u in zip(product, rng.random(n).tolist())],
        "product": [name for name, _ in names],
        "short": [short for _, short in names],
        "category_lower": [lang.style.lower(lang.category_names[p.category]) for p in product],
        # A customer signs every email with the same name.
        "first": [tables.FIRST_NAMES[c % len(tables.FIRST_NAMES)] for c in customer.tolist()],
        "initial": [chr(ord("A") + (c * 7) % 26) for c in customer.tolist()],
    }
    keys = list(columns)
    return [dict(zip(keys, values)) for values in zip(*columns.values())]




# ---------------------------------------------------------------------------------------------- output


def _package(rows: pd.DataFrame, groups: pd.DataFrame, products: pd.DataFrame, lang: _Language, *, seed: int,
             n_interactions: int) -> DemoData:
    rows = rows.sort_values(["when", "customer"], kind="stable").reset_index(drop=True)
    products = products.assign(display_product=[lang.product_names[name][0] for name in products["name"]],
                               display_category=products["category"].map(lang.category_names))
    n = len(rows)
    product_idx = rows["product_idx"].to_numpy()
    interaction_id = [f"INT-{i + 1:06d}" for i in range(n)]
    created = np.datetime_as_string(rows["when"].to_numpy().astype("datetime64[s]"), unit="s")
    frame = pd.DataFrame({
        "interaction_id": interaction_id,
        "created_at": [s.replace("T", " ") for s in created.tolist()],
        "customer_id": groups["customer_id"].to_numpy(dtype=object)[rows["customer"].to_numpy()].tolist(),
        "channel": [lang.channel_names[CHANNELS[c]] for c in rows["channel_idx"].tolist()],
        "product": products["display_product"].to_numpy(dtype=object)[product_idx].tolist(),
        "category": products["display_category"].to_numpy(dtype=object)[product_idx].tolist(),
        "rating": rows["rating"].to_numpy(dtype="int64"),
        "expected": rows["expected"].to_numpy(dtype=float),
        "advertised_rating": products["advertised_rating"].to_numpy(dtype=float)[product_idx],
        "order_id": rows["order_id"].tolist(),
        "items": rows["items"].tolist(),
        "amount": rows["amount"].to_numpy(dtype=float),
        "text": rows["text"].tolist(),
    }, columns=list(COLUMNS))
    labels = pd.DataFrame({
        "interaction_id": interaction_id,
        "customer_group": rows["customer_group"].tolist(),
        "topic": [TOPICS[t] for t in rows["topic_idx"].tolist()],
        "second_topic": [TOPICS[t] if p == "mixed" else "" for t, p in
                         zip(rows["second_topic_idx"].tolist(), rows["text_polarity"].tolist())],
        "text_polarity": rows["text_polarity"].tolist(),
        "is_mismatch": rows["is_mismatch"].to_numpy(dtype=bool),
        "is_sarcastic": rows["is_sarcastic"].to_numpy(dtype=bool),
        "typo_count": rows["typo_count"].to_numpy(dtype="int64"),
        "cue": rows["cue"].tolist(),
        "is_surge_complaint": rows["is_surge_complaint"].to_numpy(dtype=bool),
    })
    truth = DemoTruth(
        seed=seed, n_interactions=n_interactions, n_customers=len(groups),
        weekday_multipliers=WEEKDAY_MULTIPLIERS, month_multipliers=MONTH_MULTIPLIERS, growth=GROWTH,
        surge_month=SURGE_MONTH, surge_volume_multiplier=SURGE_VOLUME_MULTIPLIER, surge_share=SURGE_SHARE,
        surge_rating_drop=SURGE_RATING_DROP, group_profiles=GROUP_PROFILES,
        customer_groups=pd.Series(groups["group"].tolist(), index=pd.Index(groups["customer_id"].tolist(),
                                                                           name="customer_id"), name="group"),
        products=products.rename(columns={"name": "product"}),
        underperforming_products=UNDERPERFORMING_PRODUCTS, planted_pairs=PLANTED_PAIRS,
        pair_attach_prob=PAIR_ATTACH_PROB, expectation_shift=EXPECTATION_SHIFT, miss_category=MISS_CATEGORY,
        exceed_category=EXCEED_CATEGORY, mismatch_share=MISMATCH_SHARE, sarcasm_share=SARCASM_SHARE,
        typo_share=TYPO_SHARE, labels=labels, language=lang.code, channel_names=lang.channel_names,
    )
    return DemoData(interactions=frame, truth=truth)
