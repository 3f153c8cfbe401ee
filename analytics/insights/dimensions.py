"""Which service dimensions and topics each interaction mentions, and with what sentiment."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analytics.insights.columns import numeric
from analytics.insights.sentences import sentence_polarity
from analytics.insights.topics import DEFAULT_KEYWORDS, OTHER
from analytics.language import NON_HAN_LETTER, has_han, normalise_width

# Whole-word, case-insensitive keyword rules, multi-word allowed. The product topics extend the topic
# tagger's DEFAULT_KEYWORDS with the words customers use for them; the RATER dimensions (SERVQUAL) are kept
# short and unambiguous, since "kind" or "service" would catch sign-offs and every support sentence.
DIMENSION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "delivery": (*DEFAULT_KEYWORDS["delivery"], "deliveries", "deliver", "arrived", "arrive", "arrives", "turned up",
                 "dropped it off", "driver", "package", "shipped", "dispatched", "postage", "day early",
                 "next morning", "nobody came", "wrong address", "neighbour"),
    "price": (*DEFAULT_KEYWORDS["price"], "prices", "priced", "pricing", "cheapest", "cost", "costs", "fee", "fees",
              "charged", "bargain", "value for money", "worth the money", "waste of money", "for the money",
              "worth every cent", "sale", "pay", "paying", "paid", "loyalty points", "free shipping"),
    "quality": ("quality", "broke", "broken", "defective", "flimsy", "sturdy", "sturdier", "solid", "well made",
                "well built", "built", "build", "cracked", "stopped working", "doesn't work", "stitching",
                "finished", "materials", "held up", "holds up", "flaws", "peeling", "fell apart", "falls apart",
                "going strong", "attention to detail", "does the job", "smell"),
    "support": ("support", "customer service", "agent", "agents", "staff", "on hold", "ticket", "helpful",
                "unhelpful", "chatbot", "department", "contacted", "replied", "answered", "callback", "called back",
                "the team", "on the chat", "on the phone", "first call", "hung up", "reference number",
                "look into it", "nobody seems to know", "takes responsibility"),
    "returns": (*DEFAULT_KEYWORDS["returns"], "refunds", "returns", "returning", "sent it back", "send it back",
                "replacement", "swap", "swapping", "exchange", "return postage"),
    "app": (*DEFAULT_KEYWORDS["app"], "apps", "site", "log in", "logged me out", "basket", "search", "tracking page",
            "payment failed", "payment details", "notifications"),
    "reliability": ("as promised", "broke", "broken", "stopped working", "reliable", "unreliable", "faulty",
                    "dependable", "keeps crashing"),
    "responsiveness": ("on hold", "waited", "waiting", "no reply", "never replied", "quick reply", "replied quickly",
                       "responded", "prompt", "promptly", "within the hour"),
    "assurance": ("knowledgeable", "trust", "trustworthy", "confident", "competent", "reassured", "reassuring"),
    "empathy": ("rude", "caring", "cared", "understood", "understanding", "polite", "impolite", "patient",
                "listened", "personal attention"),
    "tangibles": ("packaging", "packed", "box", "looks", "design", "appearance"),
}
COLUMNS = ["record_id", "dimension", "polarity", "sentence"]
SENTIMENT_POLARITY = {"negative": -1, "neutral": 0, "positive": 1}
EVIDENCE_CHARS = 200  # characters of the text kept as evidence for a mention from stored tags

_BLANK = "[ \t\u00a0]+"


def keyword_regex(words: Sequence[str], *, extract: bool = False) -> str | None:
    """A case-insensitive pattern (text) matching any of ``words`` as whole words; None when none is given.

    Keywords are plain text, escaped; blanks inside them match any run of blanks, ``'`` also the curly ``’``.
    By default the pattern has no lookarounds, so pandas runs ``str.contains`` with it in pyarrow (RE2), but it
    consumes the neighbouring characters; ``extract=True`` gives one group holding the keyword itself (Python
    ``re`` only), longest keyword first.

    Examples
    --------
    >>> import re
    >>> bool(re.search(keyword_regex(["on hold"]), "I was on  hold"))
    True
    >>> bool(re.search(keyword_regex(["late"]), "chocolate"))
    False
    >>> re.search(keyword_regex(["(sic)"], extract=True), "it is (SIC) fine").group(1)
    '(SIC)'
    >>> bool(re.search(keyword_regex(["退款", "refund"]), "申请退款了")), re.search(keyword_regex(["退款"],
    ...     extract=True), "申请退款了").group(1)
    (True, '退款')
    """
    cleaned = sorted({" ".join(normalise_width(str(w)).split()) for w in words if str(w).strip()}, key=len,
                     reverse=True)
    if not cleaned:
        return None
    # Chinese has no spaces between words: a keyword with Chinese characters matches anywhere (退款 in 申请退款了).
    chinese = "|".join(_escaped_phrase(w) for w in cleaned if has_han(w))
    alternatives = "|".join(_escaped_phrase(w) for w in cleaned if not has_han(w))
    if extract:
        whole = f"(?<!{NON_HAN_LETTER})(?:{alternatives})(?!{NON_HAN_LETTER})" if alternatives else ""
        return f"(?i)({'|'.join(p for p in (whole, chinese) if p)})"
    whole = f"(?:^|[^\\w])(?:{alternatives})(?:[^\\w]|$)" if alternatives else ""
    return f"(?i)(?:{'|'.join(p for p in (whole, chinese) if p)})"


def _escaped_phrase(phrase: str) -> str:
    # re.escape only escapes punctuation, which RE2 also reads as literal; blanks and apostrophes are widened.
    words = phrase.replace("’", "'").split(" ")
    return _BLANK.join("['’]".join(re.escape(part) for part in word.split("'")) for word in words)


def dimension_mentions(sentences: pd.DataFrame, *, keywords: Mapping[str, Sequence[str]] = DIMENSION_KEYWORDS
                       ) -> pd.DataFrame:
    """The dimensions each interaction mentions, from keyword rules on its sentences.

    Parameters
    ----------
    sentences : DataFrame
        ``record_id``, ``sentence_no``, ``sentence`` and ``compound`` (VADER score of the sentence).
    keywords : mapping of dimension -> keywords
        Whole-word, case-insensitive rules (:data:`DIMENSION_KEYWORDS` by default).

    Returns
    -------
    DataFrame
        ``record_id``, ``dimension``, ``polarity`` (sign of the summed compounds of the sentences that mention
        the dimension, with the ±0.05 threshold) and ``sentence`` (the first of them); one row per
        (record_id, dimension), dimensions in the order of ``keywords``, then by record_id.

    Examples
    --------
    >>> s = pd.DataFrame({"record_id": ["a", "a"], "sentence_no": [0, 1], "compound": [0.6, -0.6],
    ...                   "sentence": ["great quality", "the delivery was a disaster"]})
    >>> dimension_mentions(s, keywords={"delivery": ["delivery"], "quality": ["quality"]})["polarity"].tolist()
    [-1, 1]
    """
    missing = [c for c in ("record_id", "sentence_no", "sentence", "compound") if c not in sentences.columns]
    if missing:
        raise ValueError(f"Finding dimensions needs sentences with the columns {missing}; score the texts' "
                         "sentences first (the compound column holds each sentence's sentiment).")
    ordered = sentences.sort_values(["record_id", "sentence_no"], kind="stable")
    text = ordered["sentence"].astype("str")
    ids, compound = ordered["record_id"].to_numpy(dtype=object), ordered["compound"].to_numpy(dtype=float)
    sentence = text.to_numpy(dtype=object)
    hits = []
    for dimension, words in keywords.items():
        pattern = keyword_regex([words] if isinstance(words, str) else list(words))
        if pattern is None:
            continue
        found = text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        hits.append(pd.DataFrame({"record_id": ids[found], "dimension": str(dimension), "compound": compound[found],
                                  "sentence": sentence[found]}))
    if not hits:
        return pd.DataFrame({c: pd.Series(dtype=int if c == "polarity" else "str") for c in COLUMNS})
    long = pd.concat(hits, ignore_index=True)
    grouped = long.groupby(["record_id", "dimension"], sort=False)
    out = grouped.agg(compound=("compound", "sum"), sentence=("sentence", "first")).reset_index()
    out.insert(2, "polarity", sentence_polarity(out.pop("compound")))
    return out[COLUMNS].astype({"sentence": "str"})


def mentions_from_tags(tags: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The mentions frame from a topic classifier's stored labels, with the polarity of each row's sentiment.

    Parameters
    ----------
    tags : DataFrame
        ``record_id`` and ``label`` (one row per assigned label; "other" is dropped).
    rows : DataFrame
        ``record_id``, ``text`` and ``sentiment`` (negative → −1, neutral → 0, positive → +1; unscored → 0).

    Returns
    -------
    DataFrame
        ``record_id``, ``dimension``, ``polarity`` and ``sentence`` (the first 200 characters of the text).
    """
    for frame, name, needed in ((tags, "tags", ("record_id", "label")), (rows, "rows", ("record_id", "sentiment"))):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            hint = "score the texts on the Sentiment page" if "sentiment" in missing else "tag the texts first"
            raise ValueError(f"Mentions from stored tags need the {name} columns {missing}: {hint}.")
    labelled = tags[tags["label"].notna() & tags["label"].astype("str").ne(OTHER)]
    labelled = labelled.assign(record_id=labelled["record_id"].astype("str"), dimension=labelled["label"].astype("str"))
    labelled = labelled.drop_duplicates(["record_id", "dimension"])[["record_id", "dimension"]]
    text = rows["text"].astype("str").str.slice(0, EVIDENCE_CHARS) if "text" in rows.columns \
        else pd.Series(pd.NA, index=rows.index, dtype="str")
    context = pd.DataFrame({"record_id": rows["record_id"].astype("str").to_numpy(),
                            "polarity": rows["sentiment"].map(SENTIMENT_POLARITY).fillna(0).astype(int).to_numpy(),
                            "sentence": text.to_numpy()}).drop_duplicates("record_id")
    out = labelled.merge(context, on="record_id", how="inner", validate="many_to_one")
    return out[COLUMNS].reset_index(drop=True)


def dimension_summary(mentions: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Per dimension: how many rows mention it, how, and their mean rating; most mentioned first.

    Returns
    -------
    DataFrame
        ``dimension``, ``n`` (mentioning rows), ``share_of_rows`` (of all rows), ``positive_share`` and
        ``negative_share`` (of its mentions) and ``mean_rating`` (0–1, of the mentioning rows with a rating;
        NaN without a rating column).
    """
    rating = pd.Series(numeric(rows, "rating").to_numpy(dtype=float), index=rows["record_id"].astype("str"))
    rating = rating[~rating.index.duplicated()]
    polarity = mentions["polarity"].to_numpy(dtype=int)
    long = pd.DataFrame({"dimension": mentions["dimension"].astype("str").to_numpy(),
                         "positive": polarity > 0, "negative": polarity < 0,
                         "rating": rating.reindex(mentions["record_id"].astype("str")).to_numpy(dtype=float)})
    out = long.groupby("dimension", sort=False).agg(n=("positive", "size"), positive_share=("positive", "mean"),
                                                    negative_share=("negative", "mean"), mean_rating=("rating", "mean"))
    out.insert(1, "share_of_rows", out["n"] / len(rows) if len(rows) else np.nan)
    out = out.reset_index().sort_values(["n", "dimension"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)

