import XCTest
import SafeTensors
@testable import Model

/// Sharded checkpoints (`model.safetensors.index.json`): every shard must exist and every tensor must be
/// found exactly once, with errors naming the file and the tensor.
final class ShardedCheckpointTests: XCTestCase {
    private func shardedCopy() throws -> URL {
        try HFFixtures.copy(HFFixtures.headDimLlama3) { addTeardownBlock($0) }
    }

    private func readIndex(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("model.safetensors.index.json"))) as! [String: Any]
    }

    private func writeIndex(_ dir: URL, _ index: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: index).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
    }

    private func assertLoadFails(_ dir: URL, naming words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.loadModel(from: dir), file: file, line: line) { error in
            for w in words { XCTAssertTrue("\(error)".contains(w), "'\(w)' not in: \(error)", file: file, line: line) }
        }
    }

    func testShardedCheckpointLoadsLikeTheSingleFileItWasSplitFrom() throws {
        let dir = try shardedCopy()
        let shards = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("model-") }
        XCTAssertEqual(shards.count, 3)
        let sharded = try Checkpoint.loadModel(from: dir)
        let single = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-single-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: single) }
        try Checkpoint.saveWeights(sharded, to: single)
        XCTAssertEqual(try Checkpoint.loadModel(from: single).parameters.array(), sharded.parameters.array())
        // model.safetensors wins over an index beside it, as in transformers.
        try FileManager.default.copyItem(at: single.appendingPathComponent("model.safetensors"),
                                         to: dir.appendingPathComponent("model.safetensors"))
        for shard in shards { try FileManager.default.removeItem(at: dir.appendingPathComponent(shard)) }
        XCTAssertEqual(try Checkpoint.loadModel(from: dir).parameters.array(), sharded.parameters.array())
    }

    func testMissingShardNamesTheIndexAndTheShard() throws {
        let dir = try shardedCopy()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model-00002-of-00003.safetensors"))
        assertLoadFails(dir, naming: ["model.safetensors.index.json", "model-00002-of-00003.safetensors", "missing"])
    }

    func testATensorInTwoShardsOrUnlistedOrMisplacedIsAnError() throws {
        let dir = try shardedCopy()
        var index = try readIndex(dir)
        var map = index["weight_map"] as! [String: String]
        // The index puts a tensor in shard 3, but shard 1 holds it: found in the wrong place.
        let moved = map.keys.sorted().first { map[$0] == "model-00001-of-00003.safetensors" }!
        map[moved] = "model-00003-of-00003.safetensors"
        index["weight_map"] = map
        try writeIndex(dir, index)
        assertLoadFails(dir, naming: [moved])
        // The index forgets a tensor a shard holds.
        map[moved] = nil
        index["weight_map"] = map
        try writeIndex(dir, index)
        assertLoadFails(dir, naming: [moved, "missing tensor"])
    }

    func testDuplicatedTensorAcrossShardsIsAnError() throws {
        let dir = try shardedCopy()
        let model = try Checkpoint.loadModel(from: dir)
        let index = try readIndex(dir)
        let map = index["weight_map"] as! [String: String]
        // Rewrite shard 3 with one extra tensor that shard 1 already holds.
        let extra = map.keys.sorted().first { map[$0] == "model-00001-of-00003.safetensors" }!
        var writer = SafeTensorsWriterAccess()
        for (name, shard) in map where shard == "model-00003-of-00003.safetensors" || name == extra {
            try writer.add(name, model)
        }
        try writer.write(to: dir.appendingPathComponent("model-00003-of-00003.safetensors"))
        assertLoadFails(dir, naming: ["model-00003-of-00003.safetensors", extra, "stored once"])
    }

    func testMalformedIndexIsAClearError() throws {
        let dir = try shardedCopy()
        let index = try readIndex(dir)
        let map = index["weight_map"] as! [String: String]
        let name = map.keys.sorted()[0]
        let cases: [(Any, [String])] = [
            (["metadata": [:]], ["weight_map"]),
            (["weight_map": ["x": 3]], ["weight_map[\"x\"]"]),
            (["weight_map": map.merging([name: "../model-00001-of-00003.safetensors"]) { $1 }], ["plain file name"]),
            (["weight_map": [:]], ["empty"]),
            ([1, 2], ["JSON object"]),
        ]
        for (json, words) in cases {
            try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
            assertLoadFails(dir, naming: ["model.safetensors.index.json"] + words)
        }
        try Data("{not json".utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
        assertLoadFails(dir, naming: ["model.safetensors.index.json", "not valid JSON"])
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors.index.json"))
        assertLoadFails(dir, naming: ["model.safetensors.index.json", "model.safetensors"])
    }
}

/// Writes chosen tensors of a model into a safetensors file (to build broken shards).
private struct SafeTensorsWriterAccess {
    private var writer = SafeTensorsWriter()

    mutating func add(_ name: String, _ model: LlamaModel) throws {
        let s = model.layout.slice(named: name)!
        try writer.add(name: name, shape: s.shape, floats: try model.parameter(named: name))
    }

    func write(to url: URL) throws { try writer.write(to: url) }
}
