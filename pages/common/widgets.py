"""Widgets every page draws the same way: downloads, progress bars, job cards, period switches, captions, deletes."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from analytics.export.names import file_slug
from analytics.export.tables import to_csv_bytes, to_parquet_bytes, to_xlsx_bytes
from analytics.store.database import DatasetInfo, Store
from analytics.store.model_rows import RegisteredModel, choose_model, model_origin, registered_models, serving_model
from analytics.store.predictions import LEXICON_MODEL_ID
from models.jobs import JobStatus, cancel_job

FREQUENCIES = {"Day": "D", "Week": "W", "Month": "M"}
# What Streamlit acts on even when escaped (the text already escaped): GFM autolinks ("http(s):", "www.", "@")
# and material icons (":material/…:", rewritten before Markdown parses it).
_UNESCAPABLE = re.compile(r"(?i)(?<=h)(?=ttps?\\:)|(?<=w)(?=ww\\\.)|(?<=@)|(?<=\\:)(?=material[/_])")


def download_buttons(frame: pd.DataFrame | Callable[[], pd.DataFrame], *, basename: str, key: str) -> None:
    """CSV, Excel and Parquet downloads of a frame (or of what a callable returns, built only on click).

    Spreadsheet formulas are neutralised in every format; ``basename`` (which may quote a dataset's name) is
    made a safe file name.
    """
    rows = frame if callable(frame) else (lambda: frame)
    basename = file_slug(basename, fallback="gapsight")
    formats = (("CSV", "csv", "text/csv", to_csv_bytes),
               ("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx_bytes),
               ("Parquet", "parquet", "application/vnd.apache.parquet", to_parquet_bytes))
    for column, (label, suffix, mime, encode) in zip(st.columns(len(formats)), formats):
        column.download_button(f"Download {label}", lambda encode=encode: encode(rows()),
                               file_name=f"{basename}.{suffix}", mime=mime, key=f"{key}_{suffix}", width="stretch",
                               on_click="ignore", icon=":material/download:")


class ProgressBar:
    """A progress bar with the two callbacks the core reports to.

    ``fraction(f, message)`` serves imports (0–1 and a message); ``count(done, total)`` serves
    scoring and embedding. With ``visible=False`` nothing shows until the first report, so work
    that turns out to be cached leaves no empty bar behind.
    """

    def __init__(self, text: str, *, visible: bool = True) -> None:
        self._text = text
        self._slot = st.empty()
        if visible:
            self._slot.progress(0.0, text=text)

    def fraction(self, value: float, message: str | None = None) -> None:
        """Show ``value`` (clipped to 0–1) with ``message`` (the core's words, which may quote file or column
        names: shown literally) or the bar's own text."""
        self._slot.progress(min(max(float(value), 0.0), 1.0), text=plain_label(message) if message else self._text)

    def count(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` items."""
        self.fraction(done / max(total, 1), f"{self._text} {done:,} of {total:,}")

    def empty(self) -> None:
        """Remove the bar once the work is done."""
        self._slot.empty()


def job_progress(job: JobStatus, *, key: str, note: str = "", cancel: bool = True) -> None:
    """Progress of a queued or running background job, with its Cancel button (note and message shown literally)."""
    text = " ".join(p for p in (note, job.message or "starting…") if p)
    st.progress(min(job.fraction, 1.0), text=plain_label(text))
    if cancel:
        st.button("Cancel", key=key, on_click=cancel_job, args=(job.job_id,))


def rerun_when_finished(jobs: Sequence[JobStatus | None]) -> None:
    """Rerun the whole page once a job has finished, so that the frame's sync imports its result."""
    if any(job is not None and not job.is_active and not job.synced for job in jobs):
        st.rerun()


def period_switch(label: str, *, key: str, default: str = "W", choices: str = "WM") -> str:
    """Day / Week / Month switch for trends (``choices`` among "DWM"), preset to ``default``; returns its letter."""
    names = [name for name, letter in FREQUENCIES.items() if letter in choices]
    preset = next(name for name, letter in FREQUENCIES.items() if letter == default)
    st.session_state.setdefault(key, preset)
    chosen = st.segmented_control(label, names, key=key) or preset
    return FREQUENCIES[chosen]


def scope_caption(info: DatasetInfo, filters_text: str, n: int, noun: str = "interactions",
                  extra: Sequence[str] = ()) -> None:
    """The "{dataset} · {filters} · n" line under a page title, plus page-specific facts (all shown literally:
    they hold the dataset's name, filter values and model names)."""
    st.caption(plain_label(" · ".join([info.name, filters_text, f"{n:,} {noun}", *extra])))


def confirmed_delete(what: str, *, key: str, button: str, primary: bool = False) -> bool:
    """A delete button that works only after a ticked confirmation; True when pressed."""
    sure = st.checkbox(what, key=key)
    return st.button(button, type="primary" if primary else "secondary", disabled=not sure,
                     icon=":material/delete:", key=f"{key}_button")


def model_picker(store: Store, info: DatasetInfo, task: str, *, baseline: str, label: str) -> RegisteredModel | None:
    """Which model serves ``task`` on this dataset (None: the baseline), each option saying where it came from.

    A model trained elsewhere serves this dataset only once it is picked here; the choice is kept
    per dataset. Nothing is drawn while no model of the task exists.
    """
    current = serving_model(store, info.id, task)
    models = registered_models(store, task=task)
    if not models:
        return current
    names = {LEXICON_MODEL_ID: baseline} | {m.model_id: f"{m.name} ({model_origin(store, m)})" for m in models}
    options = list(names)
    chosen = st.selectbox(label, options, index=options.index(current.model_id) if current else 0,
                          format_func=names.get, help="Models trained on another dataset serve this one only "
                          "once you pick them here; scoring then runs in the background.")
    if chosen != (current.model_id if current else LEXICON_MODEL_ID):
        choose_model(store, info.id, task, chosen)
        st.rerun()
    return current


def plain_label(text: str) -> str:
    r"""User text for anything Streamlit reads as Markdown (captions, alerts, labels, help, toasts, progress
    texts): every Markdown character escaped, so a product called "**[x](y)**" shows as written.

    Escapes cannot stop GFM's autolinks (Streamlit finds "https://…", "www.…" and "a@b.c" in the text after
    unescaping) nor ":material/…:" icons, so an invisible word joiner (U+2060) is put inside each of them.

    >>> print(plain_label("**[x](y)** :red[$1]"))
    \*\*\[x\]\(y\)\*\* \:red\[\$1\]
    >>> escaped = plain_label("https://evil.example :material/home:")
    >>> escaped == "h\u2060ttps\\://evil\\.example \\:\u2060material/home\\:"
    True
    """
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=])", r"\\\1", str(text))  # & and =: entities, setext headings
    return _UNESCAPABLE.sub("\u2060", escaped)
