"""The linear models are real registry models: saved, loaded in a fresh process and scored to the same labels."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models.best_of import fit_linear_candidate
from models.labels import prepare_training_data
from models.linear import LINEAR_FILE, TINY_ENCODER
from models.registry import ModelMeta, load_model, save_linear_model
from models.training import split_for

from .conftest import TINY_CONFIG

PROJECT = Path(__file__).resolve().parents[2]
PROBE = ["the delivery was great", "", "awful staff, I hate it", "I love the app", "terrible phone " * 50]


@pytest.fixture(scope="module", params=["tfidf_logreg", "embedding_logreg"])
def saved(request, tmp_path_factory, toy_data, cpu):
    texts, labels = toy_data
    data = prepare_training_data(texts, labels)
    candidate = fit_linear_candidate(request.param, data, split_for(data, TINY_CONFIG), device=cpu, seed=0,
                                     encoder_name=TINY_ENCODER, max_length=32)
    folder = tmp_path_factory.mktemp("linear") / request.param
    meta = ModelMeta(task="sentiment", labels=data.classes, kind=request.param, temperature=candidate.temperature)
    save_linear_model(candidate.model, folder, meta=meta)
    return folder, candidate


def test_a_fresh_process_scores_to_the_same_labels(saved, cpu):
    folder, candidate = saved
    here = candidate.model.predict(PROBE, temperature=candidate.temperature, device=cpu)
    script = ("import json, sys; from models.tasks import score_texts; "
              f"frame = score_texts(sys.argv[1], {PROBE!r}, device='cpu'); "
              "print(json.dumps({'labels': frame['label'].tolist(), "
              "'proba': frame[[c for c in frame if c.startswith('proba_')]].to_numpy().tolist()}))")
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, cwd=PROJECT,
                          env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    there = json.loads(done.stdout.strip().splitlines()[-1])
    assert there["labels"] == [None if v is None else str(v) for v in here.labels]
    np.testing.assert_allclose(np.asarray(there["proba"]), here.proba, atol=1e-6)
    assert there["labels"][1] is None  # empty text: no label


def test_the_linear_models_learn_the_toy_task(saved):
    folder, candidate = saved
    if candidate.kind == "tfidf_logreg":  # the tiny random encoder carries little signal; TF-IDF must learn it
        assert candidate.report.macro_f1 >= 0.9
    assert load_model(folder).model.classes == ("negative", "positive")
    assert candidate.details["C"] > 0


def test_a_damaged_linear_folder_is_reported_not_raised(saved, tmp_path):
    folder, _ = saved
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "gapsight.json").write_text((folder / "gapsight.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match=f"no {LINEAR_FILE}"):
        load_model(broken)
    (broken / LINEAR_FILE).write_bytes(b"not a joblib file")
    with pytest.raises(ValueError, match="loading failed"):
        load_model(broken)


def test_a_card_must_describe_its_model(saved, tmp_path):
    _, candidate = saved
    wrong = ModelMeta(task="sentiment", labels=("negative", "positive"), kind="transformer")
    with pytest.raises(ValueError, match="does not describe"):
        save_linear_model(candidate.model, tmp_path / "m", meta=wrong)


def test_a_linear_model_explains_its_prediction_by_occlusion(saved):
    from models.explain import explain_occlusion

    _, candidate = saved
    if candidate.kind != "tfidf_logreg":
        pytest.skip("the tiny random encoder's embeddings carry no sentiment words to find")
    explanation = explain_occlusion("honestly the delivery was awful", candidate.model.score_fn(),
                                    candidate.model.classes)
    assert explanation.target == "negative"
    assert explanation.words[int(np.argmax(explanation.scores))] == "awful"
