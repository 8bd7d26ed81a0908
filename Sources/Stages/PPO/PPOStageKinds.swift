import Engine

/// The node kinds of issue 5, to add to the registry: `StageRegistry.builtIn.adding(... + ppoStageKinds)`.
public let ppoStageKinds: [any StageKind] = [PPOKind(), EvaluateKind()]
