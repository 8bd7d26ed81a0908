import EngineCore
import Report
import Stages

/// The node kinds the shipped pipelines use, as `rlhf` registers them: the engine's, the ML stages and the `report` kind.
package enum ShippedKinds {
    /// The registry.
    package static let registry = StageKinds.registry.adding(reportStageKinds)
}
