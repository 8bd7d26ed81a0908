import Engine
import EngineCore
import Foundation
import Logging
import Stages

/// Runs one stage kind outside a build: fresh temporary directories for inputs, outputs and scratch.
package final class StageHarness {
    /// The temporary root, removed on deinit.
    package let root: URL

    /// A harness in a new temporary directory.
    package init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stages-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `text` to a file under the root and returns its URL.
    package func file(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Runs `kind` as node `node` and returns its output URLs.
    @discardableResult
    package func run(_ kind: any StageKind, node: String? = nil, inputs: [String: URL] = [:], params: [String: JSONValue] = [:],
             seed: UInt64 = 1, metrics: MetricsSink = MetricsSink()) throws -> [String: URL] {
        let name = node ?? kind.name.replacingOccurrences(of: ".", with: "_")
        let out = root.appendingPathComponent("out-" + name)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let scratch = root.appendingPathComponent("scratch-" + name)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outputs = Dictionary(uniqueKeysWithValues: (kind.outputs ?? []).map { ($0, out.appendingPathComponent($0)) })
        let context = StageContext(node: name, workspace: root, inputs: inputs, outputs: outputs, params: params, seed: seed,
                                   logger: Logger(label: name), metrics: metrics,
                                   progress: ProgressReporter(label: name, isTerminal: false, write: { _ in }), scratch: scratch)
        try kind.run(context)
        return outputs
    }
}
