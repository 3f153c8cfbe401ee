"""Customer segments: features per customer from what the data holds, K-means with k by silhouette, profiles
with plain-language names, and classic RFM scoring beside it. Frames in, frozen results out."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.insights.columns import negative_flags, numeric, order_ids, order_spend, tag_flags, timestamps

# Above this many customers MiniBatchKMeans replaces KMeans (same objective, a fraction of the time).
MINIBATCH_ABOVE = 50_000
SILHOUETTE_SAMPLE = 10_000  # silhouette is quadratic in n: k is chosen on a sample of this size
STABILITY_SEEDS = 5
STABLE_ARI = 0.8  # below this the chosen solution changes with the seed: said on the page
PROJECTION_SAMPLE = 5_000
K_RANGE = range(2, 11)
SKEW_LOG_ABOVE = 1.0  # features skewed beyond this are log-transformed first (mirrored below zero)
# Channel names that count as phone or email, found anywhere in the name ("客服电话", "E-mail support").
_PHONE_EMAIL = ("phone", "call", "voice", "email", "e-mail", "mail",
                "电话", "来电", "热线", "语音", "邮件", "邮箱")


@dataclass(frozen=True)
class Feature:
    """One customer feature the data allows: its column in the feature table and how it reads."""

    name: str
    label: str
    default: bool
    high: str  # how a segment well above the population reads ("High-value")
    low: str  # and well below it ("low-spend")


SOURCE_PREFIX = "source: "  # numeric source columns no canonical field took, joined onto the rows
NUMERIC_SHARE = 0.9  # a source column is numeric when this share of its filled cells parse as numbers


def numeric_source_columns(raw: pd.DataFrame, mapped: Sequence[str]) -> pd.DataFrame:
    """The source file's numeric columns that no canonical field took (survey items, quantities …), as floats.

    ``raw`` is the stored source (text, with ``_row``); the result has ``_row`` and one column per
    numeric source column, named ``"source: <column>"``.

    >>> raw = pd.DataFrame({"_row": [1, 2], "qty": ["3", "4"], "note": ["a", "b"], "stars": ["5", "1"]})
    >>> numeric_source_columns(raw, ["stars"]).columns.tolist()
    ['_row', 'source: qty']
    """
    out = pd.DataFrame({"_row": raw["_row"]})
    for column in raw.columns:
        if column == "_row" or column in mapped:
            continue
        values = pd.to_numeric(raw[column], errors="coerce")
        filled = raw[column].notna().sum()
        if filled and values.notna().sum() >= NUMERIC_SHARE * filled:
            out[f"{SOURCE_PREFIX}{column}"] = values.astype(float)
    return out


def available_features(frame: pd.DataFrame, *, sentiment: pd.DataFrame | None = None,
                       tags: dict[str, pd.DataFrame] | None = None) -> list[Feature]:
    """The features this dataset can give, with sensible defaults ticked (empty without customers).

    Numeric source columns joined as ``"source: …"`` (:func:`numeric_source_columns`) are offered, unticked."""
    if "customer_id" not in frame.columns or frame["customer_id"].notna().sum() == 0:
        return []
    tags = tags or {}
    has = {c: c in frame.columns and frame[c].notna().any() for c in
           ("timestamp", "amount", "rating", "expected", "channel")}
    features = []
    if has["timestamp"]:
        features.append(Feature("recency_days", "Recency (days since last contact)", True,
                                "lapsed", "recently active"))
    orders = order_ids(frame) is not None
    features.append(Feature("frequency", "Frequency (orders)" if orders else "Frequency (interactions)", True,
                            "frequent buyers" if orders else "frequent", "one-off"))
    if has["amount"]:
        features.append(Feature("monetary_total", "Monetary: total spend", False, "high-value", "low-spend"))
        features.append(Feature("monetary_mean", "Monetary: mean order value", True, "high-value", "low-spend"))
    if orders:
        features.append(Feature("interactions", "Interactions per customer", True, "very engaged", "few contacts"))
    if has["rating"]:
        features.append(Feature("mean_rating", "Mean rating", True, "very satisfied", "unhappy (low ratings)"))
    if sentiment is not None or has["rating"]:
        features.append(Feature("negative_share", "% negative", True, "negative", "positive"))
    if "intent" in tags:
        features.append(Feature("complaint_share", "Complaint share", True, "complaint-heavy", "few complaints"))
    if "topic" in tags:
        for topic in _top_topics(tags["topic"]):
            features.append(Feature(f"topic_{topic}", f"Topic share: {topic}", False, f"talks about {topic}",
                                    f"rarely mentions {topic}"))
    if has["expected"] and has["rating"]:
        features.append(Feature("mean_gap", "Mean expectation gap (rating − expected)", True,
                                "expectations exceeded", "expectations missed"))
    if has["channel"]:
        features.append(Feature("phone_email_share", "Channel mix: phone + email share", True,
                                "phone/email-heavy", "self-service"))
    for column in frame.columns:
        if str(column).startswith(SOURCE_PREFIX) and frame[column].notna().any():
            short = str(column).removeprefix(SOURCE_PREFIX)
            features.append(Feature(column, f"Mean {short} (source column)", False, f"high {short}", f"low {short}"))
    return features


def _top_topics(tags: pd.DataFrame, n: int = 6) -> list[str]:
    return [str(t) for t in tags["label"].value_counts().index[:n]]


def customer_features(frame: pd.DataFrame, names: Sequence[str], *, sentiment: pd.DataFrame | None = None,
                      tags: dict[str, pd.DataFrame] | None = None, quantity: str | None = None) -> pd.DataFrame:
    """One row per customer (index ``customer_id``), one column per requested feature, untransformed.

    Rows without a customer id are left out. Customers with no value for a feature (no rating, no
    survey answer) keep NaN; :func:`prepare_features` fills them with the median and says how many.
    ``quantity`` names a column the amount is multiplied by (the amount is a unit price).
    """
    tags = tags or {}
    rows = frame[frame["customer_id"].notna()].copy() if "customer_id" in frame.columns else frame.iloc[:0]
    rows["customer_id"] = rows["customer_id"].astype(str)
    by = rows["customer_id"]
    out = pd.DataFrame(index=pd.Index(sorted(by.unique()), name="customer_id"))
    orders = order_ids(rows)
    for name in names:
        if name == "recency_days":
            ts = timestamps(rows)
            reference = ts.max() + pd.Timedelta(days=1)
            out[name] = (reference - ts.groupby(by).max()).dt.total_seconds() / 86_400
        elif name == "frequency":
            out[name] = orders.groupby(by).nunique() if orders is not None else by.value_counts()
        elif name == "interactions":
            out[name] = by.value_counts()
        elif name in ("monetary_total", "monetary_mean"):
            total = order_spend(rows, quantity).groupby(by).sum(min_count=1)
            if name == "monetary_total":
                out[name] = total
            else:
                count = orders.groupby(by).nunique() if orders is not None else by.value_counts()
                out[name] = total / count.reindex(total.index).replace(0, np.nan)
        elif name == "mean_rating":
            out[name] = numeric(rows, "rating").groupby(by).mean()
        elif name == "negative_share":
            out[name] = negative_flags(rows, sentiment).groupby(by).mean()
        elif name == "complaint_share" and "intent" in tags:
            out[name] = tag_flags(rows, tags["intent"], "complaint").groupby(by).mean()
        elif name.startswith("topic_") and "topic" in tags:
            out[name] = tag_flags(rows, tags["topic"], name.removeprefix("topic_")).groupby(by).mean()
        elif name == "mean_gap":
            out[name] = (numeric(rows, "rating") - numeric(rows, "expected")).groupby(by).mean()
        elif name == "phone_email_share":
            channel = rows["channel"].astype(str).str.lower()
            hit = channel.str.contains("|".join(_PHONE_EMAIL), regex=True).astype(float)
            out[name] = hit.where(rows["channel"].notna()).groupby(by).mean()
        elif name in rows.columns:  # any other numeric column
            out[name] = numeric(rows, name).groupby(by).mean()
        else:
            raise ValueError(f"The feature {name!r} is not available on this dataset.")
    return out.astype(float)


@dataclass(frozen=True)
class PreparedFeatures:
    """The feature table ready for K-means: log where skewed, robust-scaled, no NaN, constants dropped."""

    raw: pd.DataFrame  # what customer_features gave, customers with no value at all dropped
    scaled: pd.DataFrame  # same index, the columns that vary
    logged: tuple[str, ...]
    dropped: tuple[str, ...]  # constant features (they cannot separate anyone)
    filled: dict[str, int] = field(default_factory=dict)  # feature -> customers given the median

    def note(self, labels: dict[str, str] | None = None) -> str:
        """What was done to the features, for the page (``labels`` names them as the page does)."""
        label = (labels or {}).get
        parts = ["Features are robust-scaled (median 0, interquartile range 1)"]
        if self.logged:
            parts.append(f"log-transformed first where skewed ({', '.join(label(c, c) for c in self.logged)})")
        if self.filled:
            parts.append("missing values set to the median (" +
                         ", ".join(f"{label(k, k)}: {v:,}" for k, v in self.filled.items()) + " customers)")
        if self.dropped:
            parts.append(f"left out as constant: {', '.join(label(c, c) for c in self.dropped)}")
        return "; ".join(parts) + "."


def prepare_features(features: pd.DataFrame) -> PreparedFeatures:
    """Log-transform skewed features (sign · log1p |x|, so refunds below zero keep their side), fill gaps with
    the median, robust-scale.

    Raises
    ------
    ValueError
        No feature varies, or fewer than 3 customers remain.
    """
    raw = features.dropna(how="all")
    if len(raw) < 3:
        raise ValueError(f"Segments need at least 3 customers with these features; this selection has {len(raw)}.")
    filled = {c: int(raw[c].isna().sum()) for c in raw.columns if raw[c].isna().any()}
    work = raw.fillna(raw.median(numeric_only=True))
    logged = []
    for column in work.columns:
        values = work[column]
        if values.nunique() > 2 and abs(values.skew()) > SKEW_LOG_ABOVE:
            work[column] = np.sign(values) * np.log1p(values.abs())  # log1p, mirrored for refunds below zero
            logged.append(column)
    spread = work.quantile(0.75) - work.quantile(0.25)
    std = work.std(ddof=0)
    spread = spread.where(spread > 1e-12, std)  # mostly-constant features: scale by std instead
    dropped = tuple(c for c in work.columns if not spread[c] > 1e-12)
    keep = [c for c in work.columns if c not in dropped]
    if not keep:
        raise ValueError("Every chosen feature has the same value for all customers, so nothing separates them; "
                         "pick other features.")
    scaled = (work[keep] - work[keep].median()) / spread[keep]
    return PreparedFeatures(raw, scaled, tuple(logged), dropped, filled)


def _sample(n: int, size: int, seed: int = 0) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def _kmeans(k: int, n: int, seed: int, n_init: int = 10):
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if n > MINIBATCH_ABOVE:
        return MiniBatchKMeans(k, init="k-means++", n_init=3, batch_size=8192, random_state=seed)
    return KMeans(k, init="k-means++", n_init=n_init, random_state=seed)


@dataclass(frozen=True)
class KChoice:
    """Silhouette and inertia for each k tried, and the k with the best silhouette."""

    ks: tuple[int, ...]
    silhouette: tuple[float, ...]
    inertia: tuple[float, ...]
    best_k: int
    sample_size: int


def choose_k(scaled: pd.DataFrame, ks: Sequence[int] = K_RANGE, *, seed: int = 0) -> KChoice:
    """Fit K-means for each k on a sample of at most SILHOUETTE_SAMPLE customers and keep the best silhouette."""
    from sklearn.metrics import silhouette_score

    X = scaled.to_numpy(dtype=float)
    X = X[_sample(len(X), SILHOUETTE_SAMPLE, seed)]
    distinct = len(np.unique(X, axis=0))
    ks = tuple(k for k in ks if 2 <= k < distinct)
    if not ks:
        raise ValueError(f"Only {distinct} distinct customer profiles: too few to split into segments.")
    sil, inertia = [], []
    for k in ks:
        model = _kmeans(k, len(X), seed, n_init=4).fit(X)
        inertia.append(float(model.inertia_))
        sil.append(float(silhouette_score(X, model.labels_)))
    return KChoice(ks, tuple(sil), tuple(inertia), ks[int(np.argmax(sil))], len(X))


@dataclass(frozen=True)
class Segmentation:
    """A K-means solution: labels per customer (0 = the largest segment), centroids, stability."""

    labels: pd.Series  # customer_id -> segment number
    centroids: pd.DataFrame  # segment x scaled feature
    k: int
    method: str  # "KMeans" or "MiniBatchKMeans"
    stability: tuple[float, ...]  # ARI of other seeds' solutions against this one

    @property
    def stable(self) -> bool:
        return min(self.stability, default=1.0) >= STABLE_ARI


def fit_segments(scaled: pd.DataFrame, k: int, *, seed: int = 0, stability_seeds: int = STABILITY_SEEDS) -> Segmentation:
    """K-means (k-means++, several inits, fixed seed), segments renumbered by size, stability across seeds."""
    from sklearn.metrics import adjusted_rand_score

    X = scaled.to_numpy(dtype=float)
    if k < 2 or k > len(X) - 1:
        raise ValueError(f"k = {k} needs at least {k + 1} customers; there are {len(X)}. Choose a smaller k.")
    model = _kmeans(k, len(X), seed).fit(X)
    raw = np.asarray(model.labels_)
    order = pd.Series(raw).value_counts().index.tolist()  # largest first
    renumber = {old: new for new, old in enumerate(order)}
    labels = pd.Series([renumber[v] for v in raw], index=scaled.index, name="segment")
    centroids = pd.DataFrame(model.cluster_centers_[order], columns=scaled.columns)
    sample = _sample(len(X), SILHOUETTE_SAMPLE * 5, seed)
    stability = tuple(float(adjusted_rand_score(
        raw[sample], _kmeans(k, len(sample), seed + s + 1, n_init=4).fit(X[sample]).labels_))
        for s in range(stability_seeds))
    return Segmentation(labels, centroids, k, type(model).__name__, stability)


@dataclass(frozen=True)
class Projection:
    """Customers in two dimensions (PCA on the scaled features) for the scatter."""

    points: pd.DataFrame  # customer_id index; x, y, segment
    explained: tuple[float, float]


def project(scaled: pd.DataFrame, labels: pd.Series, *, sample: int = PROJECTION_SAMPLE, seed: int = 0) -> Projection:
    """PCA to 2-D on a sample of at most ``sample`` customers."""
    from sklearn.decomposition import PCA

    pick = _sample(len(scaled), sample, seed)
    part = scaled.iloc[pick]
    components = min(2, part.shape[1])
    pca = PCA(components, random_state=seed).fit(part.to_numpy(dtype=float))
    xy = pca.transform(part.to_numpy(dtype=float))
    y = xy[:, 1] if components == 2 else np.zeros(len(xy))
    points = pd.DataFrame({"x": xy[:, 0], "y": y, "segment": labels.reindex(part.index).to_numpy()}, index=part.index)
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    return Projection(points, (float(ratios[0]), float(ratios[1])))
