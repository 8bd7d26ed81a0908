import Foundation

/// Every error the engine reports, with enough context to name the file, node or path and the fix.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// `pipeline.json` is not valid JSON; `line` and `column` are 1-based.
    case invalidJSON(file: String, line: Int, column: Int, message: String)
    /// The pipeline parsed but has problems; every problem is listed with its JSON path.
    case invalidPipeline(file: String, issues: [ValidationIssue])
    /// A file system operation failed.
    case io(path: String, operation: String, errno: Int32)
    /// The catalog database failed.
    case catalog(String)
    /// Another build holds the workspace lock.
    case locked(pid: Int32, lockPath: String)
    /// A target, node, run or artifact named on the command line does not exist.
    case notFound(what: String, hint: String)
    /// A stage failed while running a node.
    case stageFailed(node: String, message: String)
    /// A source file declared by a `file` node is missing.
    case missingSource(node: String, path: String)
    /// The build was interrupted by a signal.
    case interrupted(signal: Int32)
    /// A path the engine would write or store is unsafe (outside the workspace, a symlink, NUL).
    case unsafePath(path: String, problem: String)
    /// A store object's bytes no longer match its name; it is never copied out.
    case corruptObject(hash: String, actual: String)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case let .invalidJSON(file, line, column, message):
            return "\(file):\(line):\(column): invalid JSON: \(message)"
        case let .invalidPipeline(file, issues):
            let lines = issues.map { "  \($0.path): \($0.message)" }
            return "\(file): \(issues.count) problem\(issues.count == 1 ? "" : "s"):\n" + lines.joined(separator: "\n")
        case let .io(path, operation, code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case let .catalog(message):
            return "catalog: \(message)"
        case let .locked(pid, lockPath):
            return "another rlhf build (pid \(pid)) holds the workspace lock \(lockPath); wait for it to finish or stop it"
        case let .notFound(what, hint):
            return "\(what) not found; \(hint)"
        case let .stageFailed(node, message):
            return "node \(node) failed: \(message)"
        case let .missingSource(node, path):
            return "node \(node): source \(path) does not exist; create it or fix params.path"
        case let .interrupted(signal):
            return "interrupted by signal \(signal)"
        case let .unsafePath(path, problem):
            return "refusing to write \(path): \(problem)"
        case let .corruptObject(hash, actual):
            return "store object .rlhf/objects/\(hash) is corrupt (its bytes hash to \(actual)); run `rlhf verify --repair`, then build again"
        }
    }
}

/// One problem found while validating a pipeline, located by its JSON path (e.g. `nodes.sft.inputs.data`).
public struct ValidationIssue: Equatable, Codable, Sendable {
    /// JSON path of the offending value.
    public var path: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an issue at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}
