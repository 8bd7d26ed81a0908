import ArgumentParser
import Engine
import EngineCore
import Foundation

/// Flags shared by every command that works on a workspace.
struct WorkspaceOptions: ParsableArguments {
    /// The workspace root.
    @Option(name: [.customShort("C"), .customLong("workspace")], help: "Workspace root (holds pipeline.json and .rlhf/).")
    var workspace: String = "."

    /// The pipeline file, relative to the workspace.
    @Option(help: "Pipeline file, relative to the workspace.")
    var pipeline: String = "pipeline.json"

    /// Seeds to replicate the seeded nodes over, replacing the file's `"replicate"` seeds.
    @Option(help: ArgumentHelp("Replicate the seeded nodes once per seed (as \"replicate\": {\"seeds\": [...]} in the pipeline would), e.g. 11,22,33.",
                               valueName: "SEED,SEED,…"))
    var seeds: String?

    /// The `--seeds` list, or nil when not given; a clear error for anything but comma-separated non-negative integers.
    func seedList() throws -> [UInt64]? {
        guard let seeds else { return nil }
        return try seeds.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)), seed <= UInt64(Int64.max) else {
                throw ValidationError("--seeds: '\(text)' is not a non-negative integer; write e.g. --seeds 11,22,33")
            }
            return seed
        }
    }

    /// The pipeline loader, replicating over `--seeds` when given.
    func loader() throws -> PipelineLoader {
        PipelineLoader(registry: KindRegistry.all, seeds: try seedList())
    }

    /// The opened workspace; refuses a directory that has neither the pipeline file nor `.rlhf/`.
    /// `readOnly` (or a workspace this user cannot write) opens the catalog read-only and creates
    /// nothing. Warnings (a lost catalog) go to stderr.
    func open(readOnly: Bool = false) throws -> Workspace {
        let root = URL(fileURLWithPath: workspace)
        let pipelinePath = pipeline.hasPrefix("/") ? pipeline : root.path + "/" + pipeline
        guard FileManager.default.fileExists(atPath: pipelinePath) || FileManager.default.fileExists(atPath: root.path + "/.rlhf") else {
            throw EngineError.notFound(what: "workspace (\(pipeline) or .rlhf/) in \(root.standardizedFileURL.path)",
                                       hint: "run from the workspace root, or pass -C <workspace>")
        }
        let state = root.path + "/.rlhf"
        let writable = access(FileManager.default.fileExists(atPath: state) ? state : root.path, W_OK) == 0
        let opened = try Workspace(root: root, readOnly: readOnly || !writable)
        for warning in opened.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return opened
    }

    /// The validated pipeline when the workspace has a pipeline file, else nil.
    func pipelineIfPresent(_ workspace: Workspace) throws -> Pipeline? {
        FileManager.default.fileExists(atPath: pipelinePath(workspace)) ? try loadPipeline(workspace) : nil
    }

    /// The validated pipeline.
    func loadPipeline(_ workspace: Workspace) throws -> Pipeline {
        try loader().load(path: pipelinePath(workspace))
    }

    /// The experiment a catalog query is about: `named` if given, else the loaded pipeline's
    /// experiment, else nil (every experiment) when the workspace has no pipeline file.
    func experiment(_ workspace: Workspace, named: String?) throws -> String? {
        if let named { return named }
        guard FileManager.default.fileExists(atPath: pipelinePath(workspace)) else { return nil }
        return try loadPipeline(workspace).experiment
    }

    /// The pipeline file's absolute path.
    func pipelinePath(_ workspace: Workspace) -> String {
        pipeline.hasPrefix("/") ? pipeline : workspace.root.path + "/" + pipeline
    }
}

/// JSON printing shared by the `--json` flags.
enum JSONOutput {
    /// Prints `value` as sorted, pretty JSON.
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// Prints rows as left-aligned columns under a header.
enum TextTable {
    /// Renders `rows` under `headers`.
    static func print(_ headers: [String], _ rows: [[String]]) {
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [headers] + rows {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}
