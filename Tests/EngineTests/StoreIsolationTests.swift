import XCTest
@testable import Engine
@testable import EngineCore

/// Issue 17 §2: a workspace edit never reaches the store; verify sees and repairs both sides.
final class StoreIsolationTests: XCTestCase {
    static let pipelineJSON = #"""
    {"experiment": "s", "nodes": {
      "src": {"kind": "file", "params": {"path": "in.txt"}},
      "data": {"kind": "command", "inputs": {"in": "src"}, "params": {"cmd": "echo \"$(cat \"$RLHF_IN_IN\") line\" > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/data.jsonl"}},
      "model": {"kind": "command", "inputs": {"in": "data"}, "params": {"cmd": "mkdir \"$RLHF_OUT_OUT\" && wc -l < \"$RLHF_IN_IN\" > \"$RLHF_OUT_OUT/lines.txt\""}, "outputs": {"out": "out/model"}},
      "count": {"kind": "command", "inputs": {"m": "model"}, "params": {"cmd": "echo counted >> ran.log; ls \"$RLHF_IN_M\" | wc -l > \"$RLHF_OUT_OUT\""}, "outputs": {"out": "out/count.txt"}}
    }}
    """#

    private func built() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        try ws.write("in.txt", "v1")
        try ws.write("pipeline.json", Self.pipelineJSON)
        XCTAssertTrue(try ws.build().succeeded)
        return ws
    }

    private func pipeline(_ ws: TestWorkspace) throws -> Pipeline { try ws.pipeline() }

    func testAppendingToAnOutputNeverEditsTheStoreAndTheBuildRestoresIt() throws {
        let ws = try built()
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: ws.path("out/data.jsonl")))
        handle.seekToEndOfFile()
        handle.write(Data("extra\n".utf8))
        handle.closeFile()
        let report = try Maintenance.verify(workspace: try ws.open(), pipeline: try pipeline(ws))
        XCTAssertEqual(report.corrupt, [], "the store object is untouched")
        XCTAssertEqual(report.modified.map(\.path), ["out/data.jsonl"])
        let summary = try ws.build()
        XCTAssertEqual(summary.reused, ["data"], "the edited output is restored from the store")
        XCTAssertEqual(ws.read("out/data.jsonl"), "v1 line\n")
        XCTAssertTrue(try Maintenance.verify(workspace: try ws.open(), pipeline: try pipeline(ws)).clean)
    }

    func testSameSizeEditWithRestoredMtimeIsSeen() throws {
        let ws = try built()
        let path = ws.path("out/data.jsonl")
        var before = stat()
        stat(path, &before)
        try "v2 line\n".write(toFile: path, atomically: false, encoding: .utf8)
        var times = [before.st_atim, before.st_mtim]
        utimensat(AT_FDCWD, path, &times, 0)
        let plan = try ws.executor().plan()
        XCTAssertEqual(plan["data"]?.decision.tag, "reuse", "the edit is seen although size and mtime are as before")
        try ws.build()
        XCTAssertEqual(ws.read("out/data.jsonl"), "v1 line\n")
    }

    func testAFileAddedInsideADirectoryOutputIsRestored() throws {
        let ws = try built()
        ws.clearRanLog()
        try ws.write("out/model/added.txt", "sneaky")
        let summary = try ws.build()
        XCTAssertEqual(summary.reused, ["model"])
        XCTAssertFalse(ws.exists("out/model/added.txt"))
        XCTAssertEqual(ws.ranLog(), [], "downstream stays up to date: the output is restored, not changed")
    }

    func testCorruptObjectIsNeverCopiedOutAndRepairRestoresOrForgets() throws {
        let ws = try built()
        let workspace = try ws.open()
        let dataHash = try XCTUnwrap(try workspace.catalog.heads(experiment: "s")["data"]?.outputs["out"])
        let object = workspace.store.path(of: dataHash)
        chmod(object, 0o644)
        try "tampered\n".write(toFile: object, atomically: false, encoding: .utf8)

        // The workspace copy is intact: repair restores the object from it.
        var report = try Maintenance.verify(workspace: workspace, pipeline: try pipeline(ws), repair: true)
        XCTAssertEqual(report.corrupt.map(\.expected), [dataHash.hex])
        XCTAssertTrue(report.repairs.contains { $0.contains("restored object") }, "\(report.repairs)")
        XCTAssertEqual(try FileHasher().hash(path: object), dataHash)

        // Both sides damaged: the build never copies the corrupt object out; it drops it and reruns the node.
        chmod(object, 0o644)
        try "tampered\n".write(toFile: object, atomically: false, encoding: .utf8)
        try "edited\n".write(toFile: ws.path("out/data.jsonl"), atomically: false, encoding: .utf8)
        ws.clearRanLog()
        let healed = try ws.build()
        XCTAssertEqual(healed.built, ["data"])
        XCTAssertEqual(ws.read("out/data.jsonl"), "v1 line\n")
        XCTAssertEqual(ws.ranLog(), [], "model and count stay up to date by early cutoff")
        XCTAssertEqual(try FileHasher().hash(path: object), dataHash)

        // verify --repair with no intact copy: drops the object and forgets its runs; the next build reruns exactly that node.
        chmod(object, 0o644)
        try "tampered\n".write(toFile: object, atomically: false, encoding: .utf8)
        try "edited\n".write(toFile: ws.path("out/data.jsonl"), atomically: false, encoding: .utf8)
        report = try Maintenance.verify(workspace: workspace, pipeline: try pipeline(ws), repair: true)
        XCTAssertTrue(report.repairs.contains { $0.contains("dropped corrupt object") }, "\(report.repairs)")
        XCTAssertFalse(workspace.store.contains(dataHash))
        XCTAssertTrue(try workspace.catalog.runs(node: "data").contains { $0.status == "forgotten" })
        let rebuilt = try ws.build()
        XCTAssertEqual(rebuilt.built, ["data"])
        XCTAssertEqual(ws.read("out/data.jsonl"), "v1 line\n")
        XCTAssertEqual(ws.ranLog(), [], "model and count stay up to date by early cutoff")
        XCTAssertTrue(try Maintenance.verify(workspace: workspace, pipeline: try pipeline(ws)).clean)
    }

    func testAnUpdateRecordedButNotMovedIntoPlaceIsPendingAndCompletedByTheNextBuild() throws {
        let ws = try built()
        try ws.write("in.txt", "v2")
        XCTAssertTrue(try ws.build().succeeded)
        // The state a kill between the catalog transaction and the rename leaves: the catalog says v2,
        // the workspace still holds v1, the verified v2 copy waits next to it, `.rlhf/tmp` is still there.
        try FileManager.default.moveItem(atPath: ws.path("out/data.jsonl"), toPath: ws.path("out/.rlhf-tmp-999-data.jsonl"))
        try ws.write("out/data.jsonl", "v1 line\n")
        try FileManager.default.createDirectory(atPath: ws.path(".rlhf/tmp"), withIntermediateDirectories: true)
        let report = try Maintenance.verify(workspace: try ws.open(), pipeline: try pipeline(ws))
        XCTAssertEqual(report.pending, ["out/data.jsonl"])
        XCTAssertTrue(report.clean, "a recorded update waiting to be moved is not damage")
        let lines = LineCollector()
        let summary = try Executor(workspace: try ws.open(), pipeline: try ws.pipeline(), registry: ws.registry, output: lines.append).build(BuildOptions())
        XCTAssertTrue(lines.lines.contains { $0.contains("completed the interrupted update of out/data.jsonl") }, "\(lines.lines)")
        XCTAssertEqual(summary.upToDate.count, 4)
        XCTAssertEqual(ws.read("out/data.jsonl"), "v2 line\n")
        XCTAssertFalse(ws.exists("out/.rlhf-tmp-999-data.jsonl"))
    }

    func testStatCacheHoldsOnlyHashedBytes() throws {
        let ws = try built()
        let cache = try ws.open().catalog.loadStatCache()
        let entry = try XCTUnwrap(cache[ws.path("out/data.jsonl")])
        XCTAssertEqual(entry.hash, try FileHasher.streamHash(path: ws.path("out/data.jsonl")))
        guard case let .file(fingerprint) = FileHasher.kind(of: ws.path("out/data.jsonl")) else { return XCTFail("missing") }
        XCTAssertEqual(entry.fingerprint, fingerprint, "the fingerprint of the copy itself, with its ctime")
        XCTAssertNotEqual(fingerprint.inode, { () -> Int64 in
            guard case let .file(object) = FileHasher.kind(of: (try? ws.open().store.path(of: entry.hash)) ?? "") else { return -1 }
            return object.inode
        }(), "a copy, not a hard link to the store object")
    }
}
