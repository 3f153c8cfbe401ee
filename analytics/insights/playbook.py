"""Reply strategies for open interactions: emotion from sentiment and text, an editable intent × emotion
playbook with filled reply templates, a priority queue scored by a printed formula, and similar past cases."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.columns import labels, numeric, order_spend, timestamps
from analytics.insights.topics import DEFAULT_INTENTS, OTHER

EMOTIONS: tuple[str, ...] = ("angry", "frustrated", "neutral", "pleased")
ANGRY_CONFIDENCE = 0.8
ANGRY_EXCLAMATIONS = 2
ANGRY_CAPS_LETTERS = 4
ANGRY_WORDS: tuple[str, ...] = ("unacceptable", "furious", "worst", "outraged", "outrageous", "disgusted",
                                "disgraceful", "appalling", "ridiculous", "livid", "scam")
EMOTION_RULE = (
    f"angry: a negative sentiment with confidence ≥ {ANGRY_CONFIDENCE}, or a negative one whose text shouts "
    f"({ANGRY_EXCLAMATIONS} or more '!', an ALL-CAPS word of {ANGRY_CAPS_LETTERS}+ letters, or one of the words "
    f"{', '.join(ANGRY_WORDS)}); frustrated: any other negative; pleased: positive; neutral: everything else "
    "(neutral or not scored)."
)
_CAPS_WORD = re.compile(rf"\b[A-Z]{{{ANGRY_CAPS_LETTERS},}}\b")
_ANGRY_WORD = re.compile(r"\b(?:" + "|".join(map(re.escape, ANGRY_WORDS)) + r")\b", re.IGNORECASE)

PLAYBOOK_COLUMNS: tuple[str, ...] = ("intent", "emotion", "strategy", "template")
TEMPLATE_FIELDS: tuple[str, ...] = ("customer", "product", "order_id")
# What a field reads as: (prefix of a known value, wording when missing); order_id "A17" reads "order A17".
FIELD_WORDING: dict[str, tuple[str, str]] = {
    "customer": ("", "there"),
    "product": ("", "your item"),
    "order_id": ("order ", "your order"),
}
# Any {…} in a template; only the exact TEMPLATE_FIELDS are filled, anything else stays as written. The
# templates are user text, so they are never passed to str.format (which would evaluate {product.__class__}).
_BRACED = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"\{(" + "|".join(TEMPLATE_FIELDS) + r")\}")

# The strategies the defaults use (a user's playbook may name others).
STRATEGIES: dict[str, str] = {
    "escalate": "Hi {customer}, I am truly sorry about {product}; this is not the service we want for you. I have "
                "passed {order_id} to a senior colleague, who will contact you personally today.",
    "apologise + compensate": "Hi {customer}, I am very sorry about {product}. I am putting {order_id} right and "
                              "have added a credit to your account for the trouble.",
    "apologise + fix": "Hi {customer}, sorry for the trouble with {product}. I am looking into {order_id} now and "
                       "will come back to you with a fix within one working day.",
    "inform + reassure": "Hi {customer}, thanks for getting in touch about {product}. Here is where {order_id} "
                         "stands, and we will keep you posted until it is settled.",
    "refund + confirm": "Hi {customer}, I have started the return of {product} from {order_id}; you will get a "
                        "confirmation and your refund as soon as it is processed.",
    "apologise + refund": "Hi {customer}, I am sorry {product} let you down. I have started the refund for "
                          "{order_id} straight away, no need to wait for the return.",
    "retain + offer": "Hi {customer}, I am sorry to hear you want to cancel {order_id}. I can do it right away; "
                      "before I do, may I offer you a discount on {product} to make up for it?",
    "confirm + thank": "Hi {customer}, I have cancelled {order_id} as asked. Thank you for shopping with us; you "
                       "are welcome back any time.",
    "thank + act": "Hi {customer}, thank you for the idea about {product}. I have passed it to the team that "
                   "decides what we improve next.",
    "thank + upsell": "Hi {customer}, thank you for the kind words about {product}! As a thank-you, here is 10 % "
                      "off your next order.",
}
FALLBACK = "inform + reassure"  # the strategy of an intent × emotion the playbook does not hold
FALLBACK_TEMPLATE = STRATEGIES[FALLBACK]

# intent -> strategy per emotion, in EMOTIONS order (angry, frustrated, neutral, pleased).
_DEFAULT_STRATEGIES: dict[str, tuple[str, str, str, str]] = {
    "inquiry": ("apologise + fix", "apologise + fix", "inform + reassure", "thank + upsell"),
    "complaint": ("escalate", "apologise + compensate", "apologise + fix", "apologise + fix"),
    "praise": ("apologise + fix", "inform + reassure", "thank + upsell", "thank + upsell"),
    "suggestion": ("apologise + fix", "thank + act", "thank + act", "thank + act"),
    "return/refund": ("apologise + refund", "apologise + refund", "refund + confirm", "refund + confirm"),
    "cancellation": ("escalate", "retain + offer", "retain + offer", "confirm + thank"),
    OTHER: ("escalate", "apologise + fix", "inform + reassure", "thank + upsell"),
}
DEFAULT_PLAYBOOK = pd.DataFrame(
    [(intent, emotion, strategy, STRATEGIES[strategy])
     for intent in [*DEFAULT_INTENTS, OTHER]
     for emotion, strategy in zip(EMOTIONS, _DEFAULT_STRATEGIES[intent], strict=True)],
    columns=list(PLAYBOOK_COLUMNS),
)

# Channels whose interactions await a reply, matched as whole names: English, and the Chinese a support export
# uses (邮件, 在线客服, 电话 are the Chinese demo's; 微信 and 短信 messages await a reply too; reviews do not).
OPEN_CHANNELS: tuple[str, ...] = ("email", "chat", "phone",
                                  "邮件", "电子邮件", "在线客服", "人工客服", "在线咨询", "客服电话", "电话", "热线",
                                  "微信", "短信")
AGE_DAYS_PER_STEP = 7.0
AGE_CAP = 5.0
VALUE_CAP = 5.0  # one big spender should not outrank every angry customer
ANGRY_WEIGHT = 1.5
QUEUE_PARTS: tuple[str, ...] = ("negative_intensity", "customer_value", "age_factor")
_SCORE_BATCH = 4_000_000  # similarity scores held at once (queries × past interactions), about 16 MB


def _text(values: pd.Series) -> pd.Series:
    """Strings with surrounding white space removed; missing cells become ""."""
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _key(values: pd.Series) -> pd.Series:
    return _text(values).str.casefold()


def emotion_of(rows: pd.DataFrame) -> pd.Series:
    """The emotion of each row (one of :data:`EMOTIONS`) by :data:`EMOTION_RULE`.

    Parameters
    ----------
    rows : DataFrame
        ``sentiment`` (negative / neutral / positive, missing when not scored), optionally ``confidence``
        and ``text``. Not mutated.

    Returns
    -------
    Series
        Strings named ``emotion`` on the index of ``rows``.

    Raises
    ------
    ValueError
        ``rows`` has no ``sentiment`` column.

    Examples
    --------
    >>> rows = pd.DataFrame({"sentiment": ["negative", "negative", "positive", None],
    ...                      "confidence": [0.6, 0.6, 0.9, None], "text": ["Late!!", "Late.", "Great", "Ok"]})
    >>> emotion_of(rows).tolist()
    ['angry', 'frustrated', 'pleased', 'neutral']
    """
    if "sentiment" not in rows.columns:
        raise ValueError("Emotions need the stored sentiment (columns sentiment and confidence); score the "
                         "dataset on the Sentiment page first.")
    sentiment = _key(rows["sentiment"])
    negative = sentiment.eq("negative")
    text = _text(rows["text"]) if "text" in rows.columns else pd.Series("", index=rows.index)
    shouting = (text.str.count("!").ge(ANGRY_EXCLAMATIONS) | text.str.contains(_CAPS_WORD)
                | text.str.contains(_ANGRY_WORD))
    confident = numeric(rows, "confidence").ge(ANGRY_CONFIDENCE)
    emotion = np.select([negative & (confident | shouting), negative, sentiment.eq("positive")],
                        ["angry", "frustrated", "pleased"], default="neutral")
    return pd.Series(emotion, index=rows.index, name="emotion", dtype=object)


def _blank_rows(table: pd.DataFrame) -> pd.Series:
    """Rows whose every playbook cell is empty (the spare line a table editor adds)."""
    present = [c for c in PLAYBOOK_COLUMNS if c in table.columns]
    if not present:
        return pd.Series(True, index=table.index)
    return pd.concat([_text(table[c]).eq("") for c in present], axis=1).all(axis=1)


def validate_playbook(table: pd.DataFrame) -> list[str]:
    """The problems of an edited playbook, each in words a user can act on (empty when it is fine).

    Checked: the columns ``intent, emotion, strategy, template`` exist; every row has an intent, an
    emotion among :data:`EMOTIONS` and a strategy; no intent × emotion appears twice (intents compare
    without case or surrounding spaces); templates use no ``{…}`` field but ``{customer}``, ``{product}``
    and ``{order_id}``. Completely blank rows are ignored. An empty template is allowed (no reply text).

    Examples
    --------
    >>> validate_playbook(DEFAULT_PLAYBOOK)
    []
    >>> validate_playbook(DEFAULT_PLAYBOOK.drop(columns="strategy"))
    ["The playbook lacks the column(s) ['strategy']; it needs intent, emotion, strategy, template."]
    """
    missing = [c for c in PLAYBOOK_COLUMNS if c not in table.columns]
    if missing:
        return [f"The playbook lacks the column(s) {missing}; it needs {', '.join(PLAYBOOK_COLUMNS)}."]
    table = table.reset_index(drop=True)
    rows = table.loc[~_blank_rows(table)]
    if rows.empty:
        return ["The playbook has no rows; add at least one or restore the defaults."]
    cells = {c: _text(rows[c]) for c in PLAYBOOK_COLUMNS}
    problems = []

    def rows_where(flags: pd.Series) -> str:  # 1-based, as the table editor numbers them
        return ", ".join(str(i + 1) for i in flags.index[flags])

    if cells["intent"].eq("").any():
        problems.append(f"Row(s) {rows_where(cells['intent'].eq(''))} have no intent; name one (or 'other').")
    unknown = ~cells["emotion"].str.casefold().isin(EMOTIONS)
    if unknown.any():
        found = ", ".join(sorted({repr(e) if e else "(none)" for e in cells["emotion"][unknown]}))
        problems.append(f"Row(s) {rows_where(unknown)} have the emotion(s) {found}; use one of "
                        f"{', '.join(EMOTIONS)}.")
    if cells["strategy"].eq("").any():
        problems.append(f"Row(s) {rows_where(cells['strategy'].eq(''))} have an empty strategy; write one, e.g. "
                        f"{FALLBACK!r}.")
    keys = pd.DataFrame({"intent": cells["intent"].str.casefold(), "emotion": cells["emotion"].str.casefold()})
    repeated = keys.duplicated(keep=False) & cells["intent"].ne("")
    if repeated.any():
        pairs = sorted(set(zip(cells["intent"][repeated], cells["emotion"][repeated], strict=True)))
        problems.append(f"Row(s) {rows_where(repeated)} repeat the intent × emotion pair(s) "
                        f"{', '.join(f'{i} × {e}' for i, e in pairs)}; keep one row per pair.")
    fields = cells["template"].str.findall(_BRACED)
    bad = fields.map(lambda found: sorted({f for f in found if f not in TEMPLATE_FIELDS}))
    if bad.map(bool).any():
        names = sorted({f for found in bad for f in found})
        problems.append(f"Row(s) {rows_where(bad.map(bool))} use the template field(s) "
                        f"{', '.join('{' + f + '}' for f in names)}; only "
                        f"{', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)} can be filled.")
    return problems


def _raise_problems(table: pd.DataFrame) -> None:
    problems = validate_playbook(table)
    if problems:
        raise ValueError("The playbook cannot be used: " + " ".join(problems))


def clean_playbook(table: pd.DataFrame) -> pd.DataFrame:
    """The playbook as used and stored: its four columns, blank rows dropped, cells stripped, emotions lower-case.

    Raises
    ------
    ValueError
        :func:`validate_playbook` finds problems; the message lists them.
    """
    _raise_problems(table)
    rows = table.loc[~_blank_rows(table), list(PLAYBOOK_COLUMNS)]
    out = pd.DataFrame({c: _text(rows[c]) for c in PLAYBOOK_COLUMNS}).reset_index(drop=True)
    out["emotion"] = out["emotion"].str.casefold()
    return out


@dataclass(frozen=True)
class CompletedPlaybook:
    """A playbook with every intent × emotion pair, and the pairs that were added from the defaults."""

    table: pd.DataFrame  # PLAYBOOK_COLUMNS, the user's rows first
    added: tuple[tuple[str, str], ...]  # (intent, emotion) pairs taken from the defaults


def complete_playbook(table: pd.DataFrame) -> CompletedPlaybook:
    """Fill the pairs a playbook lacks: every emotion for each default intent, "other" and the table's intents.

    A missing pair of a default intent takes its row of :data:`DEFAULT_PLAYBOOK`; of an intent of the user's
    own, the default row of "other" for that emotion.

    Raises
    ------
    ValueError
        The table has problems (:func:`validate_playbook`).

    Examples
    --------
    >>> done = complete_playbook(DEFAULT_PLAYBOOK.iloc[1:])
    >>> done.added
    (('inquiry', 'angry'),)
    """
    own = clean_playbook(table)
    intents = list(dict.fromkeys([*DEFAULT_INTENTS, OTHER, *own["intent"]]))
    intent_keys = pd.Series(intents).str.casefold().drop_duplicates()
    wanted = pd.DataFrame([(intents[i], emotion) for i in intent_keys.index for emotion in EMOTIONS],
                          columns=["intent", "emotion"])
    wanted["_intent"] = wanted["intent"].str.casefold()
    have = pd.MultiIndex.from_arrays([own["intent"].str.casefold(), own["emotion"]])
    missing = wanted.loc[~pd.MultiIndex.from_arrays([wanted["_intent"], wanted["emotion"]]).isin(have)]
    defaults = DEFAULT_PLAYBOOK.set_index(["intent", "emotion"])[["strategy", "template"]]
    source = missing["_intent"].where(missing["_intent"].isin(DEFAULT_PLAYBOOK["intent"]), OTHER)
    filled = defaults.reindex(pd.MultiIndex.from_arrays([source, missing["emotion"]])).reset_index(drop=True)
    added = pd.concat([missing[["intent", "emotion"]].reset_index(drop=True), filled], axis=1)
    out = pd.concat([own, added[list(PLAYBOOK_COLUMNS)]], ignore_index=True)
    return CompletedPlaybook(out, tuple(zip(added["intent"], added["emotion"], strict=True)))


def _field_values(rows: pd.DataFrame) -> dict[str, pd.Series]:
    values = {}
    for field, (prefix, missing) in FIELD_WORDING.items():
        raw = _text(labels(rows, "customer_id" if field == "customer" else field))
        values[field] = (prefix + raw).where(raw.ne(""), missing).astype(object)
    return values


def fill_templates(templates: pd.Series, rows: pd.DataFrame) -> pd.Series:
    """Each template with its row's ``{customer}``, ``{product}`` and ``{order_id}`` filled in.

    Only those exact fields are replaced, in one pass: a value holding ``{order_id}`` stays as written,
    and ``{product.__class__}``, ``{0}`` or ``$product`` are left literally (templates are never formatted
    as code). Missing values read as :data:`FIELD_WORDING` says ("your order").

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["C1", None], "product": ["Lamp", None], "order_id": ["A7", None]})
    >>> fill_templates(pd.Series(["Hi {customer}, {product} ({order_id}) {0}"] * 2), rows).tolist()
    ['Hi C1, Lamp (order A7) {0}', 'Hi there, your item (your order) {0}']
    """
    if len(templates) != len(rows):
        raise ValueError(f"{len(templates)} templates for {len(rows)} rows; give one template per row.")
    plain = rows.reset_index(drop=True)
    texts = _text(pd.Series(np.asarray(templates, dtype=object)))
    values = _field_values(plain)
    out = pd.Series("", index=plain.index, dtype=object)
    for template, where in texts.groupby(texts, sort=False).groups.items():
        # split() alternates literal text and captured field names: each reply is built by column concatenation.
        reply = pd.Series("", index=where, dtype=object)
        for i, piece in enumerate(_FIELD.split(template)):
            reply = reply + (values[piece].loc[where] if i % 2 else piece)
        out.loc[where] = reply
    return pd.Series(out.to_numpy(), index=rows.index, name="reply", dtype=object)


def assign_strategies(rows: pd.DataFrame, intents: pd.Series, playbook: pd.DataFrame | None = None) -> pd.DataFrame:
    """The strategy and filled reply of each row, looked up by its intent × emotion in the playbook.

    Parameters
    ----------
    rows : DataFrame
        ``record_id``, ``sentiment`` (and ``confidence``, ``text``, as :func:`emotion_of` reads them),
        optionally ``customer_id``, ``product``, ``order_id`` for the templates. Not mutated.
    intents : Series
        record_id -> intent label; rows without one count as "other".
    playbook : DataFrame, optional
        ``intent, emotion, strategy, template``; default :data:`DEFAULT_PLAYBOOK`. Intents match without
        case or surrounding spaces.

    Returns
    -------
    DataFrame
        ``record_id, intent, emotion, strategy, reply, matched`` in the order of ``rows``; ``matched`` is
        False where the playbook had no row for the pair and :data:`FALLBACK` ("inform + reassure", with
        :data:`FALLBACK_TEMPLATE`) was used.

    Raises
    ------
    ValueError
        ``rows`` lacks ``record_id`` or ``sentiment``, or the playbook has problems (:func:`validate_playbook`).
    """
    if "record_id" not in rows.columns:
        raise ValueError("Reply strategies need the record_id column to match intents to interactions.")
    book = clean_playbook(DEFAULT_PLAYBOOK if playbook is None else playbook)
    ids = rows["record_id"].astype(str)
    by_id = intents.copy()
    by_id.index = by_id.index.astype(str)
    by_id = by_id[~by_id.index.duplicated(keep="last")]
    intent = _text(ids.map(by_id)).replace("", OTHER)
    emotion = emotion_of(rows)
    lookup = book.assign(intent=book["intent"].str.casefold()).set_index(["intent", "emotion"])
    found = lookup.reindex(pd.MultiIndex.from_arrays([intent.str.casefold(), emotion]))
    matched = found["strategy"].notna().to_numpy()
    strategy = found["strategy"].fillna(FALLBACK).to_numpy()
    template = found["template"].fillna(FALLBACK_TEMPLATE).to_numpy()
    reply = fill_templates(pd.Series(template, index=rows.index), rows)
    return pd.DataFrame({"record_id": rows["record_id"].to_numpy(), "intent": intent.to_numpy(),
                         "emotion": emotion.to_numpy(), "strategy": strategy, "reply": reply.to_numpy(),
                         "matched": matched})


def mark_open(rows: pd.DataFrame, *, channels: Sequence[str] | None = OPEN_CHANNELS,
              status_column: str | None = None, open_statuses: Sequence[str] = ("open", "pending", "new")
              ) -> pd.Series:
    """Which rows await a reply: those of the given channels, or those whose status column says open.

    Parameters
    ----------
    rows : DataFrame
        Canonical rows (plus any status column joined from the source).
    channels : sequence of str, optional
        Channels that take replies (case-insensitive); default email, chat, phone and their Chinese names
        (邮件, 在线客服, 电话, 微信, 短信, …). Ignored when ``status_column`` is given.
    status_column : str, optional
        A column holding the ticket status; rows whose status is one of ``open_statuses`` (case-insensitive)
        are open.

    Raises
    ------
    ValueError
        The status or channel column is missing.

    Examples
    --------
    >>> mark_open(pd.DataFrame({"channel": ["Email", "review", None, "在线客服", "商品评价"]})).tolist()
    [True, False, False, True, False]
    """
    if status_column is not None:
        if status_column not in rows.columns:
            raise ValueError(f"There is no column {status_column!r} to read the ticket status from; pick one of "
                             f"{[str(c) for c in rows.columns]}.")
        return _key(rows[status_column]).isin([s.strip().casefold() for s in open_statuses]).rename("open")
    if "channel" not in rows.columns or rows["channel"].notna().sum() == 0:
        raise ValueError("The data has no channel to tell open tickets by; map a channel column or pick a "
                         "status column.")
    wanted = [c.strip().casefold() for c in (channels or ())]
    return _key(rows["channel"]).isin(wanted).rename("open")


@dataclass(frozen=True)
class QueueResult:
    """Open interactions by priority, the formula that orders them and what the data lacked."""

    frame: pd.DataFrame  # highest priority first; QUEUE_PARTS, days_open and priority among the columns
    formula: str  # plain text: the priority and each of its parts
    notes: tuple[str, ...]  # e.g. an empty queue, no amounts, no timestamps
    now: pd.Timestamp | None  # the moment ages are counted to
    median_value: float | None  # the median customer's monetary value (None without amounts)


def customer_spend(rows: pd.DataFrame) -> pd.Series:
    """Total spend per customer (each order counted once; RFM's monetary), for rows with a customer and an amount."""
    spend = order_spend(rows)
    customers = labels(rows, "customer_id")
    known = spend.notna() & customers.notna()
    return spend[known].groupby(customers[known]).sum()


def priority_queue(rows: pd.DataFrame, *, open_mask: pd.Series | np.ndarray | None = None,
                   customer_value: pd.Series | None = None, now: object = None) -> QueueResult:
    """Order open interactions by priority = negative intensity × customer value × age factor.

    - ``negative_intensity``: the confidence of a negative sentiment (1 when a negative has no confidence),
      × 1.5 when the emotion is angry (:data:`EMOTION_RULE`); 0 when not negative;
    - ``customer_value``: the customer's monetary value ÷ the median customer's, at most 5; 1 without amounts,
      for rows without a customer and for customers whose value is unknown (negative values count as 0);
    - ``age_factor``: 1 + days open ÷ 7, at most 5; 1 without a timestamp. Days open run from the
      row's timestamp to ``now`` (never below 0).

    Ties keep the older interaction first, then the original order.

    Parameters
    ----------
    rows : DataFrame
        Canonical rows with ``sentiment`` and ``confidence`` (from
        :func:`analytics.insights.sentiment.attach_sentiment`); all of the dataset, so that customer values
        count every order. Not mutated.
    open_mask : bool Series or array, optional
        The open interactions (e.g. :func:`mark_open`); default every row.
    customer_value : Series, optional
        Monetary value per customer (index customer_id), e.g. the ``monetary`` column of
        :func:`analytics.insights.rfm.rfm_scores`; default the customers' total spend in ``rows``.
    now : timestamp-like, optional
        The moment ages are counted to; default the last timestamp of ``rows``.

    Returns
    -------
    QueueResult

    Raises
    ------
    ValueError
        ``rows`` lacks ``sentiment``, or ``open_mask`` does not fit ``rows``.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": ["a", "b"], "sentiment": ["negative", "positive"],
    ...                      "confidence": [0.6, 0.9], "timestamp": pd.to_datetime(["2025-01-01", "2025-01-08"])})
    >>> priority_queue(rows).frame[["record_id", "priority"]].values.tolist()
    [['a', 1.2], ['b', 0.0]]
    """
    if open_mask is None:
        mask = np.ones(len(rows), dtype=bool)
    elif isinstance(open_mask, pd.Series):
        if not rows.index.isin(open_mask.index).all() or open_mask.index.has_duplicates:
            raise ValueError("open_mask does not share the index of rows; build it from the same rows "
                             "(e.g. with mark_open(rows)).")
        mask = open_mask.reindex(rows.index).fillna(False).astype(bool).to_numpy()
    else:
        mask = np.asarray(open_mask, dtype=bool)
        if mask.shape != (len(rows),):
            raise ValueError(f"open_mask has shape {mask.shape} for {len(rows)} rows; give one flag per row.")
    emotion = emotion_of(rows)
    notes: list[str] = []

    monetary = customer_spend(rows) if customer_value is None else pd.to_numeric(customer_value, errors="coerce")
    monetary = monetary.dropna().clip(lower=0.0)
    monetary.index = monetary.index.astype(str)
    median = float(monetary.median()) if len(monetary) else np.nan
    if not np.isfinite(median) or median <= 0:
        if not len(monetary):
            notes.append("No amounts per customer: customer value is 1 for everyone.")
        else:
            notes.append(f"The median customer's monetary value is {median:g}: customer value is 1 for everyone.")
        median = np.nan
        value = pd.Series(1.0, index=rows.index)
    else:
        value = labels(rows, "customer_id").map(monetary / median).fillna(1.0).astype(float).clip(upper=VALUE_CAP)

    ts = timestamps(rows)
    reference = pd.Timestamp(now) if now is not None else ts.max()
    if pd.isna(reference):
        reference = None
        notes.append("No timestamps: every age factor is 1.")
        days = pd.Series(np.nan, index=rows.index)
    else:
        days = ((reference - ts).dt.total_seconds() / 86_400).clip(lower=0.0)
    age = (1 + days / AGE_DAYS_PER_STEP).clip(upper=AGE_CAP).fillna(1.0)

    negative = _key(rows["sentiment"]).eq("negative")
    confidence = numeric(rows, "confidence").fillna(1.0)
    intensity = (confidence.where(negative, 0.0) * np.where(emotion.eq("angry"), ANGRY_WEIGHT, 1.0)).astype(float)

    keep = [c for c in ("record_id", "timestamp", "channel", "customer_id", "product", "order_id", "text",
                        "sentiment", "confidence") if c in rows.columns]
    frame = rows[keep].copy()
    frame["emotion"] = emotion
    frame["days_open"] = days
    frame["negative_intensity"] = intensity
    frame["customer_value"] = value
    frame["age_factor"] = age
    frame["priority"] = frame["negative_intensity"] * frame["customer_value"] * frame["age_factor"]
    frame = frame.loc[mask].assign(_position=np.arange(int(mask.sum())))
    frame = frame.sort_values(["priority", "days_open", "_position"], ascending=[False, False, True],
                              na_position="last", kind="stable").drop(columns="_position").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    if frame.empty:
        notes.insert(0, "No open interactions: nothing is waiting for a reply (check the channels or status picked).")
    elif not frame["negative_intensity"].gt(0).any():
        notes.insert(0, "No open interaction is negative: every priority is 0 and the queue is ordered by age.")

    until = "no timestamps" if reference is None else f"counted to {reference:%Y-%m-%d %H:%M}"
    worth = "no amounts" if np.isnan(median) else f"median customer {median:,.2f}"
    formula = ("priority = negative intensity × customer value × age factor; "
               f"negative intensity = confidence of a negative sentiment (1 if none given), × {ANGRY_WEIGHT:g} "
               "when angry, 0 when not negative; "
               f"customer value = the customer's monetary value ÷ the median customer's, at most {VALUE_CAP:g} "
               f"({worth}; 1 when unknown); "
               f"age factor = 1 + days open ÷ {AGE_DAYS_PER_STEP:g}, at most {AGE_CAP:g} ({until}).")
    return QueueResult(frame, formula, tuple(notes), reference, None if np.isnan(median) else median)


def _unit_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norms = np.linalg.norm(vectors, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    return vectors / safe[:, None], norms > 0


def _top_positions(scores: np.ndarray, take: int) -> np.ndarray:
    """Column positions of the ``take`` highest scores per row; ties at the cut go to the earlier column."""
    if take >= scores.shape[1]:
        return np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    key = -scores
    cut = np.partition(key, take - 1, axis=1)[:, take - 1:take]
    better = key < cut
    ties = key == cut
    room = take - better.sum(axis=1, keepdims=True)
    chosen = better | (ties & (np.cumsum(ties, axis=1) <= room))
    return np.nonzero(chosen)[1].reshape(len(scores), take)  # row-major: each row's positions in order


def similar_interactions(query_vectors: np.ndarray, past_vectors: np.ndarray, past_ids: Sequence[object], *,
                         k: int = 3, query_ids: Sequence[object] | None = None) -> pd.DataFrame:
    """The ``k`` past interactions most similar (cosine) to each queried one, excluding itself.

    Parameters
    ----------
    query_vectors : array (n_queries, dim)
        Embeddings of the queued interactions.
    past_vectors : array (n_past, dim)
        Embeddings of the past interactions, one per ``past_ids``.
    past_ids : sequence
        Record ids of the past interactions.
    k : int, default 3
        Neighbours per query (fewer when fewer candidates exist).
    query_ids : sequence, optional
        Record ids of the queries: a past interaction with the same id is the query itself and skipped.
        Without them the ``query`` column holds positions and nothing is skipped.

    Returns
    -------
    DataFrame
        ``query, rank, record_id, similarity``: k rows per query, most similar first. Zero vectors (no
        text) neither get nor are neighbours.

    Raises
    ------
    ValueError
        Shapes do not fit, or ``k`` < 1.

    Examples
    --------
    >>> past = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> similar_interactions(past[:1], past, ["a", "b", "c"], k=2, query_ids=["a"])["record_id"].tolist()
    ['c', 'b']
    """
    if int(k) != k or k < 1:
        raise ValueError(f"k={k} should be a whole number of neighbours, at least 1.")
    k = int(k)
    query = np.asarray(query_vectors, dtype=np.float32)
    past = np.asarray(past_vectors, dtype=np.float32)
    past_ids = np.asarray(list(past_ids), dtype=object)
    if query.ndim != 2 or past.ndim != 2 or (len(query) and len(past) and query.shape[1] != past.shape[1]):
        raise ValueError(f"query_vectors {query.shape} and past_vectors {past.shape} must be 2-D with the same "
                         "number of columns (one embedding per row, from the same model).")
    if len(past_ids) != len(past):
        raise ValueError(f"past_ids has {len(past_ids)} ids for {len(past)} past vectors; give one id per row.")
    names = np.arange(len(query)) if query_ids is None else np.asarray(list(query_ids), dtype=object)
    if len(names) != len(query):
        raise ValueError(f"query_ids has {len(names)} ids for {len(query)} query vectors; give one id per row.")
    columns = ["query", "rank", "record_id", "similarity"]
    if not len(query) or not len(past):
        return pd.DataFrame({c: pd.Series(dtype=float if c == "similarity" else object) for c in columns})
    unit_query, asked = _unit_rows(query)
    unit_past, usable = _unit_rows(past)
    past_keys = past_ids.astype(str)
    own = None if query_ids is None else names.astype(str)
    take = min(k, len(past))
    batch = max(1, _SCORE_BATCH // len(past))
    picks, sims = [], []
    for start in range(0, len(query), batch):
        scores = unit_query[start:start + batch] @ unit_past.T
        scores[:, ~usable] = -np.inf
        scores[~asked[start:start + batch]] = -np.inf
        if own is not None:
            scores[own[start:start + batch, None] == past_keys[None, :]] = -np.inf
        top = _top_positions(scores, take)
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)  # best first; equal scores in past order
        picks.append(np.take_along_axis(top, order, axis=1))
        sims.append(np.take_along_axis(top_scores, order, axis=1))
    top, top_scores = np.vstack(picks), np.vstack(sims)
    frame = pd.DataFrame({"query": np.repeat(names, take), "rank": np.tile(np.arange(1, take + 1), len(query)),
                          "record_id": past_ids[top.ravel()], "similarity": top_scores.ravel().astype(float)})
    return frame.loc[np.isfinite(frame["similarity"])].reset_index(drop=True)
