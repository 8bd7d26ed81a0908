import Foundation

/// Every error a gate stage reports, naming the node, input, file or param and the fix.
public enum GateError: Error, Equatable, CustomStringConvertible {
    /// A param has the right JSON type but an unusable value.
    case invalidParam(node: String, name: String, message: String)
    /// An input role's data format cannot be told from its name and `params.formats` does not say it.
    case unknownFormat(node: String, role: String)
    /// A required input role is missing from the node.
    case missingInput(node: String, role: String)
    /// An input file or directory cannot be read at all.
    case unreadable(path: String, reason: String)
    /// A metrics or eval artifact lacks a figure the gate needs.
    case missingFigure(file: String, figure: String, hint: String)
    /// An artifact is present but malformed (bad JSON, wrong type).
    case malformed(file: String, line: Int?, message: String)

    /// A one-line message that says what is wrong and what to do.
    public var description: String {
        switch self {
        case let .invalidParam(node, name, message):
            return "node \(node): params.\(name): \(message)"
        case let .unknownFormat(node, role):
            return "node \(node): cannot tell the format of input '\(role)'; name the role after its format "
                + "(sft…, pref…, prompts…/eval…/ppo…) or add params.formats.\(role) = \"sft\" | \"preferences\" | \"prompts\""
        case let .missingInput(node, role):
            return "node \(node): missing input '\(role)'; add it under inputs"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .missingFigure(file, figure, hint):
            return "\(file): no \(figure) found; \(hint)"
        case let .malformed(file, line, message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }
}
