/// What a build did with a node whose outputs a catalog view shows.
public enum BuildAction: String, Sendable, Codable {
    /// The node ran in this build.
    case built
    /// The node's outputs were served from an earlier run with the same key in this build.
    case reused
    /// The node's outputs were already current; this build did nothing with it.
    case upToDate = "up to date"
}

/// One node's current run as a catalog view shows it.
public struct NodeRun: Sendable {
    /// Node name.
    public var node: String
    /// The run whose outputs the node's paths hold (its head); metric points only for `command` runs.
    public var detail: RunDetail
    /// What the build that made the view did with the node (`upToDate` outside a build).
    public var action: BuildAction

    /// Creates an entry.
    public init(node: String, detail: RunDetail, action: BuildAction) {
        self.node = node
        self.detail = detail
        self.action = action
    }

    /// The run id.
    public var runId: Int64 { detail.run.id ?? 0 }
}

/// A read-only view of the catalog for one node of kind `readsCatalog`: the pipeline, its
/// definition hash and the current run of every node upstream of the viewer, which are settled
/// when the viewer runs.
///
/// Everything a run id fixes (status, outputs, inputs, verdicts) never changes, so `keyFacts` (the
/// pipeline hash plus each upstream run id and the gate overrides recorded on it) enters the
/// viewer's node key: a change in what the view shows reruns the viewer, and a build that changes
/// nothing leaves it up to date. `action` is deliberately not in the key; it tells what the build
/// that ran the viewer did.
public struct CatalogView: Sendable {
    /// The node that sees the view.
    public var viewer: String
    /// The whole pipeline (names, kinds, edges and output paths of every node).
    public var pipeline: Pipeline
    /// `Pipeline.definitionHash` of `pipeline`.
    public var pipelineHash: String
    /// Current run of every node upstream of the viewer, by node name.
    public var runs: [String: NodeRun]

    /// Creates a view.
    public init(viewer: String, pipeline: Pipeline, runs: [String: NodeRun]) {
        self.viewer = viewer
        self.pipeline = pipeline
        self.pipelineHash = pipeline.definitionHash.hex
        self.runs = runs
    }

    /// The facts that enter the viewer's key: pipeline hash, and per upstream node its run id and recorded overrides.
    public var keyFacts: JSONValue {
        .object([
            "pipeline": .string(pipelineHash),
            "runs": .object(runs.mapValues { entry -> JSONValue in
                .object(["run": .int(entry.runId),
                         "overrides": .array(entry.detail.overrides.map { "\($0.gateNode)@\($0.gateRun)" }.sorted().map(JSONValue.string))])
            }),
        ])
    }

    /// Hash of `keyFacts`.
    public var keyHash: ContentHash {
        ContentHash.of(bytes: keyFacts.canonicalBytes)
    }
}
