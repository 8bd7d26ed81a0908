import EngineCore

/// The node kinds this module implements, for `StageRegistry.builtIn.adding(StageKinds.all)`.
public enum StageKinds {
    /// Every ML stage kind of this module: `synth.*`, `pretrain`, `import`, `probe`, `sft`, `preferences`,
    /// `reward_model`, `ppo`, `evaluate` and the `gate.*` quality gates (the `report` kind is the `Report` module's).
    public static var all: [any StageKind] {
        [SynthWorldKind()] + SynthSet.allCases.map { SynthKind(set: $0) } + [SynthHeldoutPromptsKind(),
            PretrainKind(), ImportKind(), ProbeKind(), SFTKind(), PreferencesKind(), RewardModelKind(),
        ] + ppoStageKinds + GateKinds.all
    }

    /// The engine's built-in kinds plus these.
    public static var registry: StageRegistry {
        StageRegistry.builtIn.adding(all)
    }
}
