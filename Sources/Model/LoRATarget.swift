/// A projection of a LLaMA block that a LoRA adapter can target, named as in PEFT's `target_modules`.
public enum LoRATarget: String, CaseIterable, Codable, Sendable {
    /// Attention query projection (C → NH·HD).
    case q = "q_proj"
    /// Attention key projection (C → NKV·HD).
    case k = "k_proj"
    /// Attention value projection (C → NKV·HD).
    case v = "v_proj"
    /// Attention output projection (NH·HD → C).
    case o = "o_proj"
    /// MLP gate projection (C → I).
    case gate = "gate_proj"
    /// MLP up projection (C → I).
    case up = "up_proj"
    /// MLP down projection (I → C).
    case down = "down_proj"

    /// The projections that read the input norm as one fused q|k|v product.
    static let attentionInput: [LoRATarget] = [.q, .k, .v]
    /// The projections that read the post-attention norm as one fused gate|up product.
    static let mlpInput: [LoRATarget] = [.gate, .up]

    /// Module path inside a block, e.g. `self_attn.q_proj`.
    var modulePath: String {
        switch self {
        case .q, .k, .v, .o: return "self_attn.\(rawValue)"
        case .gate, .up, .down: return "mlp.\(rawValue)"
        }
    }

    /// Input and output widths of the projection in a model of this config.
    func shape(_ c: LlamaConfig) -> (inputs: Int, outputs: Int) {
        let C = c.hiddenSize, QC = c.numAttentionHeads * c.headDim, KC = c.numKeyValueHeads * c.headDim
        switch self {
        case .q: return (C, QC)
        case .k, .v: return (C, KC)
        case .o: return (QC, C)
        case .gate, .up: return (C, c.intermediateSize)
        case .down: return (c.intermediateSize, C)
        }
    }

    /// First column of this projection's output inside its fused product row (q|k|v or gate|up).
    func fusedColumn(_ c: LlamaConfig) -> Int {
        let QC = c.numAttentionHeads * c.headDim, KC = c.numKeyValueHeads * c.headDim
        switch self {
        case .q, .o, .gate, .down: return 0
        case .k: return QC
        case .v: return QC + KC
        case .up: return c.intermediateSize
        }
    }

    /// Offset of this projection's base weight in the model's parameter buffer for block `w`.
    func baseOffset(_ w: LayerOffsets) -> Int {
        switch self {
        case .q: return w.q
        case .k: return w.k
        case .v: return w.v
        case .o: return w.o
        case .gate: return w.gate
        case .up: return w.up
        case .down: return w.down
        }
    }
}
