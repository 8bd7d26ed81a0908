import Foundation
import XCTest
@testable import Engine
@testable import EngineCore

/// A throwaway workspace in a temp directory, driven through the engine's Swift API.
final class TestWorkspace {
    let root: URL
    let registry: StageRegistry

    init(registry: StageRegistry = .builtIn) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.registry = registry
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func path(_ relative: String) -> String {
        root.path + "/" + relative
    }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path(relative), encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }

    /// Lines appended by commands to `ran.log` (proof that a command really executed).
    func ranLog() -> [String] {
        (read("ran.log") ?? "").split(separator: "\n").map(String.init)
    }

    func clearRanLog() {
        try? FileManager.default.removeItem(atPath: path("ran.log"))
    }

    func pipeline() throws -> Pipeline {
        try PipelineLoader(registry: registry).load(path: path("pipeline.json"))
    }

    func open() throws -> Workspace {
        try Workspace(root: root)
    }

    func executor() throws -> Executor {
        Executor(workspace: try open(), pipeline: try pipeline(), registry: registry, output: { _ in })
    }

    @discardableResult
    func build(_ configure: (inout BuildOptions) -> Void = { _ in }) throws -> BuildSummary {
        var options = BuildOptions()
        configure(&options)
        return try executor().build(options)
    }
}

/// Collects output lines from any thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    /// The lines so far.
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    /// Appends one line.
    @Sendable func append(_ line: String) {
        lock.lock()
        collected.append(line)
        lock.unlock()
    }
}
