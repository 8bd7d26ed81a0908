import Engine
import Stages

/// The node kinds the CLI offers: the engine's built-in `file` and `command`, plus the ML stages.
enum KindRegistry {
    /// Every kind a pipeline may use.
    static var all: StageRegistry {
        StageRegistry.builtIn.adding(StageKinds.all)
    }
}
