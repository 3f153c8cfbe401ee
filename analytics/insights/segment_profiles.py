"""What each segment is: size, features against the population, topics, products, channels, typical
verbatims, and a plain-language name from its standout features."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analytics.insights.columns import numeric
from analytics.insights.segments import Feature, PreparedFeatures, Segmentation

STANDOUT_Z = 0.5  # a feature names a segment when its mean lies this many population SDs away
NAME_PARTS = 3


@dataclass(frozen=True)
class SegmentProfile:
    """One segment as the page shows it."""

    segment: int
    name: str
    size: int
    share: float
    means: dict[str, float]  # feature -> the segment's mean (untransformed)
    ratios: dict[str, float]  # feature -> segment mean / population mean
    z: dict[str, float]  # feature -> (segment mean - population mean) / population SD, on the scaled features
    mean_rating: float | None
    top_products: tuple[tuple[str, int], ...]
    top_topics: tuple[tuple[str, int], ...]
    channels: tuple[tuple[str, float], ...]
    examples: tuple[str, ...]


def segment_name(z: dict[str, float], features: Sequence[Feature]) -> str:
    """"High-value, frequent buyers, very satisfied" from the features furthest from the population.

    >>> f = [Feature("monetary_mean", "", True, "high-value", "low-spend"),
    ...      Feature("mean_rating", "", True, "very satisfied", "unhappy (low ratings)")]
    >>> segment_name({"monetary_mean": 1.2, "mean_rating": -0.8}, f)
    'High-value, unhappy (low ratings)'
    >>> segment_name({"monetary_mean": 0.1}, f)
    'Typical customers'
    """
    words = {f.name: f for f in features}
    parts: list[str] = []
    for name, value in sorted(z.items(), key=lambda item: -abs(item[1])):
        if abs(value) < STANDOUT_Z or name not in words:
            continue
        word = words[name].high if value > 0 else words[name].low
        if word not in parts:
            parts.append(word)
        if len(parts) == NAME_PARTS:
            break
    if not parts:
        return "Typical customers"
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def _unique(names: list[str], profiles: Sequence[SegmentProfile], features: Sequence[Feature]) -> list[str]:
    """Names that two segments share get the leading feature's mean ("High-value · mean order value 4,097")."""
    labels = {f.name: f.label for f in features}
    counts = pd.Series(names).value_counts()
    out = []
    for name, profile in zip(names, profiles, strict=True):
        if counts[name] > 1 and profile.z:
            lead = max(profile.z, key=lambda c: abs(profile.z[c]))
            name = f"{name} · {labels.get(lead, lead).lower()} {profile.means[lead]:,.{_decimals(profile.means[lead])}f}"
        out.append(name)
    seen: dict[str, int] = {}
    for i, name in enumerate(out):
        seen[name] = seen.get(name, 0) + 1
        out[i] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    return out


def _decimals(value: float) -> int:
    return 0 if abs(value) >= 100 else 2 if abs(value) < 1 else 1


def _top(values: pd.Series, n: int = 3) -> tuple[tuple[str, int], ...]:
    counts = values.dropna().astype(str).value_counts().head(n)
    return tuple((str(k), int(v)) for k, v in counts.items())


def _product_column(rows: pd.DataFrame) -> str | None:
    """Where product names are: one item per row (order lines name it, e.g. "TEA CUP" beside stock code 22630)
    when the item column holds single items, else the product column."""
    if "item" in rows.columns and rows["item"].notna().any() and \
            not rows["item"].dropna().astype(str).str.contains(";", regex=False).any():
        return "item"
    return "product" if "product" in rows.columns and rows["product"].notna().any() else None


def _typical_texts(rows: pd.DataFrame, customers: Sequence[str], n: int = 3) -> tuple[str, ...]:
    """One text from each of the customers nearest the centroid, the first ``n`` that wrote something."""
    if "text" not in rows.columns:
        return ()
    texts = rows[rows["text"].notna() & (rows["text"].astype(str).str.strip() != "")]
    first = texts.drop_duplicates("customer_id").set_index("customer_id")["text"]
    return tuple(str(first[c]) for c in customers if c in first.index)[:n]


def profile_segments(frame: pd.DataFrame, prepared: PreparedFeatures, segmentation: Segmentation,
                     features: Sequence[Feature], *, topics: pd.DataFrame | None = None) -> list[SegmentProfile]:
    """Profiles of every segment, largest first; ``topics`` (record_id, label) adds each segment's top topics."""
    labels = segmentation.labels
    rows = frame[frame["customer_id"].notna()].assign(customer_id=lambda f: f["customer_id"].astype(str))
    rows = rows.assign(segment=rows["customer_id"].map(labels))
    raw = prepared.raw.reindex(labels.index)
    scaled = prepared.scaled.reindex(labels.index)
    population, spread = scaled.mean(), scaled.std(ddof=0).replace(0, np.nan)
    raw_population = raw.mean()
    rating = numeric(rows, "rating")
    topic_of = None
    if topics is not None and len(topics):
        topic_of = rows["record_id"].astype(str).map(topics.drop_duplicates("record_id").set_index(
            topics.drop_duplicates("record_id")["record_id"].astype(str))["label"])
    profiles = []
    for segment in range(segmentation.k):
        members = labels.index[labels == segment]
        mine = rows["segment"] == segment
        seg_scaled = scaled.loc[members]
        z = ((seg_scaled.mean() - population) / spread).fillna(0.0)
        distance = ((seg_scaled - segmentation.centroids.loc[segment]) ** 2).sum(axis=1)
        nearest = distance.sort_values().index[:50].tolist()
        channels = rows.loc[mine, "channel"].dropna().astype(str).value_counts(normalize=True).head(4) \
            if "channel" in rows.columns else pd.Series(dtype=float)
        profiles.append(SegmentProfile(
            segment=segment, name="", size=len(members), share=len(members) / max(len(labels), 1),
            means={c: float(raw.loc[members, c].mean()) for c in raw.columns},
            ratios={c: float(raw.loc[members, c].mean() / raw_population[c]) if raw_population[c] else np.nan
                    for c in raw.columns},
            z={c: float(z[c]) for c in z.index},
            mean_rating=float(rating[mine].mean()) if rating[mine].notna().any() else None,
            top_products=_top(rows.loc[mine, _product_column(rows)]) if _product_column(rows) else (),
            top_topics=_top(topic_of[mine]) if topic_of is not None else (),
            channels=tuple((str(k), float(v)) for k, v in channels.items()),
            examples=_typical_texts(rows[mine], nearest),
        ))
    names = _unique([segment_name(p.z, features) for p in profiles], profiles, features)
    return [replace(p, name=n) for p, n in zip(profiles, names, strict=True)]


def profile_table(profiles: Sequence[SegmentProfile], features: Sequence[Feature], *, value: str = "ratio") -> pd.DataFrame:
    """Segment × feature table of ratios to the population mean (``value="ratio"``) or z-scores (``"z"``)."""
    labels = {f.name: f.label for f in features}
    data = {p.name: {labels.get(k, k): v for k, v in (p.ratios if value == "ratio" else p.z).items()}
            for p in profiles}
    return pd.DataFrame(data).T


def sizes_table(profiles: Sequence[SegmentProfile]) -> pd.DataFrame:
    """Name, customers, share, mean rating, top products, topics and channels per segment (columns the data
    cannot fill are left out)."""
    table = pd.DataFrame([{
        "segment": p.name, "customers": p.size, "share": round(p.share, 4),
        "mean rating (0–1)": None if p.mean_rating is None else round(p.mean_rating, 3),
        "top products": ", ".join(name for name, _ in p.top_products),
        "top topics": ", ".join(name for name, _ in p.top_topics),
        "channels": ", ".join(f"{name} {share:.0%}" for name, share in p.channels),
    } for p in profiles])
    empty = [c for c in table.columns if table[c].isna().all() or (table[c].astype(str) == "").all()]
    return table.drop(columns=empty)
