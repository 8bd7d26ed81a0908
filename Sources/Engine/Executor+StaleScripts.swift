import EngineCore
import Foundation

extension Executor {
    /// Warnings for `command` nodes whose `cmd` names a workspace file that is not one of their inputs: the key
    /// holds the command text, not the script's bytes, so an edit to the script would not rerun the node (and a
    /// shared cache would hand out results of the old script). One line per file, naming the fix.
    func staleScriptWarnings(nodes: [String]) -> [String] {
        var warnings: [String] = []
        for name in nodes {
            guard let node = pipeline.nodes[name], node.kind == CommandKind().name, let cmd = node.params["cmd"]?.stringValue else { continue }
            let inputPaths = Set(node.inputs.values.compactMap { pipeline.nodes[$0.node]?.outputs[$0.output] }.map(Self.normalised))
            let ownOutputs = Set(node.outputs.values.map(Self.normalised))
            for word in Self.pathLikeWords(in: cmd) {
                let relative = Self.normalised(word)
                guard !inputPaths.contains(relative), !ownOutputs.contains(relative),
                      case .file = FileHasher.kind(of: workspace.absolute(relative)) else { continue }
                warnings.append("warning: node \(name): cmd runs or reads \(relative), which is not one of its inputs; editing it will not rerun "
                    + "the node. Declare it as a file node and pass it as an input (\"inputs\": {\"script\": \"<file node>\"}) so its bytes enter the key")
            }
        }
        return warnings
    }

    /// Words of a shell command that may name a workspace file: no variables, options, URLs or absolute paths.
    static func pathLikeWords(in command: String) -> [String] {
        let separators = CharacterSet(charactersIn: " \t\n;|&<>()'\"`=")
        return command.components(separatedBy: separators).filter { word in
            !word.isEmpty && !word.hasPrefix("-") && !word.hasPrefix("/") && !word.contains("$") && !word.contains("://")
                && !word.contains("*") && (word.contains("/") || word.contains("."))
        }
    }

    private static func normalised(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }
}
