"""Session-state keys and their defaults, in one place: pages read and write state through these names only."""
from __future__ import annotations

import streamlit as st

ACTIVE_DATASET = "active_dataset"
PENDING_DATASET = "pending_dataset"  # set by pages, applied before the picker is drawn
FILTERS_OF = "filters_of_dataset"
FILTER_DATES = "filter_dates"
FILTER_CATEGORIES = "filter_categories"
FILTER_CHANNELS = "filter_channels"
FILTER_PRODUCTS = "filter_products"
FILTER_SEGMENTATION = "filter_segmentation"  # id of the saved segmentation the segment filter uses, or ""
FILTER_SEGMENTS = "filter_segments"
SEGMENTATION_NAME = "filter_segmentation_name"  # its name, for the scope line
FILTERS_KEPT = "filters_kept"  # the filter widgets' values at the end of the last run (restored if dropped)
FILTER_NOTE = "filter_note"  # why the frame cleared a filter (its segmentation was deleted)
SEGMENT_RUN = "segment_run"  # the Segments page's last run: (dataset id, version, parameters) and results
RULES_RUN = "rules_run"  # the Associations page's last mined rules
ALERT_FOCUS = "alert_focus"  # the alert whose evidence the Forecast & alerts page opens on (set by the Overview)
GAP_FOCUS = "gap_focus"  # {source, by, group}: the gap whose verbatims the Expectation gap page opens on (once)
REC_FOCUS = "rec_focus"  # the rank of the action the Recommendations page opens on (set by the Overview)
REC_NAVIGATE = "rec_navigate"  # the page a followed action opens next (switch_page cannot run in a callback)
REC_EVALUATION = "rec_evaluation"  # (scope, HitRateResult) of the last offline evaluation
REC_TAB = "rec_tab"  # the open tab of the Recommendations page (only the open one runs)
GAP_PICK = "gap_pick"  # {by, group}: the bar, heatmap cell or month whose verbatims the Gaps tab shows
GAP_CUES_OF = "gap_cues_of"  # dataset id -> the cue phrases edited on the Expectation gap page
UPLOAD = "upload"  # the uploaded file copied to disk, with its profile and mapping
UPLOAD_ROUND = "upload_round"  # bumped after an import so that the file uploader starts empty
IMPORT_REPORT = "import_report"
MANAGE_DATASET = "manage_dataset"  # the dataset chosen under "Manage dataset" on the Data page
MANAGE_FOLLOWS = "manage_follows"  # the active dataset the Manage selector last followed
OVERVIEW_DRILL = "overview_drill"  # the clicked chart element whose verbatims the Overview lists
RELABEL_DONE = "relabel_done"  # the last relabel's message, shown after the rerun it triggers
CUTS_DONE = "cuts_done"  # likewise for saved rating cuts
TOPIC_LABELS_OF = "topics_labels_of"  # (dataset id, scheme) -> {"table", "threshold", "multi_label", "rev"}
TOPIC_K_OF = "topics_k_of"  # dataset id -> k submitted in the Discover form
TOPIC_RENAMES_OF = "topics_renames_of"  # (dataset id, version, k) -> {automatic name: new name}

# Page widgets whose choice should survive a visit to another page (Streamlit drops the state of
# widgets that are not drawn; re-assigning the key on every run keeps it).
PAGE_CHOICES = {"overview_period": "Last 90 days", "overview_query": "",
                "sentiment_query": ""}

DATA_PAGE = "pages/views/data.py"
OVERVIEW_PAGE = "pages/views/overview.py"
SENTIMENT_PAGE = "pages/views/sentiment.py"
MODELS_PAGE = "pages/views/models.py"
TOPICS_PAGE = "pages/views/topics.py"
SEGMENTS_PAGE = "pages/views/segments.py"
ASSOCIATIONS_PAGE = "pages/views/associations.py"
COMPARE_PAGE = "pages/views/compare.py"
FORECAST_PAGE = "pages/views/forecast.py"
GAP_PAGE = "pages/views/gap.py"
RECOMMENDATIONS_PAGE = "pages/views/recommendations.py"

# The navigation: section -> pages as (file, title, icon, url path). The page files live in
# pages/views/, out of Streamlit's legacy pages/*.py glob, which would otherwise run a file alone,
# without the frame, when a first request names it (/overview used to show "There is no dataset yet").
NAVIGATION: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "Overview": ((OVERVIEW_PAGE, "Overview", ":material/dashboard:", ""),),  # the default page lives at /
    "Analyze": ((GAP_PAGE, "Expectation gap", ":material/difference:", "gap"),
                (SENTIMENT_PAGE, "Sentiment", ":material/sentiment_satisfied:", "sentiment"),
                (TOPICS_PAGE, "Topics & intents", ":material/topic:", "topics"),
                (SEGMENTS_PAGE, "Segments", ":material/groups:", "segments"),
                (ASSOCIATIONS_PAGE, "Associations", ":material/hub:", "associations"),
                (COMPARE_PAGE, "Compare", ":material/compare_arrows:", "compare"),
                (FORECAST_PAGE, "Forecast & alerts", ":material/query_stats:", "forecast")),
    "Act": ((RECOMMENDATIONS_PAGE, "Recommendations", ":material/checklist:", "recommendations"),),
    "Manage": ((DATA_PAGE, "Data", ":material/database:", "data"),
               (MODELS_PAGE, "Models", ":material/model_training:", "models")),
}
# Other paths people bookmarked or guess, each leading to its page.
URL_ALIASES: dict[str, str] = {
    "overview": OVERVIEW_PAGE, "home": OVERVIEW_PAGE, "text-sentiment": SENTIMENT_PAGE,
    "topics-intents": TOPICS_PAGE, "intents": TOPICS_PAGE,
    "datasets": DATA_PAGE, "upload": DATA_PAGE, "model-registry": MODELS_PAGE,
    "segmentation": SEGMENTS_PAGE, "rfm": SEGMENTS_PAGE, "rules": ASSOCIATIONS_PAGE,
    "market-basket": ASSOCIATIONS_PAGE, "baskets": ASSOCIATIONS_PAGE, "ab-test": COMPARE_PAGE,
    "alerts": FORECAST_PAGE, "forecasts": FORECAST_PAGE, "expectation-gap": GAP_PAGE, "gaps": GAP_PAGE,
    "kano": GAP_PAGE, "importance-performance": GAP_PAGE, "actions": RECOMMENDATIONS_PAGE,
    "recommend": RECOMMENDATIONS_PAGE, "what-to-do": RECOMMENDATIONS_PAGE,
}
ALL_PAGES: tuple[str, ...] = tuple(page[0] for pages in NAVIGATION.values() for page in pages)


def init_state() -> None:
    """Create every session key with its default, once per browser session."""
    defaults = {ACTIVE_DATASET: None, PENDING_DATASET: None, FILTERS_OF: None, UPLOAD: None, UPLOAD_ROUND: 0,
                IMPORT_REPORT: None, SEGMENT_RUN: None, RULES_RUN: None, ALERT_FOCUS: None, GAP_FOCUS: None, GAP_PICK: None, REC_FOCUS: None,
                REC_NAVIGATE: None, REC_EVALUATION: None,
                GAP_CUES_OF: {}, FILTER_NOTE: "",
                TOPIC_LABELS_OF: {}, TOPIC_K_OF: {}, TOPIC_RENAMES_OF: {}}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    for key, default in PAGE_CHOICES.items():
        st.session_state[key] = st.session_state.get(key, default)
