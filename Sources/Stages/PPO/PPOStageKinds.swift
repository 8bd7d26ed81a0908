import EngineCore

/// The PPO and evaluation node kinds (part of `StageKinds.all`).
public let ppoStageKinds: [any StageKind] = [PPOKind(), EvaluateKind(), AggregateKind()]
