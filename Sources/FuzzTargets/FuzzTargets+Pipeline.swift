import EngineCore
import Foundation
import Stages

extension FuzzTargets {
    /// The kinds `rlhf` registers apart from `report` (the Report module's), so node params are validated as at load.
    private static let registry = StageKinds.registry

    /// `pipeline.json` text through the loader's parser and validator.
    static let pipeline = FuzzTarget("pipeline", "pipeline.json bytes, parsed and validated as `rlhf build` loads them") { data in
        _ = try PipelineLoader(registry: registry).parse(bytes: Array(data), file: "pipeline.json")
    }
}
