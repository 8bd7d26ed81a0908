import Engine

/// The node kinds the CLI offers: the engine's built-in `file` and `command`, plus the ML stages
/// (add `Stages`' kinds here with `StageRegistry.builtIn.adding([...])`).
enum KindRegistry {
    /// Every kind a pipeline may use.
    static var all: StageRegistry {
        StageRegistry.builtIn
    }
}
