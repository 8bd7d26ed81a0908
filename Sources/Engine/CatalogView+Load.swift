import EngineCore

extension CatalogView {
    /// The view `viewer` gets from `catalog` when `heads` are the current runs and `actions` says what
    /// the build did with each upstream node (missing: up to date). Upstream nodes without a head are left out;
    /// only `command` runs carry their metric points (an outside trainer's metrics, shown by the report).
    public static func load(viewer: String, pipeline: Pipeline, heads: [String: Int64], actions: [String: BuildAction] = [:],
                            catalog: Catalog) throws -> CatalogView {
        let upstream = pipeline.closure(of: [viewer]).filter { $0 != viewer }
        let runs = try catalog.read { db in
            try upstream.reduce(into: [String: NodeRun]()) { runs, name in
                guard let run = heads[name] else { return }
                let metrics = pipeline.nodes[name]?.kind == "command"
                runs[name] = NodeRun(node: name, detail: try Catalog.detail(db, run, metrics: metrics), action: actions[name] ?? .upToDate)
            }
        }
        return CatalogView(viewer: viewer, pipeline: pipeline, runs: runs)
    }
}
