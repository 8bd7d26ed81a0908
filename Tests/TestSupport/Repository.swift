import Foundation

/// The repository checkout the tests run in, for shipped pipelines, experiments and fixtures.
package enum Repository {
    /// The repository root (the folder holding Package.swift).
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
