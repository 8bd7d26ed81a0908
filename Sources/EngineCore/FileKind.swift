/// The `file` kind: a source file or directory, tracked by content.
/// It never runs; the executor hashes `params.path` and records it as the node's one output. A path outside
/// the workspace (absolute, or climbing with `..`) is allowed only with `params.external` true.
public struct FileKind: StageKind {
    /// The name of a file node's single output.
    public static let outputName = "file"
    /// `file`.
    public let name = "file"
    /// Version 1.
    public let version = 1
    /// `path`: the source path; `external`: whether it may lie outside the workspace.
    public let params = [ParamSpec("path", .string, required: true, summary: "source file or directory, workspace-relative (absolute only with external)"),
                         ParamSpec("external", .bool, default: .value(.bool(false)), summary: "true lets path point outside the workspace (absolute or with '..')")]
    /// Tracks a source.
    public let summary = "a source file or directory, tracked by content (outside the workspace only with external: true)"
    /// No inputs.
    public let inputs: [InputSpec]? = []
    /// The one output, `file`.
    public let outputs: [String]? = [FileKind.outputName]

    /// Creates the kind.
    public init() {}

    /// Sources are not produced; the executor handles `file` nodes without calling this.
    public func run(_ context: StageContext) throws {}
}
