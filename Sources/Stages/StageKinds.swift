import Engine

/// The node kinds this module implements, for `StageRegistry.builtIn.adding(StageKinds.all)`.
public enum StageKinds {
    /// Every built-in ML stage kind: `synth.*`, `pretrain`, `import`, `probe`, `sft`, `preferences`,
    /// `reward_model`, `ppo`, `evaluate`, `report` and the `gate.*` quality gates.
    public static var all: [any StageKind] {
        [SynthWorldKind()] + SynthSet.allCases.map { SynthKind(set: $0) } + [
            PretrainKind(), ImportKind(), ProbeKind(), SFTKind(), PreferencesKind(), RewardModelKind(),
        ] + ppoStageKinds + GateKinds.all + reportStageKinds
    }

    /// The engine's built-in kinds plus these.
    public static var registry: StageRegistry {
        StageRegistry.builtIn.adding(all)
    }
}
