"""Texts cut into the customer's own sentences and contrast clauses, and the polarity of a scored sentence."""
from __future__ import annotations

import numpy as np
import pandas as pd

POLARITY_THRESHOLD = 0.05  # VADER's convention: compound >= 0.05 is positive, <= -0.05 negative
# Speaker labels at the start of a turn, before ":" or the full-width "：" of Chinese exports (顾客：…).
CUSTOMER_SPEAKERS = ("customer", "caller", "client", "user",  # prefixes stripped, the turn kept
                     "顾客", "客户", "买家", "用户", "来电人", "来电", "访客", "会员")
AGENT_SPEAKERS = ("agent", "representative", "rep", "advisor", "operator", "bot", "note",  # turns dropped
                  "客服", "人工客服", "智能客服", "坐席", "商家回复", "商家", "卖家", "店家", "掌柜", "机器人", "系统",
                  "备注")

# The patterns avoid \s and lookarounds so that pandas runs them in pyarrow (RE2), about 10× faster than
# Python's re on Arrow strings. _MARK (a control character no text contains) marks every cut.
_MARK = "\x1e"
_BLANK = "[ \t\u00a0]"
_TURNS = f"{_BLANK}+\\|{_BLANK}+|{_BLANK}*[\r\n]+{_BLANK}*"
_AGENT_TURN = f"(?i){_MARK}{_BLANK}*(?:{'|'.join(AGENT_SPEAKERS)}){_BLANK}*[:：][^{_MARK}]*"
_CUSTOMER_PREFIX = f"(?i){_MARK}{_BLANK}*(?:{'|'.join(CUSTOMER_SPEAKERS)}){_BLANK}*[:：]{_BLANK}*"
_SENTENCE_END = f"([.!?]+){_BLANK}+|([。！？]+)"
# English connectors need blanks around them (so "butter" stays whole). Chinese has no blanks: a connector cuts
# after a comma (the bare 但 not in 但愿 / 但凡: the character after it is put back), and 但是, which means nothing
# else, also without one (not in 不但是 / 非但是: the character before it is put back).
_CONTRAST = (f"(?i),?{_BLANK}+(?:but|although|though){_BLANK}+|[;,]?{_BLANK}+however,?{_BLANK}+"
             f"|[，,；;]{_BLANK}*(?:但是|然而|可是|不过|只是|但([^愿凡]|$))|([^不非，,；;{_MARK}])但是")


def split_sentences(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence or contrast clause the customer wrote.

    Texts are cut at sentence ends (``. ! ?`` and ``。！？``), line breaks, chat turns (``" | "``) and
    contrast connectors (but, although, though, however; ，但是 ，不过 ，可是 ，只是 ，然而 ，但), so "great
    quality but the delivery was a disaster" gives two clauses, and so does "质量很好，但是物流太慢". Turns by
    an agent ("Agent: …", "客服：…", and agents' "Note: …" / "备注：…") are dropped, customer prefixes
    ("Customer:", "Caller:", "顾客：", "客户：") stripped. Empty texts give no rows.

    Parameters
    ----------
    rows : DataFrame
        ``record_id`` and ``text``.

    Returns
    -------
    DataFrame
        ``record_id``, ``sentence_no`` (0-based within the text) and ``sentence``.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": ["a"], "text": ["Customer: great quality but it came late | Agent: Sorry!"]})
    >>> split_sentences(rows)["sentence"].tolist()
    ['great quality', 'it came late']
    >>> rows = pd.DataFrame({"record_id": ["b"], "text": ["顾客：质量很好，但是发货太慢了 | 客服：抱歉！"]})
    >>> split_sentences(rows)["sentence"].tolist()
    ['质量很好', '发货太慢了']
    """
    missing = [c for c in ("record_id", "text") if c not in rows.columns]
    if missing:
        raise ValueError(f"Splitting texts into sentences needs the columns {missing}; map a text column on "
                         "the Data page.")
    text = rows["text"].astype("str")
    marked = (_MARK + text).str.replace(_TURNS, _MARK, regex=True)
    marked = marked.str.replace(_AGENT_TURN, "", regex=True).str.replace(_CUSTOMER_PREFIX, _MARK, regex=True)
    marked = marked.str.replace(_SENTENCE_END, rf"\1\2{_MARK}", regex=True)
    marked = marked.str.replace(_CONTRAST, rf"\2{_MARK}\1", regex=True)
    pieces = pd.DataFrame({"record_id": rows["record_id"].to_numpy(), "sentence": marked.str.split(_MARK).to_numpy()})
    long = pieces[text.notna().to_numpy()].explode("sentence", ignore_index=True)
    long["sentence"] = long["sentence"].astype("str").str.strip(" \t\u00a0,;:，；：、")
    long = long[long["sentence"].str.contains(r"\w", regex=True).fillna(False).to_numpy()].reset_index(drop=True)
    long.insert(1, "sentence_no", long.groupby("record_id", sort=False).cumcount().astype(int))
    return long


def sentence_polarity(compound: pd.Series) -> pd.Series:
    """+1, 0 or −1 per sentence: compound ≥ 0.05 is positive, ≤ −0.05 negative; unscored (NaN) counts as 0.

    Examples
    --------
    >>> sentence_polarity(pd.Series([0.6, 0.01, -0.05, np.nan])).tolist()
    [1, 0, -1, 0]
    """
    values = pd.to_numeric(compound, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    polarity = np.select([values >= POLARITY_THRESHOLD, values <= -POLARITY_THRESHOLD], [1, -1], 0)
    return pd.Series(polarity.astype(int), index=compound.index, name="polarity")
