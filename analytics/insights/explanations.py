"""Which words drove one prediction, as a table in text order (scores from ``models.explain``)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# Words that move the probability by less than this are reported as "neutral".
NEUTRAL_BELOW = 0.01


def checked_word_scores(words: Sequence[str], scores: Sequence[float]) -> tuple[list[str], np.ndarray]:
    """Words as strings and scores as floats, refusing lists of different lengths."""
    words = [str(w) for w in words]
    values = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(words) != len(values):
        raise ValueError(f"Got {len(words)} words but {len(values)} scores; pass one score per word.")
    return words, values


def highlighted_words_frame(
    words: Sequence[str], scores: Sequence[float], *, neutral_below: float = NEUTRAL_BELOW
) -> pd.DataFrame:
    """The words in text order with their ``score`` and ``effect``: towards / away / neutral.

    ``effect`` is ``"neutral"`` when ``|score| < neutral_below``, otherwise the sign decides.

    Examples
    --------
    >>> highlighted_words_frame(["great", "app", "sadly"], [0.7, 0.001, -0.2])["effect"].tolist()
    ['towards', 'neutral', 'away']
    """
    words, values = checked_word_scores(words, scores)
    effect = np.where(values >= 0, "towards", "away").astype(object)
    effect[np.abs(values) < neutral_below] = "neutral"
    return pd.DataFrame(
        {
            "word": pd.Series(words, dtype="object"),
            "score": values,
            "effect": pd.Series(effect, dtype="object"),
        }
    )
