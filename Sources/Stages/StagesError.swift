/// Every error a built-in stage reports, with the node, file or parameter needed to fix it.
public enum StagesError: Error, Equatable, CustomStringConvertible {
    /// A node parameter has a bad value; `param` is its name under `params`.
    case invalidParam(node: String, param: String, message: String)
    /// A required input role is missing, or two roles that exclude each other are both given.
    case invalidInputs(node: String, message: String)
    /// An input file has bad content; `path` names it and `message` says where and what.
    case badInput(path: String, message: String)
    /// A data file failed validation; the text lists every bad line as `file:line: field: message`.
    case invalidData(String)
    /// Training diverged or produced nothing usable.
    case trainingFailed(node: String, message: String)
    /// The build was interrupted while the stage ran.
    case cancelled(node: String)
    /// A judge failed: a command judge crashed, timed out, skipped ids or wrote malformed lines.
    case judgeFailed(node: String, judge: String, message: String)
    /// A gate cannot tell the data format of input `role` from its name, and `params.formats` does not say it.
    case unknownFormat(node: String, role: String)
    /// A metrics or eval artifact lacks a figure a gate needs.
    case missingFigure(file: String, figure: String, hint: String)
    /// An artifact is present but malformed (bad JSON, wrong type), at `line` when known.
    case malformed(file: String, line: Int?, message: String)

    /// A one-line explanation that names the input and says what to do.
    public var description: String {
        switch self {
        case let .invalidParam(node, param, message):
            return "node '\(node)': param '\(param)' \(message)"
        case let .invalidInputs(node, message):
            return "node '\(node)': \(message)"
        case let .badInput(path, message):
            return "\(path): \(message)"
        case let .invalidData(text):
            return text
        case let .trainingFailed(node, message):
            return "node '\(node)': training failed: \(message)"
        case let .judgeFailed(node, judge, message):
            return "node '\(node)': \(judge) judge: \(message)"
        case let .cancelled(node):
            return "node '\(node)': interrupted; the next build reruns it"
        case let .unknownFormat(node, role):
            return "node '\(node)': cannot tell the format of input '\(role)'; name the role after its format "
                + "(sft…, pref…, prompts…/eval…/ppo…) or add params.formats.\(role) = \"sft\" | \"preferences\" | \"prompts\""
        case let .missingFigure(file, figure, hint):
            return "\(file): no \(figure) found; \(hint)"
        case let .malformed(file, line, message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }
}
