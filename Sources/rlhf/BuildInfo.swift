import Foundation

/// What `rlhf --version` prints: the version, then the build (commit, compiler, CPU target, configuration).
enum BuildInfo {
    /// The release version of the command.
    static let version = "0.9.0"

    /// The compiler this binary was built with, from the compile-time `compiler(...)` checks.
    static var compiler: String {
        #if compiler(>=6.4)
        return "Swift 6.4 or later"
        #elseif compiler(>=6.3)
        return "Swift 6.3"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0"
        #endif
    }

    /// The CPU and OS the binary targets.
    static var target: String {
        #if arch(x86_64)
        let cpu = "x86_64"
        #elseif arch(arm64)
        let cpu = "arm64"
        #else
        let cpu = "unknown CPU"
        #endif
        #if os(Linux)
        let system = "linux"
        #elseif os(macOS)
        let system = "macos"
        #else
        let system = "unknown OS"
        #endif
        return "\(cpu)-\(system)"
    }

    /// `release` or `debug`.
    static var configuration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The commit of the source tree this binary was compiled from (its path is fixed at compile time),
    /// with `+changes` when that tree has uncommitted edits, and a warning when the tree moved on since
    /// the binary was written; nil when the tree or git is gone.
    static var commit: String? {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let head = git(["rev-parse", "--short=12", "HEAD"], in: sources) else { return nil }
        var text = head
        if let status = git(["status", "--porcelain", "--untracked-files=no", "--", ":/Sources", ":/Package.swift"], in: sources), !status.isEmpty {
            text += "+changes"
        }
        if let committed = git(["log", "-1", "--format=%ct"], in: sources).flatMap(Double.init),
           let binary = try? FileManager.default.attributesOfItem(atPath: CommandLine.arguments[0])[.modificationDate] as? Date,
           committed > binary.timeIntervalSince1970 {
            text += " (the source has newer commits than this binary)"
        }
        return text
    }

    /// The `--version` text.
    static var text: String {
        "rlhf \(version)\nbuild: commit \(commit ?? "unknown"), \(compiler), \(target), \(configuration)"
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
