"""List-valued category cells ("Fire Tablets,Tablets,Computers & Tablets") read as one category each."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

# Separators tried in this order; a breadcrumb ("Home > Kitchen > Kettles") names its most specific
# level last, a list ("Fire Tablets,Tablets,Computers & Tablets") first.
_SEPARATORS = ((">", "last"), ("|", "first"), (";", "first"), (",", "first"))
LIST_MIN_SHARE = 0.3  # of the sampled values must hold two or more parts


@dataclass(frozen=True)
class CategoryLists:
    """How list-valued category cells are read: which separator, and which part stands for the interaction."""

    separator: str
    keep: str  # "first" or "last"
    example: str  # one listed value from the sample, for the import report

    def pick(self, values: pd.Series) -> pd.Series:
        """The part each value stands for (values without the separator stay as they are; missing stays missing).

        >>> CategoryLists(",", "first", "").pick(pd.Series(["Fire Tablets,Tablets", "Toys"])).tolist()
        ['Fire Tablets', 'Toys']
        >>> CategoryLists(">", "last", "").pick(pd.Series(["Home > Kitchen > Kettles"])).tolist()
        ['Kettles']
        """
        def one(value: object) -> str | None:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                return None
            parts = [p.strip() for p in str(value).split(self.separator) if p.strip()]
            return (parts[0] if self.keep == "first" else parts[-1]) if parts else None

        return values.astype(object).map(one).astype(object)

    @property
    def note(self) -> str:
        """The sentence the import report and charts carry."""
        chosen = self.pick(pd.Series([self.example])).iloc[0]
        which = "first" if self.keep == "first" else "last (most specific)"
        return (f"Category values are lists (e.g. '{self.example}'): each interaction counts under the {which} "
                f"one ('{chosen}'); the full list stays in the source column.")


def detect_category_lists(sample: pd.Series) -> CategoryLists | None:
    """Whether category values are lists, judged on a sample; None when they are plain names.

    A value counts as a list when a separator splits it into two or more parts; the column is
    read as lists when at least :data:`LIST_MIN_SHARE` of the values are, and some part recurs in
    different values (so "Tools, Hardware" in a column of plain names is left alone).

    >>> detect_category_lists(pd.Series(["Fire Tablets,Tablets", "Kindle,Tablets", "Echo,Speakers"])).separator
    ','
    >>> detect_category_lists(pd.Series(["Garden", "Kitchen", "Tools, Hardware"])) is None
    True
    """
    values = sample.dropna().astype(str).str.strip()
    values = values[values != ""].drop_duplicates()
    if values.empty:
        return None
    for separator, keep in _SEPARATORS:
        split = values.map(lambda v, s=separator: [p.strip() for p in v.split(s) if p.strip()])
        listed = split[split.map(len) >= 2]
        if len(listed) < max(2, LIST_MIN_SHARE * len(values)):
            continue
        counts = Counter(part for parts in listed for part in set(parts))
        if any(n >= 2 for n in counts.values()):
            return CategoryLists(separator, keep, values[listed.index[0]])
    return None


def category_lists_note(dataset_meta: dict) -> str | None:
    """The import's sentence on list-valued categories, for the charts that show them (None when plain)."""
    return next((w for w in dataset_meta.get("plan_warnings", []) if w.startswith("Category values are lists")), None)
