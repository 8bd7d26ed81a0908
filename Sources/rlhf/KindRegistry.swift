import EngineCore
import Report
import Stages

/// The node kinds the CLI offers: the engine's built-in `file` and `command`, plus the ML stages and the report.
enum KindRegistry {
    /// Every kind a pipeline may use.
    static var all: StageRegistry {
        StageRegistry.builtIn.adding(StageKinds.all + reportStageKinds)
    }
}
