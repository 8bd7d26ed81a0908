import EngineCore
import Model

/// The `lora` param of the training stages (sft, reward_model): train a LoRA adapter on a frozen base instead
/// of every weight.
///
/// `{"r": 16, "alpha": 32, "target_modules": ["q_proj", "v_proj"], "merge": false}`; absent, the stage trains
/// every weight. A stays Kaiming-uniform and B starts at zero, so the adapted model equals its base at step 0.
/// The output is a PEFT adapter directory (`adapter_config.json`, `adapter_model.safetensors`) that downstream
/// nodes take with the base in `<role>_base`, or with `merge` full weights with the adapter folded in.
struct LoRASpec: ParamDeclarations {
    /// Rank r.
    let rank = Param.integer("r", default: 16, in: 1...4096, "LoRA rank r (A is r×in, B is out×r)")
    /// Scale numerator.
    let alpha = Param.number("alpha", default: 32, in: 1e-6...1e6, "scale numerator: the update is (alpha/r)·B·A")
    /// Adapted projections.
    let targetModules = Param.strings("target_modules", default: LoRATarget.allCases.map(\.rawValue),
                                      among: LoRATarget.allCases.map(\.rawValue), "projections of every block that get an adapter")
    /// Merge into full weights.
    let merge = Param.flag("merge", default: false,
                           "write full weights with the adapter merged in instead of the PEFT adapter directory")
    /// Precision of the frozen base's products.
    let basePrecision = Param.choice("base_precision", default: "fp32", among: ["fp32", "bf16", "auto"],
                                     "the frozen base's forward and input-gradient products: fp32, or bf16 with fp32 accumulation "
                                     + "(AVX-512 BF16 only; auto picks bf16 where the CPU has it); adapters, norms, attention, "
                                     + "the loss and AdamW stay fp32")

    /// The declarations of the object keys.
    static let fields = LoRASpec()

    /// The `lora` param itself.
    static let param = Param.object("lora", fields: fields.specs, derived: "absent: every weight trains",
                                    "train a LoRA adapter on the frozen base: {\"r\", \"alpha\", \"target_modules\", \"merge\", "
                                    + "\"base_precision\"}")

    /// What a node's `lora` param asks for.
    struct Setting {
        /// Rank, alpha and targets.
        let config: LoRAConfig
        /// Whether the output is full weights with the adapter merged in.
        let merge: Bool
        /// Precision of the frozen base's products (auto already resolved for this CPU).
        var basePrecision: BasePrecision = .fp32
    }

    /// The node's LoRA setting, or nil when it trains every weight.
    static func read(_ params: Params) throws -> Setting? {
        guard params.isSet(param) else { return nil }
        let inner = Params(node: params.node, values: try params.value(param))
        do {
            let fields = Self.fields
            let targets = try inner.value(fields.targetModules).map { name -> LoRATarget in
                guard let target = LoRATarget(rawValue: name) else { throw inner.error(fields.targetModules, "has unknown \"\(name)\"") }
                return target
            }
            let config = LoRAConfig(rank: try inner.value(fields.rank), alpha: Float(try inner.value(fields.alpha)), targets: targets)
            return Setting(config: config, merge: try inner.value(fields.merge),
                           basePrecision: try basePrecision(inner.value(fields.basePrecision), inner))
        } catch let StagesError.invalidParam(_, field, message) {
            throw params.error(param, field: field, message)
        }
    }

    /// The precision `base_precision` names on this CPU: auto is bf16 where AVX-512 BF16 runs, else fp32; bf16
    /// on a CPU without it is an error rather than a silent fp32 run.
    private static func basePrecision(_ name: String, _ inner: Params) throws -> BasePrecision {
        switch name {
        case "auto": return BasePrecision.bf16.isSupported ? .bf16 : .fp32
        case "bf16":
            guard BasePrecision.bf16.isSupported else {
                throw inner.error(fields.basePrecision, "is \"bf16\", but this CPU has no AVX-512 BF16; use \"fp32\" or \"auto\" "
                                  + "(bf16 where the CPU has it)")
            }
            return .bf16
        default: return .fp32
        }
    }
}
