import XCTest
@testable import Engine
@testable import EngineCore

/// Issue 17 §7: a lost catalog is announced, a corrupt one named with the fix, a read-only workspace readable.
final class CatalogFaultTests: XCTestCase {
    private func built() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        try ws.write("in.txt", "x\n")
        try ws.write("pipeline.json", #"{"experiment": "c", "nodes": {"src": {"kind": "file", "params": {"path": "in.txt"}}, "# +
                     #""a": {"kind": "command", "inputs": {"in": "src"}, "params": {"cmd": "cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/a.txt"}}}}"#)
        XCTAssertTrue(try ws.build().succeeded)
        return ws
    }

    private func removeCatalogFiles(_ ws: TestWorkspace) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ws.path(".rlhf/catalog.sqlite" + suffix)) }
    }

    func testDeletedOrEmptiedCatalogIsAnnounced() throws {
        let ws = try built()
        XCTAssertEqual(try ws.open().warnings, [], "an intact catalog gives no warning")
        removeCatalogFiles(ws)
        let warning = try XCTUnwrap(try ws.open().warnings.first)
        XCTAssertTrue(warning.contains("is missing"), warning)
        XCTAssertTrue(warning.contains("lineage") && warning.contains("run record"), warning)
        XCTAssertTrue(warning.contains(ws.path(".rlhf/catalog.sqlite")), warning)

        removeCatalogFiles(ws)
        FileManager.default.createFile(atPath: ws.path(".rlhf/catalog.sqlite"), contents: Data())
        XCTAssertTrue(try ws.open().warnings.first?.contains("is empty") ?? false)
    }

    func testCorruptCatalogNamesThePathAndTheFix() throws {
        let ws = try built()
        _ = try ws.open().catalog.runs()
        let path = ws.path(".rlhf/catalog.sqlite")
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        handle.seek(toFileOffset: 0)
        handle.write(Data(repeating: 0x5A, count: 8192))
        handle.closeFile()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        XCTAssertThrowsError(try ws.open().catalog.runs()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("Move it aside"), text)
        }
    }

    func testReadOnlyOpeningWritesNothingAndAnswers() throws {
        let ws = try built()
        let catalog = ws.path(".rlhf/catalog.sqlite")
        let before = try FileManager.default.attributesOfItem(atPath: catalog)[.modificationDate] as? Date
        let workspace = try Workspace(root: ws.root, readOnly: true)
        let plan = try Executor(workspace: workspace, pipeline: try ws.pipeline(), registry: ws.registry, output: { _ in }).plan()
        XCTAssertEqual(plan["a"]?.decision, .upToDate)
        XCTAssertEqual(try workspace.catalog.runs().count, 2)
        XCTAssertEqual(try workspace.catalog.traceUp(run: try workspace.catalog.latestRun(node: "a")!).run.node, "a")
        XCTAssertTrue(try Maintenance.verify(workspace: workspace, pipeline: try ws.pipeline()).clean)
        XCTAssertThrowsError(try workspace.catalog.saveStatCache([ws.path("x"): FileHasher.CacheEntry(fingerprint: FileFingerprint(size: 1, mtimeNs: 1, inode: 1), hash: ContentHash(high: 1, low: 1))]))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: catalog)[.modificationDate] as? Date, before)

        let fresh = try TestWorkspace()
        try fresh.write("pipeline.json", #"{"experiment": "c", "nodes": {}}"#)
        let empty = try Workspace(root: fresh.root, readOnly: true)
        XCTAssertEqual(try empty.catalog.runs().count, 0)
        XCTAssertFalse(fresh.exists(".rlhf"), "nothing is created in a read-only opening")
    }
}
