import EngineCore
import Model

/// The `fp32 | bf16 | auto` choice of an inference pass's precision (ppo's `rollout_precision` and `scoring_precision`,
/// evaluate's `sampling_precision`).
enum InferencePrecisionParam {
    /// The choices, in the order the params list them.
    static let choices = ["fp32", "bf16", "auto"]

    /// A precision param named `name`, default fp32, for `pass` (e.g. "rollout sampling"), then `rest` of its summary.
    static func param(_ name: String, pass: String, _ rest: String) -> Param<String> {
        Param.choice(name, default: "fp32", among: choices,
                     "precision of \(pass): fp32, bf16 (fp32 on CPUs without AVX-512 BF16) or auto (bf16 where the CPU has it); \(rest)")
    }

    /// The precision a choice names (`auto`: what is fastest on this CPU).
    static func resolve(_ choice: String) -> InferencePrecision {
        switch choice {
        case "bf16": return .bf16
        case "auto": return .fastest
        default: return .fp32
        }
    }
}
