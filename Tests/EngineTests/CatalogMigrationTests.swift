import XCTest
import GRDB
@testable import Engine
@testable import EngineCore

final class CatalogMigrationTests: XCTestCase {
    func testPreExperimentCatalogKeepsItsHeadsUnderTheLegacyExperiment() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-migration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/catalog.sqlite"
        let old = try DatabaseQueue(path: path)
        try Catalog.migrator.migrate(old, upTo: "v2-gate-overrides")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO runs (id, node, kind, kindVersion, key, params, status, reason, started, finished, duration)
                VALUES (1, 'sft', 'command', 1, '00000000000000000000000000000000', '{}', 'succeeded', 'never-built', 0, 0, 0)
                """)
            try db.execute(sql: "INSERT INTO heads (node, runId) VALUES ('sft', 1)")
        }
        try old.close()

        let catalog = try Catalog(path: path)
        XCTAssertEqual(try catalog.heads(experiment: Catalog.legacyExperiment)["sft"]?.runId, 1)
        XCTAssertEqual(try catalog.heads(experiment: "default"), [:])
        XCTAssertEqual(try catalog.runs(node: "sft").map(\.experiment), [Catalog.legacyExperiment])
    }
}
