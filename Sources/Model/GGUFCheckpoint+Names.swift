/// llama.cpp tensor names ↔ Hugging Face LlamaForCausalLM names.
extension GGUFCheckpoint {
    /// Per-block names: llama.cpp suffix after `blk.N.` → HF suffix after `model.layers.N.`.
    static let blockNames: [(gguf: String, hf: String)] = [
        ("attn_norm.weight", "input_layernorm.weight"),
        ("attn_q.weight", "self_attn.q_proj.weight"),
        ("attn_k.weight", "self_attn.k_proj.weight"),
        ("attn_v.weight", "self_attn.v_proj.weight"),
        ("attn_output.weight", "self_attn.o_proj.weight"),
        ("ffn_norm.weight", "post_attention_layernorm.weight"),
        ("ffn_gate.weight", "mlp.gate_proj.weight"),
        ("ffn_up.weight", "mlp.up_proj.weight"),
        ("ffn_down.weight", "mlp.down_proj.weight"),
    ]

    /// Whole-model names: llama.cpp → HF.
    static let globalNames: [(gguf: String, hf: String)] = [
        ("token_embd.weight", "model.embed_tokens.weight"),
        ("output_norm.weight", "model.norm.weight"),
        ("output.weight", "lm_head.weight"),
    ]

    /// The HF name of llama.cpp tensor `name`, or nil when it has none.
    static func hfName(_ name: String) -> String? {
        if let pair = globalNames.first(where: { $0.gguf == name }) { return pair.hf }
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0,
              let pair = blockNames.first(where: { $0.gguf == parts[2] }) else { return nil }
        return "model.layers.\(layer).\(pair.hf)"
    }

    /// The llama.cpp name of HF tensor `name` (every name of a causal-LM layout has one).
    static func ggufName(_ name: String) -> String {
        if let pair = globalNames.first(where: { $0.hf == name }) { return pair.gguf }
        let parts = name.split(separator: ".", maxSplits: 3)
        if parts.count == 4, parts[0] == "model", parts[1] == "layers",
           let pair = blockNames.first(where: { $0.hf == parts[3] }) {
            return "blk.\(parts[2]).\(pair.gguf)"
        }
        return name
    }
}
