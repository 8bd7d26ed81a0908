"""Writes the GGUF fixtures of Tests/GGUFTests with the `gguf` Python package (llama.cpp's gguf-py).

Usage: bench/.venv/bin/python bench/make_gguf_fixture.py [--out Tests/GGUFTests/Fixtures]

- tiny.gguf: GGUF v3, alignment 64, metadata of every value type (nested arrays too), and one tensor
  of each type the reader dequantises (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K) plus a 3-D F32.
  tiny_expected.safetensors holds each tensor dequantised by `gguf.quants.dequantize`, under the same
  name and in HF shape order (outermost dimension first).
- tiny_v2.gguf: the same file with version 2 in the header (v2 and v3 differ only in big-endian support).
- tiny_llama.gguf: a 2-layer LLaMA in llama.cpp's layout (names, Q/K rows permuted as
  convert_hf_to_gguf.py does, tied embeddings, F32 and Q8_0 tensors, a small gpt2 BPE vocabulary and a
  chat template). tiny_llama_expected.safetensors holds the HF-named, HF-layout (un-permuted) weights,
  dequantised by gguf-py.
Deterministic: a fixed seed, so rerunning gives identical bytes.
"""
import argparse
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from safetensors.numpy import save_file

QK_K = 256


def random_k_blocks(rng, qtype, n_blocks):
    """Random K-quant blocks with finite, moderate f16 super-block scales (every other byte random)."""
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for b in range(n_blocks):
        scales = np.array([rng.uniform(0.001, 0.02), rng.uniform(0.001, 0.02)], dtype=np.float16).view(np.uint8)
        if qtype == Q.Q6_K:  # d is the last two bytes
            raw[b, -2:] = scales[:2]
        else:  # d, dmin are the first four bytes
            raw[b, :4] = scales
    return raw


def add(writer, expected, name, qtype, shape, data):
    """Adds `data` (already in the storage layout of qtype) and records its dequantisation."""
    if qtype in (Q.F32, Q.F16):
        writer.add_tensor(name, data)
        expected[name] = np.asarray(data, dtype=np.float32).reshape(shape)
    else:
        writer.add_tensor(name, data, raw_shape=data.shape, raw_dtype=qtype)
        expected[name] = gguf.quants.dequantize(data, qtype).astype(np.float32).reshape(shape)


def write_tiny(out, rng):
    path = os.path.join(out, "tiny.gguf")
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_custom_alignment(64)
    writer.add_uint8("test.u8", 200)
    writer.add_int8("test.i8", -100)
    writer.add_uint16("test.u16", 60000)
    writer.add_int16("test.i16", -30000)
    writer.add_uint32("test.u32", 4000000000)
    writer.add_int32("test.i32", -2000000000)
    writer.add_float32("test.f32", 1.5)
    writer.add_bool("test.bool", True)
    writer.add_string("test.string", "héllo wörld ✓")
    writer.add_uint64("test.u64", 2**63 + 5)
    writer.add_int64("test.i64", -(2**62))
    writer.add_float64("test.f64", -2.25e-300)
    writer.add_array("test.array.i32", [1, -2, 3])
    writer.add_array("test.array.string", ["a", "", "ccc"])
    writer.add_key_value("test.array.u8", [1, 2, 255], gguf.GGUFValueType.ARRAY, gguf.GGUFValueType.UINT8)
    writer.add_array("test.array.nested", [[1, 2], [3], [4, 5, 6]])
    writer.add_array("test.array.nested_strings", [["x", "y"], ["z"]])

    expected = {}
    normal = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    add(writer, expected, "f32", Q.F32, (3, 5), normal(3, 5))
    special = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, 3.0e-6, np.inf, -np.inf], np.float16)
    f16 = np.concatenate([special, normal(22).astype(np.float16)]).reshape(4, 8)
    add(writer, expected, "f16", Q.F16, (4, 8), f16)
    bf16 = gguf.quants.quantize(normal(2, 16), Q.BF16)
    add(writer, expected, "bf16", Q.BF16, (2, 16), bf16)
    for name, qtype in [("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0), ("q4_1", Q.Q4_1)]:
        add(writer, expected, name, qtype, (3, 64), gguf.quants.quantize(normal(3, 64), qtype))
    for name, qtype in [("q4_k", Q.Q4_K), ("q5_k", Q.Q5_K), ("q6_k", Q.Q6_K)]:
        blocks = random_k_blocks(rng, qtype, 4).reshape(2, -1)  # 2 rows of 512 elements
        add(writer, expected, name, qtype, (2, 2 * QK_K), blocks)
    add(writer, expected, "f32_3d", Q.F32, (2, 3, 4), normal(2, 3, 4))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    save_file(expected, os.path.join(out, "tiny_expected.safetensors"))
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[4:8] = (2).to_bytes(4, "little")
    with open(os.path.join(out, "tiny_v2.gguf"), "wb") as f:
        f.write(data)


def permute(w, n_head):
    """convert_hf_to_gguf.py's row permutation of q_proj/k_proj (HF rotate-half → interleaved pairs)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def write_tiny_llama(out, rng):
    hidden, ffn, layers, heads, kv_heads = 64, 96, 2, 4, 2
    head_dim = hidden // heads
    # A byte-level vocabulary: specials, the 256 byte symbols, then merged tokens.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    byte_alphabet = [chr(c) for _, c in sorted(zip(bs, cs))]
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r"]
    merged = ["Ġt", "he", "Ġthe", "in", "Ġa", "er"]
    tokens = specials + byte_alphabet + merged
    vocab = len(tokens)
    token_types = [3, 3, 3] + [1] * (vocab - 3)

    path = os.path.join(out, "tiny_llama.gguf")
    writer = gguf.GGUFWriter(path, arch="llama")
    writer.add_name("tiny llama fixture")
    writer.add_block_count(layers)
    writer.add_context_length(256)
    writer.add_embedding_length(hidden)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(100000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(vocab)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("smollm")
    writer.add_token_list(tokens)
    writer.add_token_types(token_types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_pad_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(False)
    writer.add_chat_template("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + "
                             "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
                             "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")

    expected = {}
    normal = lambda *shape: (0.1 * rng.standard_normal(shape)).astype(np.float32)

    def put(gguf_name, hf_name, w, qtype=Q.F32, permute_heads=None):
        stored = permute(w, permute_heads) if permute_heads else w
        if qtype == Q.F32:
            writer.add_tensor(gguf_name, stored)
            value = stored
        else:
            q = gguf.quants.quantize(stored, qtype)
            writer.add_tensor(gguf_name, q, raw_shape=q.shape, raw_dtype=qtype)
            value = gguf.quants.dequantize(q, qtype).reshape(stored.shape)
        # Expected: what the reader must give after un-permuting (HF layout).
        if permute_heads:
            n = permute_heads
            value = value.reshape(n, value.shape[0] // n // 2, 2, *value.shape[1:]).swapaxes(1, 2).reshape(value.shape)
        expected[hf_name] = np.ascontiguousarray(value, dtype=np.float32)

    put("token_embd.weight", "model.embed_tokens.weight", normal(vocab, hidden), Q.Q8_0)
    for i in range(layers):
        p, h = f"blk.{i}.", f"model.layers.{i}."
        put(p + "attn_norm.weight", h + "input_layernorm.weight", 1 + normal(hidden))
        put(p + "attn_q.weight", h + "self_attn.q_proj.weight", normal(hidden, hidden), Q.Q8_0, permute_heads=heads)
        put(p + "attn_k.weight", h + "self_attn.k_proj.weight", normal(kv_heads * head_dim, hidden), Q.Q8_0,
            permute_heads=kv_heads)
        put(p + "attn_v.weight", h + "self_attn.v_proj.weight", normal(kv_heads * head_dim, hidden), Q.Q8_0)
        put(p + "attn_output.weight", h + "self_attn.o_proj.weight", normal(hidden, hidden), Q.Q8_0)
        put(p + "ffn_norm.weight", h + "post_attention_layernorm.weight", 1 + normal(hidden))
        put(p + "ffn_gate.weight", h + "mlp.gate_proj.weight", normal(ffn, hidden), Q.Q8_0)
        put(p + "ffn_up.weight", h + "mlp.up_proj.weight", normal(ffn, hidden), Q.Q8_0)
        put(p + "ffn_down.weight", h + "mlp.down_proj.weight", normal(hidden, ffn), Q.Q8_0)
    put("output_norm.weight", "model.norm.weight", 1 + normal(hidden))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    save_file(expected, os.path.join(out, "tiny_llama_expected.safetensors"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="Tests/GGUFTests/Fixtures")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    write_tiny(a.out, np.random.default_rng(19))
    write_tiny_llama(a.out, np.random.default_rng(20))


if __name__ == "__main__":
    main()
