import EngineCore

/// The quality-gate node kinds (part of `StageKinds.all`).
public enum GateKinds {
    /// `gate.schema`, `gate.dedup`, `gate.eval_leak`, `gate.length_bias`, `gate.rm_quality`, `gate.ppo_guard`.
    public static let all: [any StageKind] = [
        SchemaGate(), DedupGate(), EvalLeakGate(), LengthBiasGate(), RMQualityGate(), PPOGuardGate(),
    ]
}
