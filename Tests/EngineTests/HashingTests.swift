import XCTest
@testable import Engine
@testable import EngineCore

final class HashingTests: XCTestCase {
    func testXXH3Of128MatchesKnownVector() {
        // `printf abc | xxhsum -H2` prints 06b05ab6733a618578af5f94892f3950.
        XCTAssertEqual(ContentHash.of(text: "abc").hex, "06b05ab6733a618578af5f94892f3950")
        XCTAssertEqual(ContentHash(hex: "06b05ab6733a618578af5f94892f3950"), ContentHash.of(text: "abc"))
    }

    func testStreamedFileHashEqualsOneShotHash() throws {
        let ws = try TestWorkspace()
        let text = String(repeating: "0123456789abcdef", count: 200_000)
        try ws.write("big.txt", text)
        XCTAssertEqual(try FileHasher.streamHash(path: ws.path("big.txt")), ContentHash.of(text: text))
    }

    func testStatCacheAvoidsRereadingUnchangedFiles() throws {
        let ws = try TestWorkspace()
        try ws.write("f.txt", "content")
        let hasher = FileHasher()
        let first = try hasher.hash(path: ws.path("f.txt"))
        XCTAssertEqual(hasher.bytesRead, 7)
        XCTAssertEqual(try hasher.hash(path: ws.path("f.txt")), first)
        XCTAssertEqual(hasher.bytesRead, 7)
        try ws.write("f.txt", "changed!")
        XCTAssertNotEqual(try hasher.hash(path: ws.path("f.txt")), first)
        XCTAssertEqual(hasher.bytesRead, 15)
    }

    func testStatCachePersistsInCatalog() throws {
        let ws = try TestWorkspace()
        try ws.write("f.txt", "content")
        let catalog = try ws.open().catalog
        let hasher = FileHasher()
        let hash = try hasher.hash(path: ws.path("f.txt"))!
        try catalog.saveStatCache(hasher.takeDirtyEntries())
        let reloaded = FileHasher(cache: try catalog.loadStatCache())
        XCTAssertEqual(try reloaded.hash(path: ws.path("f.txt")), hash)
        XCTAssertEqual(reloaded.bytesRead, 0)
    }

    func testDirectoryMerkleHashDependsOnNamesAndContent() throws {
        let ws = try TestWorkspace()
        try ws.write("d/a.txt", "A")
        try ws.write("d/sub/b.txt", "B")
        let hasher = FileHasher()
        let first = try hasher.hash(path: ws.path("d"))
        try ws.write("e/sub/b.txt", "B")
        try ws.write("e/a.txt", "A")
        XCTAssertEqual(try hasher.hash(path: ws.path("e")), first)
        try FileManager.default.moveItem(atPath: ws.path("e/a.txt"), toPath: ws.path("e/c.txt"))
        XCTAssertNotEqual(try hasher.hash(path: ws.path("e")), first)
    }

    func testStoreIngestsAndMaterialisesFilesAndDirectories() throws {
        let ws = try TestWorkspace()
        let workspace = try ws.open()
        try ws.write("tmp1/x.txt", "x")
        try ws.write("tmp2/d/y.txt", "y")
        let hasher = FileHasher()
        let fileHash = try hasher.hash(path: ws.path("tmp1/x.txt"))!
        let dirHash = try hasher.hash(path: ws.path("tmp2/d"))!
        try workspace.store.ingest(ws.path("tmp1/x.txt"), as: fileHash)
        try workspace.store.ingest(ws.path("tmp2/d"), as: dirHash)
        XCTAssertFalse(ws.exists("tmp1/x.txt"))
        try workspace.store.materialise(fileHash, at: ws.path("out/x.txt"))
        try workspace.store.materialise(dirHash, at: ws.path("out/d"))
        XCTAssertEqual(ws.read("out/x.txt"), "x")
        XCTAssertEqual(ws.read("out/d/y.txt"), "y")
        XCTAssertEqual(try FileHasher().hash(path: ws.path("out/d")), dirHash)
        let verified = try Maintenance.verify(workspace: workspace)
        XCTAssertEqual(verified.checked, 2)
        XCTAssertEqual(verified.corrupt, [])
    }
}
