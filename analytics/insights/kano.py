"""Kano classes: topics from text by penalty–reward regression, and features from a classic Kano questionnaire."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analytics.insights.kpis import MIN_N
from analytics.insights.mentions import rated_mentions
from analytics.insights.resampling import percentile_interval, resample_counts

# Classing topics from text. An effect is significant when its interval lies above 0 (in the expected
# direction: praise lifts the rating, criticism lowers it); bounds within _NOISE of 0 are least-squares
# rounding of an exact 0. One effect dominates the other when it is more than DOMINANCE times it.
DOMINANCE = 2.0
_NOISE = 1e-9
NOT_ENOUGH = "not enough data"
TEXT_COLUMNS = ["topic", "n_positive", "n_negative", "reward", "reward_low", "reward_high", "penalty",
                "penalty_low", "penalty_high", "kano_class", "enough"]

# The classic questionnaire: five answers, in this order (codes 1–5), to a functional question ("if the
# product had X") and a dysfunctional one ("if it did not"). KANO_TABLE[functional][dysfunctional] is the
# category of the standard evaluation table (Berger et al. 1993): A attractive, O one-dimensional, M must-be,
# I indifferent, R reverse, Q questionable.
KANO_ANSWERS = ("like", "must-be", "neutral", "live with", "dislike")
KANO_TABLE: tuple[str, ...] = (
    "QAAAO",  # functional: like
    "RIIIM",  # must-be
    "RIIIM",  # neutral
    "RIIIM",  # live with
    "RRRRQ",  # dislike
)
KANO_NAMES = {"A": "attractive", "O": "one-dimensional", "M": "must-be", "I": "indifferent", "R": "reverse",
              "Q": "questionable"}
_TIE_ORDER = "MOAIR"  # the most frequent category wins; ties go to the first in this order
_SPELLINGS = {
    1: ("like", "love", "enjoy", "delighted", "pleased", "satisfied"),
    2: ("must be", "mustbe", "must", "expect", "expected", "must have", "required", "necessary", "basic"),
    3: ("neutral", "indifferent", "dont care", "do not care", "no opinion", "doesnt matter", "does not matter",
        "neither"),
    4: ("live with", "can live with", "tolerate", "can tolerate", "tolerable", "accept", "can accept",
        "acceptable"),
    5: ("dislike", "hate", "dont like", "do not like", "cannot accept", "cant accept", "can not accept",
        "unacceptable"),
}
_CODES = {spelling: code for code, spellings in _SPELLINGS.items() for spelling in spellings}
_FILLERS = {"i", "im", "am", "it", "its", "that", "this", "way", "so", "would", "really", "very"}
_ROLE = r"(?P<role>dysfunctional|dysfunc|dysf|functional|func)"
_PAIR_PATTERNS = (
    re.compile(rf"^(?P<feature>.+?)[\s_.\-]*{_ROLE}$", re.IGNORECASE),  # f1_functional, speed_dysf
    re.compile(rf"^{_ROLE}[\s_.\-]+(?P<feature>.+)$", re.IGNORECASE),  # functional_speed
    re.compile(r"^(?P<feature>.*\d)[\s_.\-]?(?P<role>[ab])$", re.IGNORECASE),  # Q1a (functional), Q1b
)
QUESTIONNAIRE_COLUMNS = ["feature", "A", "O", "M", "I", "R", "Q", "n", "kano_class", "better", "worse"]


def _design(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((len(positive), 1)), positive, negative]).astype(float)


def _bootstrap_coefficients(x: np.ndarray, y: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Least-squares coefficients on each resample (B, K), from weighted normal equations solved at once.

    A resample is a weight vector of draw counts, so X'WX and X'Wy of all resamples are two matrix
    products; the pseudo-inverse gives the minimum-norm solution, as ``lstsq`` does, where a resample
    leaves a dummy without rows."""
    k = x.shape[1]
    upper = np.triu_indices(k)
    gram = np.empty((len(counts), k, k))
    gram[:, upper[0], upper[1]] = counts @ (x[:, upper[0]] * x[:, upper[1]])
    gram[:, upper[1], upper[0]] = gram[:, upper[0], upper[1]]
    moments = counts @ (x * y[:, None])
    return (np.linalg.pinv(gram, hermitian=True) @ moments[:, :, None])[:, :, 0]


def _classes(reward: np.ndarray, reward_low: np.ndarray, penalty: np.ndarray,
             penalty_low: np.ndarray) -> np.ndarray:
    rewarded = np.nan_to_num(reward_low, nan=0.0) > _NOISE
    penalised = np.nan_to_num(penalty_low, nan=0.0) > _NOISE
    reward, penalty = np.nan_to_num(reward), np.nan_to_num(penalty)
    must = penalised & (~rewarded | (penalty > DOMINANCE * reward))
    attractive = rewarded & (~penalised | (reward > DOMINANCE * penalty))
    return np.select([must, attractive, rewarded & penalised], ["must-be", "attractive", "one-dimensional"],
                     default="indifferent")


def kano_from_text(rows: pd.DataFrame, mentions: pd.DataFrame, *, min_n: int = MIN_N, n_boot: int = 300,
                   level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Kano class of each topic from a penalty–reward regression of the rating on its mentions.

    One least-squares fit over the rated rows: rating = b0 + Σ_t (reward_t · praised_t − penalty_t ·
    criticised_t), with a dummy for "mentions topic t positively" and one for "negatively" for every topic
    with at least ``min_n`` mentions (neutral mentions are in the baseline). Intervals: percentile bootstrap
    of the whole regression over rows. Classes: must-be when the penalty is significant and the reward is not
    or is less than 1/DOMINANCE of it; attractive the mirror image; one-dimensional when both are
    significant and neither dominates; indifferent when neither is significant.

    Returns
    -------
    DataFrame
        ``topic, n_positive, n_negative, reward, reward_low, reward_high, penalty, penalty_low,
        penalty_high, kano_class, enough`` on the rating's 0–1 scale (counts over the rated rows), topics
        with enough mentions first.
        Topics below ``min_n`` mentions: class "not enough data", effects NaN, left out of the fit; a reward
        (penalty) is NaN when the topic has no positive (negative) mention. ``attrs``: ``method``, ``min_n``,
        ``level``, ``n_boot``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} should be between 0 and 1, e.g. 0.95.")
    if n_boot < 1:
        raise ValueError(f"n_boot={n_boot!r} should be at least 1 (300 gives stable 95 % intervals).")
    rating, matrix = rated_mentions(rows, mentions)
    enough = matrix.mentioned.sum(axis=0) >= min_n
    n_positive, n_negative = matrix.positive.sum(axis=0), matrix.negative.sum(axis=0)
    topics = int(enough.sum())
    effects = {name: np.full(len(enough), np.nan) for name in TEXT_COLUMNS[3:9]}
    if topics:
        x = _design(matrix.positive[:, enough], matrix.negative[:, enough])
        point = np.linalg.lstsq(x, rating, rcond=None)[0]
        boot = _bootstrap_coefficients(x, rating, resample_counts(len(rating), n_boot=n_boot, seed=seed))
        parts = {"reward": (point[1:topics + 1], boot[:, 1:topics + 1]),
                 "penalty": (-point[topics + 1:], -boot[:, topics + 1:])}
        for name, (estimate, draws) in parts.items():
            low, high = percentile_interval(draws, level)
            seen = (n_positive if name == "reward" else n_negative)[enough] > 0
            for suffix, values in (("", estimate), ("_low", low), ("_high", high)):
                effects[name + suffix][enough] = np.where(seen, values, np.nan)
    kano_class = np.where(enough, _classes(effects["reward"], effects["reward_low"], effects["penalty"],
                                           effects["penalty_low"]), NOT_ENOUGH)
    table = pd.DataFrame({"topic": list(matrix.dimensions), "n_positive": n_positive, "n_negative": n_negative,
                          **effects, "kano_class": kano_class, "enough": enough}, columns=TEXT_COLUMNS)
    table = table.sort_values("enough", ascending=False, kind="stable", ignore_index=True)
    table.attrs.update(
        method=("Penalty–reward contrast analysis: one least-squares regression rating = b0 + Σ_t (reward_t × "
                "praised_t − penalty_t × criticised_t) over the rated interactions, where praised_t / criticised_t "
                f"are 1 when the text mentions topic t positively / negatively, for every topic with at least "
                f"{min_n} mentions; reward = the rise in rating (0–1) when a topic is praised, penalty = the fall "
                f"when it is criticised; {level:.0%} percentile bootstrap intervals over interactions ({n_boot} "
                f"resamples). Must-be: penalty significant (interval above 0) and reward not, or penalty > "
                f"{DOMINANCE:g} × reward; attractive: the reverse; one-dimensional: both significant; "
                "indifferent: neither."),
        min_n=min_n, level=level, n_boot=n_boot)
    return table


def _answer_code(value: object) -> int | None:
    """1–5 for a Kano answer (KANO_ANSWERS order), None when it is not one.

    >>> [_answer_code(v) for v in ("I like it that way", "Must-be", 3, "I can live with it", "DISLIKE", "maybe")]
    [1, 2, 3, 4, 5, None]
    """
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1 <= value <= 5 else None
    text = str(value).strip().lower().replace("’", "").replace("'", "")
    if re.fullmatch(r"[1-5](?:\.0*)?", text):
        return int(text[0])
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w and w not in _FILLERS]
    return _CODES.get(" ".join(words))


def _answer_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes 1–5 per row (0 = blank or not understood) and the values not understood."""
    lookup = {value: _answer_code(value) for value in column.dropna().unique()}
    codes = column.map(lambda v: lookup.get(v) or 0, na_action="ignore").fillna(0).to_numpy(dtype=int)
    return codes, sorted(f"{value:g}" if isinstance(value, float | np.floating) else str(value)
                         for value, code in lookup.items() if code is None)


def detect_kano_pairs(columns: Iterable[object]) -> dict[str, tuple[str, str]]:
    """Feature → (functional column, dysfunctional column), from the columns' names.

    >>> detect_kano_pairs(["id", "f1_functional", "f1_dysfunctional", "speed_func", "speed_dysf", "Q3a", "Q3b"])
    {'f1': ('f1_functional', 'f1_dysfunctional'), 'speed': ('speed_func', 'speed_dysf'), 'Q3': ('Q3a', 'Q3b')}
    """
    names = [str(c) for c in columns]
    found: dict[str, dict[str, list[str]]] = {}
    labels: dict[str, str] = {}
    for name in names:
        for pattern in _PAIR_PATTERNS:
            match = pattern.match(name.strip())
            if match:
                break
        else:
            continue
        feature = match["feature"].strip(" _.-")
        role = "dysfunctional" if match["role"].lower() in ("b", "dysf", "dysfunc", "dysfunctional") else "functional"
        found.setdefault(feature.lower(), {"functional": [], "dysfunctional": []})[role].append(name)
        labels.setdefault(feature.lower(), feature)
    pairs = {labels[key]: (roles["functional"][0], roles["dysfunctional"][0]) for key, roles in found.items()
             if len(roles["functional"]) == len(roles["dysfunctional"]) == 1}
    if not pairs:
        raise ValueError(f"No functional / dysfunctional column pairs among {names[:20]}. Name each feature's two "
                         "questions like 'f1_functional' / 'f1_dysfunctional', 'speed_func' / 'speed_dysf' or "
                         "'Q1a' / 'Q1b' (a = functional, b = dysfunctional), or pass the pairs explicitly.")
    return pairs


def score_kano_questionnaire(frame: pd.DataFrame, *,
                             pairs: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Score a classic Kano questionnaire: one row per respondent, a functional and a dysfunctional answer per feature.

    Answers are the five standard options (like / must-be / neutral / live with / dislike, common spellings
    such as "I expect it" or "I can live with it", or codes 1–5 in that order; case-insensitive). Each
    respondent's pair is looked up in KANO_TABLE; blank or unreadable answers leave that pair out.

    Returns
    -------
    DataFrame
        ``feature, A, O, M, I, R, Q, n, kano_class, better, worse``: counts per category, n the pairs scored,
        the class (the most frequent of A/O/M/I/R, ties in the order M > O > A > I > R; "questionable" when
        only Q, "no answers" when none), Better = (A+O)/(A+O+M+I) and Worse = −(O+M)/(A+O+M+I) (NaN when
        A+O+M+I is 0). ``attrs``: ``not_understood`` (column → the values that are not a Kano answer),
        ``method``.

    Examples
    --------
    >>> answers = pd.DataFrame({"Q1a": ["like", "like", "neutral"], "Q1b": ["dislike", "neutral", "dislike"]})
    >>> score_kano_questionnaire(answers)[["feature", "O", "A", "M", "kano_class", "better"]].to_dict("records")
    [{'feature': 'Q1', 'O': 1, 'A': 1, 'M': 1, 'kano_class': 'must-be', 'better': 0.6666666666666666}]
    """
    pairs = detect_kano_pairs(frame.columns) if pairs is None else dict(pairs)
    absent = sorted({c for pair in pairs.values() for c in pair} - set(frame.columns))
    if absent:
        raise ValueError(f"The questionnaire has no column(s) {absent}; it has {list(frame.columns)}.")
    table = np.array([list(line) for line in KANO_TABLE])
    records, not_understood = [], {}
    for feature, (functional, dysfunctional) in pairs.items():
        (f, bad_f), (d, bad_d) = _answer_codes(frame[functional]), _answer_codes(frame[dysfunctional])
        not_understood.update({c: bad for c, bad in ((functional, bad_f), (dysfunctional, bad_d)) if bad})
        both = (f > 0) & (d > 0)
        letters, counts = np.unique(table[f[both] - 1, d[both] - 1], return_counts=True)
        count = dict.fromkeys(KANO_NAMES, 0) | dict(zip(letters.tolist(), counts.tolist(), strict=True))
        best = max(_TIE_ORDER, key=lambda k: (count[k], -_TIE_ORDER.index(k)))
        kano_class = (KANO_NAMES[best] if count[best] else "questionable" if count["Q"] else "no answers")
        base = count["A"] + count["O"] + count["M"] + count["I"]
        records.append({"feature": feature, **count, "n": int(both.sum()), "kano_class": kano_class,
                        "better": (count["A"] + count["O"]) / base if base else np.nan,
                        "worse": -(count["O"] + count["M"]) / base if base else np.nan})
    if not any(r["n"] for r in records):
        raise ValueError(f"No answer pair is readable; answers should be {list(KANO_ANSWERS)} or codes 1–5 (1 = like "
                         f"… 5 = dislike). Not understood: {not_understood}.")
    result = pd.DataFrame(records, columns=QUESTIONNAIRE_COLUMNS)
    result.attrs.update(not_understood=not_understood,
                        method="Kano evaluation table (Berger et al. 1993); Better = (A+O)/(A+O+M+I), "
                               "Worse = −(O+M)/(A+O+M+I).")
    return result
