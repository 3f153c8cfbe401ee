"""Intents, topics and service dimensions: label assignment, topic discovery, volume × sentiment and trends."""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_score

from analytics.language import NON_HAN_LETTER, has_han, normalise_width
from analytics.words import keyword_words

OTHER = "other"  # what an interaction gets when no label reaches the threshold

# Label -> one sentence a user can edit. MiniLM compares each text with these sentences: phrased
# the way customers write (not as definitions) they match far better, e.g. 11 of 15 obvious
# intents instead of 10 (12 with the keyword rules). Complaint and praise are described by feelings,
# not by topics (late, broken, service), which would pull in texts of either polarity about them.
DEFAULT_INTENTS: dict[str, str] = {
    "inquiry": "A customer question: where is my order, when will it arrive, how do I do this, do you have it "
               "in stock?",
    "complaint": "A complaint: I am very unhappy and disappointed, this is unacceptable and I am angry.",
    "praise": "Praise: I love it, it is wonderful and perfect, I am delighted and grateful, thank you so much!",
    "suggestion": "A suggestion: it would be great if you added this feature, you should improve or offer more "
                  "options.",
    "return/refund": "I want to return this item and get a refund, my money back.",
    "cancellation": "Please cancel my order or subscription, I want to close my account.",
}
DEFAULT_TOPICS: dict[str, str] = {
    "delivery": "Delivery: the parcel arrived late, the courier lost it, shipping was slow or fast, tracking.",
    "price": "Price: too expensive, good value for money, a bargain, discounts, hidden fees.",
    "quality": "Product quality: well made and sturdy, or broke, defective, flimsy, poor materials.",
    "support": "Customer service: the support agent or staff was helpful or rude, answered my question.",
    "returns": "Returns and refunds: I sent it back, the return label, my refund, money back.",
    "app": "The app or website: login, checkout, search, the site crashed, notifications.",
    # SERVQUAL / RATER dimensions.
    "reliability": "Reliability: the service was delivered as promised, dependably and without mistakes.",
    "assurance": "Assurance: knowledgeable, courteous staff the customer can trust.",
    "tangibles": "Tangibles: the look of the product, packaging, equipment, facilities and materials.",
    "empathy": "Empathy: caring, personal attention; the staff understood the customer's situation.",
    "responsiveness": "Responsiveness: prompt, quick replies and willingness to help without long waits.",
}
# Whole-word, case-insensitive keyword rules: a match assigns the label whatever the similarity.
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "delivery": ("late", "courier", "parcel", "shipping", "delivery", "delivered", "tracking"),
    "price": ("price", "expensive", "overpriced", "discount", "cheaper"),
    "returns": ("refund", "refunded", "return", "returned", "money back"),
    "app": ("app", "website", "login", "checkout"),
}
DEFAULT_INTENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "inquiry": ("how do i", "is it possible", "do you have", "do you ship"),  # not "how can i": agents say it
    "suggestion": ("would be nice", "would be great if", "please add", "you should add"),
    "return/refund": ("refund", "money back"),
    "cancellation": ("cancel", "cancelled", "cancellation", "unsubscribe"),
}



@dataclass(frozen=True)
class TagScheme:
    """One way of tagging interactions: its output columns, default labels and threshold, and the task
    of the fine-tuned classifier that replaces zero-shot for it."""

    name: str
    column: str  # the primary label of each interaction
    multi_column: str  # every label reaching the threshold
    descriptions: Mapping[str, str]
    keywords: Mapping[str, Sequence[str]]
    threshold: float
    multi_label: bool
    task: str

    def result_column(self, multi_label: bool) -> str:
        """The column that holds the tags for this choice of one or several labels per interaction."""
        return self.multi_column if multi_label else self.column


TAG_SCHEMES: dict[str, TagScheme] = {
    "intents": TagScheme("intents", "intent", "intents", DEFAULT_INTENTS, DEFAULT_INTENT_KEYWORDS, 0.25, False,
                         "intent"),
    "topics": TagScheme("topics", "topic", "topics", DEFAULT_TOPICS, DEFAULT_KEYWORDS, 0.30, True, "topic"),
}

@dataclass(frozen=True)
class LabelSet:
    """Labels with their descriptions and optional keyword rules, in display order."""

    descriptions: dict[str, str]
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return list(self.descriptions)


def label_table(descriptions: Mapping[str, str], keywords: Mapping[str, Sequence[str]] | None = None
                ) -> pd.DataFrame:
    """An editable table of labels: ``label``, ``description`` and comma-separated ``keywords``."""
    keywords = keywords or {}
    return pd.DataFrame({
        "label": list(descriptions),
        "description": list(descriptions.values()),
        "keywords": [", ".join(keywords.get(label, ())) for label in descriptions],
    })


def parse_label_table(table: pd.DataFrame) -> LabelSet:
    """Read an edited label table back; blank rows are dropped, duplicates and "other" refused.

    Examples
    --------
    >>> table = pd.DataFrame({"label": ["price", " "], "description": ["cost", ""], "keywords": ["cheap, fee", ""]})
    >>> parse_label_table(table)
    LabelSet(descriptions={'price': 'cost'}, keywords={'price': ('cheap', 'fee')})
    """
    missing = [c for c in ("label", "description") if c not in table.columns]
    if missing:
        raise ValueError(f"The label table needs the columns {missing}.")
    descriptions: dict[str, str] = {}
    keywords: dict[str, tuple[str, ...]] = {}
    for row in table.to_dict(orient="records"):
        label = _clean(row.get("label"))
        if not label:
            continue
        if label in descriptions:
            raise ValueError(f"The label {label!r} appears twice; give each row its own name.")
        if label.casefold() == OTHER:
            raise ValueError(f"{OTHER!r} is kept for interactions that match no label; rename that row.")
        descriptions[label] = _clean(row.get("description")) or label
        words = tuple(w.strip() for w in _clean(row.get("keywords")).split(",") if w.strip())
        if words:
            keywords[label] = words
    if not descriptions:
        raise ValueError("Give at least one label with a description.")
    return LabelSet(descriptions, keywords)


def _clean(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA \
        else str(value).strip()


def has_text(frame: pd.DataFrame) -> pd.Series:
    """True for rows whose ``text`` holds more than white space."""
    if "text" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["text"].astype(object).map(lambda t: bool(_clean(t))).astype(bool)



def _keyword_pattern(words: Sequence[str]) -> re.Pattern | None:
    cleaned = sorted({normalise_width(w.strip()) for w in words if w and w.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    # \b only works next to word characters; lookarounds also handle keywords like "c++" or "24/7". Chinese has no
    # spaces between words: a keyword with Chinese characters matches anywhere in the text.
    whole = "|".join(re.escape(w) for w in cleaned if not has_han(w))
    anywhere = "|".join(re.escape(w) for w in cleaned if has_han(w))
    parts = ([rf"(?<!{NON_HAN_LETTER})(?:{whole})(?!{NON_HAN_LETTER})"] if whole else []) + ([anywhere] if anywhere else [])
    return re.compile("|".join(parts), re.IGNORECASE)


def keyword_matches(texts: Sequence[object], keywords: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Boolean frame (one column per label): does the text contain one of the label's keywords?

    Matching is case-insensitive on whole words: ``"late"`` matches "Late delivery" but not "chocolate".

    Examples
    --------
    >>> keyword_matches(["Late again", "chocolate", "申请退款了"], {"delivery": ["late"], "refund": ["退款"]}).values.tolist()
    [[True, False], [False, False], [False, True]]
    """
    cleaned = [normalise_width(_clean(t)) for t in texts]
    columns = {}
    for label, words in keywords.items():
        if isinstance(words, str):
            words = [words]
        pattern = _keyword_pattern(list(words))
        columns[str(label)] = [bool(pattern and pattern.search(t)) for t in cleaned]
    return pd.DataFrame(columns, index=pd.RangeIndex(len(cleaned)))



def assign_labels(similarity: np.ndarray, labels: Sequence[str], *, threshold: float, multi_label: bool,
                  keyword_hits: np.ndarray | pd.DataFrame | None = None) -> pd.DataFrame:
    """Label each row by its similarity to every label; rows under ``threshold`` become "other".

    Parameters
    ----------
    similarity : array (n_rows, n_labels)
        Cosine similarity of each text with each label description.
    labels : sequence of str
        Label names, one per column of ``similarity``.
    threshold : float
        Minimum similarity for a label to be assigned.
    multi_label : bool
        ``False``: the most similar label only. ``True``: every label reaching the threshold.
    keyword_hits : bool array (n_rows, n_labels) or DataFrame with label columns, optional
        Keyword rules: a hit assigns the label whatever its similarity (and comes first). A
        frame (as :func:`keyword_matches` returns) may hold only some labels.

    Returns
    -------
    DataFrame
        ``label`` (the primary label or "other"), ``score`` (its similarity; the closest label's
        when "other"), ``labels`` (tuple of assigned labels, best first) and ``source``
        ("keyword", "embedding" or "none").

    Examples
    --------
    >>> sim = np.array([[0.6, 0.1], [0.1, 0.2]])
    >>> assign_labels(sim, ["price", "delivery"], threshold=0.3, multi_label=False)["label"].tolist()
    ['price', 'other']
    """
    sim = np.asarray(similarity, dtype=float)
    names = [str(label) for label in labels]
    if sim.ndim != 2 or sim.shape[1] != len(names):
        raise ValueError(f"similarity has shape {sim.shape}; expected (n_rows, {len(names)}) for labels {names}.")
    if len(set(names)) != len(names):
        raise ValueError(f"Label names must be unique; got {names}.")
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold={threshold} should be a cosine similarity between -1 and 1.")
    if isinstance(keyword_hits, pd.DataFrame):
        unknown = sorted(set(map(str, keyword_hits.columns)) - set(names))
        if unknown:
            raise ValueError(f"Keywords were given for {unknown}, which are not among the labels {names}.")
        keyword_hits = keyword_hits.reindex(columns=names, fill_value=False).to_numpy()
    forced = np.zeros(sim.shape, dtype=bool) if keyword_hits is None else np.asarray(keyword_hits, dtype=bool)
    if forced.shape != sim.shape:
        raise ValueError(f"keyword_hits has shape {forced.shape}, similarity {sim.shape}; they must match.")
    n = sim.shape[0]
    if not names:
        return pd.DataFrame({"label": [OTHER] * n, "score": np.full(n, np.nan), "labels": [(OTHER,)] * n,
                             "source": ["none"] * n})
    order = np.argsort(-sim, axis=1, kind="stable")
    assigned = forced | (sim >= threshold)
    chosen_rows: list[tuple[str, ...]] = []
    scores = np.empty(n)
    sources: list[str] = []
    for i in range(n):
        hits = [j for j in order[i] if forced[i, j]]
        picked = hits + [j for j in order[i] if assigned[i, j] and not forced[i, j]]
        picked = picked if multi_label else picked[:1]
        chosen_rows.append(tuple(names[j] for j in picked) or (OTHER,))
        scores[i] = sim[i, picked[0]] if picked else sim[i, order[i, 0]]
        sources.append("keyword" if hits else "embedding" if picked else "none")
    return pd.DataFrame({"label": [row[0] for row in chosen_rows], "score": scores,
                         "labels": pd.Series(chosen_rows, dtype=object), "source": sources})


def tag_interactions(rows: pd.DataFrame, similarity: np.ndarray, labels: LabelSet, scheme: TagScheme, *,
                     threshold: float, multi_label: bool) -> pd.DataFrame:
    """Zero-shot tags of every interaction with text: ``record_id`` plus the scheme's two label columns.

    ``similarity`` holds one row per row of ``rows`` and one column per label of ``labels`` (cosine
    similarity of text and description embeddings); keyword rules of ``labels`` win over it.
    """
    keywords = dict(labels.keywords)
    hits = keyword_matches(rows["text"].tolist(), keywords) if keywords else None
    tags = assign_labels(similarity, labels.labels, threshold=threshold, multi_label=multi_label, keyword_hits=hits)
    tags = tags.rename(columns={"label": scheme.column, "labels": scheme.multi_column})
    return tags.assign(record_id=rows["record_id"].to_numpy())[has_text(rows).to_numpy()]


@dataclass(frozen=True, eq=False)
class DiscoveredTopics:
    """Clusters of embeddings, largest first, with c-TF-IDF keywords and automatic names.

    Attributes
    ----------
    clusters : array of int
        Cluster of each row (0 is the largest cluster).
    sizes : tuple of int
        Rows per cluster.
    keywords : tuple of tuples of str
        Top words per cluster by class-based TF-IDF, best first.
    names : tuple of str
        Automatic, unique names from the top three keywords.
    silhouette : float or None
        Mean silhouette on a sample of at most ``sample_size`` rows (None when undefined).
    k, seed : int
        The parameters that produced the clusters.
    warnings : tuple of str
        Warnings raised while clustering (e.g. fewer distinct texts than clusters).
    """

    clusters: np.ndarray
    sizes: tuple[int, ...]
    keywords: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]
    silhouette: float | None
    k: int
    seed: int
    warnings: tuple[str, ...] = ()

    def assignments(self) -> pd.Series:
        """The automatic name of each row's cluster."""
        return pd.Series(np.asarray(self.names, dtype=object)[self.clusters], name="topic", dtype=object)

    def table(self) -> pd.DataFrame:
        """One display-ready row per cluster: ``cluster``, ``name``, ``size``, ``share``, ``keywords``."""
        total = max(sum(self.sizes), 1)
        return pd.DataFrame({"cluster": range(1, len(self.sizes) + 1), "name": list(self.names),
                             "size": list(self.sizes), "share": [s / total for s in self.sizes],
                             "keywords": [", ".join(words) for words in self.keywords]})


def suggest_k(n_texts: int) -> int:
    """A starting number of clusters: about √(n / 4), between 2 and 10."""
    return int(np.clip(round(np.sqrt(max(n_texts, 0) / 4)), 2, 10))


def class_tfidf(texts: Sequence[object], clusters: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Class-based TF-IDF: ``tf(t, c) × log(1 + mean words per cluster / tf(t))``; (scores k × V, vocabulary).

    ``tf(t, c)`` counts term ``t`` in the texts of cluster ``c`` and ``tf(t)`` over all clusters;
    English stop words, numbers and words under three letters are left out; Chinese is cut into words by jieba
    (without Chinese stop words) first.
    """
    documents = [_clean(t) for t in texts]
    if any(has_han(d) for d in documents):
        vectorizer = CountVectorizer(analyzer=keyword_words)
    else:  # scikit-learn's own tokenizer: the same words, several times faster
        vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b", lowercase=True)
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # only stop words or no words at all: there is nothing to name clusters by
        return np.zeros((k, 0)), np.array([], dtype=object)
    members = sparse.csr_matrix((np.ones(len(clusters)), (clusters, np.arange(len(clusters)))),
                                shape=(k, len(clusters)))
    tf = np.asarray((members @ counts).todense(), dtype=float)
    overall = tf.sum(axis=0)
    mean_words = tf.sum() / k
    idf = np.log1p(mean_words / np.where(overall > 0, overall, 1.0))
    return tf * idf, vectorizer.get_feature_names_out().astype(object)


def discover_topics(embeddings: np.ndarray, texts: Sequence[object], *, k: int, seed: int = 0,
                    n_keywords: int = 8, sample_size: int = 2_000) -> DiscoveredTopics:
    """Cluster text embeddings with k-means and describe each cluster by its c-TF-IDF keywords.

    Parameters
    ----------
    embeddings : array (n, d)
        Unit-length sentence embeddings, one row per text.
    texts : sequence
        The texts, in the same order (for the keywords).
    k : int
        Number of clusters, 2 ≤ k ≤ n.
    seed : int
        Random state of k-means and of the silhouette sample.
    n_keywords : int
        Keywords kept per cluster.
    sample_size : int
        Rows used for the silhouette (it is quadratic in the rows).

    Returns
    -------
    DiscoveredTopics
    """
    vectors = np.asarray(embeddings, dtype=np.float32)
    n = vectors.shape[0] if vectors.ndim == 2 else 0
    if vectors.ndim != 2:
        raise ValueError(f"embeddings should be a 2-D array (texts × dimensions); got shape {vectors.shape}.")
    if len(texts) != n:
        raise ValueError(f"Got {n} embeddings but {len(texts)} texts; they must match row for row.")
    if not 2 <= k <= n:
        raise ValueError(f"k={k} should be between 2 and the number of texts={n}.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(vectors)
    counts = np.bincount(raw, minlength=k)
    order = np.argsort(-counts, kind="stable")  # relabel so that cluster 0 is the largest
    clusters = np.empty(k, dtype=int)
    clusters[order] = np.arange(k)
    clusters = clusters[raw]
    sizes = tuple(int(c) for c in counts[order])

    scores, vocabulary = class_tfidf(texts, clusters, k)
    keywords = []
    for c in range(k):
        top = [j for j in np.argsort(-scores[c], kind="stable")[:n_keywords] if scores[c, j] > 0] \
            if vocabulary.size else []
        keywords.append(tuple(str(vocabulary[j]) for j in top))
    names: list[str] = []
    for c, words in enumerate(keywords):
        name = " · ".join(words[:3]) or f"cluster {c + 1}"
        names.append(name if name not in names else f"{name} ({c + 1})")

    silhouette = None
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, sample_size), replace=False)
    if 2 <= len(np.unique(clusters[sample])) <= len(sample) - 1:
        silhouette = float(silhouette_score(vectors[sample], clusters[sample]))
    return DiscoveredTopics(clusters=clusters, sizes=sizes, keywords=tuple(keywords), names=tuple(names),
                            silhouette=silhouette, k=k, seed=seed,
                            warnings=tuple(str(w.message) for w in caught))


def discover_dataset_topics(rows: pd.DataFrame, embeddings: np.ndarray, *, k: int
                            ) -> tuple[DiscoveredTopics, list[str]]:
    """Topics discovered among the interactions with text, and those interactions' record ids in row order."""
    mask = has_text(rows).to_numpy()
    found = discover_topics(np.asarray(embeddings)[mask], rows.loc[mask, "text"].tolist(), k=k)
    return found, rows.loc[mask, "record_id"].tolist()


def rename_and_merge(assignments: pd.Series, renames: Mapping[str, str]) -> pd.Series:
    """Topic names after renaming; topics renamed to the same name are merged.

    Blank new names keep the old one. Tuples of topics (multi-label rows) are renamed element
    by element, without duplicates.

    Examples
    --------
    >>> rename_and_merge(pd.Series(["a", "b", "c"]), {"a": "x", "b": "x"}).tolist()
    ['x', 'x', 'c']
    """
    clean = {str(old): str(new).strip() for old, new in renames.items() if _clean(new)}
    present = {t for v in assignments.dropna() for t in (v if isinstance(v, tuple) else (v,))}
    unknown = sorted(set(clean) - {str(t) for t in present})
    if unknown:
        raise ValueError(f"Cannot rename {unknown}: they are not among the topics {sorted(map(str, present))}.")

    def rename(value):
        if isinstance(value, tuple):
            return tuple(dict.fromkeys(clean.get(str(v), v) for v in value))
        return clean.get(str(value), value) if not pd.isna(value) else value

    return assignments.astype(object).map(rename)


def _exploded(frame: pd.DataFrame, topic_column: str) -> pd.DataFrame:
    """One row per (interaction, topic): multi-label tuples are spread over rows."""
    if topic_column not in frame.columns:
        raise ValueError(f"There is no column {topic_column!r}; the columns are {list(frame.columns)}.")
    out = frame.assign(topic=frame[topic_column].astype(object)).explode("topic")
    return out[out["topic"].notna()].assign(topic=lambda f: f["topic"].astype(str))


def _sentiment_stats(groups: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    stats = groups.agg(volume=("_scored", "size"), n_scored=("_scored", "sum"),
                       negative=("_negative", "sum"), positive=("_positive", "sum"))
    scored = stats["n_scored"].where(stats["n_scored"] > 0)
    stats["pct_negative"] = 100 * stats["negative"] / scored
    stats["pct_positive"] = 100 * stats["positive"] / scored
    stats["net_sentiment"] = stats["pct_positive"] - stats["pct_negative"]
    return stats.drop(columns=["negative", "positive"])


def _with_flags(frame: pd.DataFrame) -> pd.DataFrame:
    sentiment = frame["sentiment"] if "sentiment" in frame.columns else pd.Series(np.nan, index=frame.index)
    return frame.assign(_scored=sentiment.notna(), _negative=sentiment.eq("negative"),
                        _positive=sentiment.eq("positive"))


def topic_summary(frame: pd.DataFrame, *, topic_column: str) -> pd.DataFrame:
    """Volume and sentiment per topic, largest first.

    Rows with several topics (tuples) count once in each. Sentiment shares are among the rows
    with a ``sentiment``; ``mean_rating`` (original scale) is present when ``rating_raw`` is.

    Returns
    -------
    DataFrame
        ``topic``, ``volume``, ``share`` (of all rows, 0–1), ``n_scored``, ``pct_negative``,
        ``pct_positive`` (0–100), ``net_sentiment`` (points) and optionally ``mean_rating``.
    """
    long = _with_flags(_exploded(frame, topic_column))
    stats = _sentiment_stats(long.groupby("topic", sort=False))
    stats.insert(1, "share", stats["volume"] / len(frame) if len(frame) else np.nan)
    if "rating_raw" in long.columns and long["rating_raw"].notna().any():
        stats["mean_rating"] = pd.to_numeric(long["rating_raw"], errors="coerce").groupby(long["topic"]).mean()
    stats = stats.reset_index().sort_values(["volume", "topic"], ascending=[False, True], kind="stable")
    return stats.reset_index(drop=True)


def topic_trend(frame: pd.DataFrame, *, topic_column: str, freq: str = "W") -> pd.DataFrame:
    """Volume, share of the period and net sentiment per topic per week ('W') or month ('M').

    Returns
    -------
    DataFrame
        ``period`` (start), ``topic``, ``volume``, ``share`` (of the period's interactions),
        ``pct_negative`` and ``net_sentiment``; every topic appears in every period (volume 0).
    """
    if freq not in ("W", "M"):
        raise ValueError(f"freq={freq!r} should be 'W' (weekly) or 'M' (monthly).")
    columns = ["period", "topic", "volume", "share", "pct_negative", "net_sentiment"]
    if "timestamp" not in frame.columns:
        return pd.DataFrame(columns=columns)
    dated = frame[frame["timestamp"].notna()]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    period = pd.to_datetime(dated["timestamp"]).dt.to_period("W-SUN" if freq == "W" else "M").dt.start_time
    per_period = period.value_counts()
    long = _with_flags(_exploded(dated.assign(period=period), topic_column))
    stats = _sentiment_stats(long.groupby(["period", "topic"]))
    full = pd.MultiIndex.from_product([sorted(per_period.index), sorted(long["topic"].unique())],
                                      names=["period", "topic"])
    stats = stats.reindex(full)
    stats["volume"] = stats["volume"].fillna(0).astype(int)
    stats["share"] = stats["volume"] / per_period.reindex(stats.index.get_level_values("period")).to_numpy()
    return stats.reset_index()[columns]


def topic_examples(frame: pd.DataFrame, *, topic_column: str, topic: str | None = None,
                   score_column: str = "score", limit: int = 500) -> pd.DataFrame:
    """Display-ready verbatims of one topic (or all), most typical (highest score) first.

    Tuples of topics are joined with "; ". Context columns (sentiment, rating, timestamp, channel,
    product) are left out when absent or empty.
    """
    rows = frame
    if topic is not None:
        values = frame[topic_column].astype(object)
        rows = frame[values.map(lambda v: topic in v if isinstance(v, tuple) else v == topic)]
    if score_column in rows.columns:
        rows = rows.sort_values(score_column, ascending=False, kind="stable")
    optional = ("sentiment", "rating_raw", "timestamp", "channel", "product")  # shown when they hold values
    shown = [c for c in (topic_column, score_column, *optional, "text", "record_id")
             if c in rows.columns and (c not in optional or rows[c].notna().any())]
    out = rows[shown].head(limit).copy()
    out[topic_column] = out[topic_column].astype(object).map(
        lambda v: "; ".join(map(str, v)) if isinstance(v, tuple) else v)
    if score_column in out.columns:
        out[score_column] = out[score_column].astype(float).round(3)
    return out.rename(columns={"rating_raw": "rating"}).reset_index(drop=True)


