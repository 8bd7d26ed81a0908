/// One adapted projection: where its A and B live in the adapter buffer.
struct LoRAModule {
    /// Block index.
    let layer: Int
    /// Adapted projection.
    let target: LoRATarget
    /// Offset of A (r, inputs) in the adapter buffer.
    let a: Int
    /// Offset of B (outputs, r) in the adapter buffer.
    let b: Int
    /// Input width (columns of A).
    let inputs: Int
    /// Output width (rows of B).
    let outputs: Int
}

/// Named slices of an adapter's one contiguous buffer, with PEFT's tensor names.
///
/// Ordered by block, then projection (q, k, v, o, gate, up, down), then A before B, so a block's adapters
/// are adjacent. Names are those of `adapter_model.safetensors`, e.g.
/// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`.
public struct LoRALayout: Sendable {
    /// All A and B tensors in buffer order.
    public let slices: [ParameterSlice]
    /// Total number of adapter parameters.
    public let count: Int
    /// Every adapted projection, in buffer order.
    let modules: [LoRAModule]
    /// Per block, per `LoRATarget.allCases` index: the index into `modules`, or nil when not adapted.
    private let moduleIndex: [[Int?]]

    /// The PEFT tensor name prefix in front of a base model's HF names.
    public static let namePrefix = "base_model.model."

    /// Builds the layout of an adapter with `lora` on a model with `config`.
    public init(lora: LoRAConfig, config c: LlamaConfig) {
        var slices: [ParameterSlice] = []
        var modules: [LoRAModule] = []
        var index: [[Int?]] = []
        var offset = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let s = ParameterSlice(name: name, shape: shape, offset: offset, decays: true)
            slices.append(s)
            offset += s.count
            return s.offset
        }
        for l in 0..<c.numHiddenLayers {
            var row = [Int?](repeating: nil, count: LoRATarget.allCases.count)
            for t in lora.targets {
                let (inputs, outputs) = t.shape(c)
                let stem = "\(Self.namePrefix)model.layers.\(l).\(t.modulePath)"
                let a = add("\(stem).lora_A.weight", [lora.rank, inputs])
                let b = add("\(stem).lora_B.weight", [outputs, lora.rank])
                row[LoRATarget.allCases.firstIndex(of: t)!] = modules.count
                modules.append(LoRAModule(layer: l, target: t, a: a, b: b, inputs: inputs, outputs: outputs))
            }
            index.append(row)
        }
        self.slices = slices
        self.modules = modules
        moduleIndex = index
        count = offset
    }

    /// Index into `modules` of the adapter on `target` in block `layer`, or nil.
    func module(layer: Int, target: LoRATarget) -> Int? {
        moduleIndex[layer][LoRATarget.allCases.firstIndex(of: target)!]
    }

    /// The lowest block with an adapter, or nil for an empty layout.
    var lowestLayer: Int? { modules.first?.layer }
}
