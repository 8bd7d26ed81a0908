import Foundation
import SafeTensors

extension Checkpoint {
    /// Index file of a sharded checkpoint.
    public static let weightsIndexFileName = "model.safetensors.index.json"

    /// Replaces the weights in checkpoint `directory` (one file, or an index and its shards) by `model`'s,
    /// written as `dtype` with config.json and generation_config.json; other files (tokenizer) stay.
    public static func replaceWeights(_ model: LlamaModel, in directory: URL, dtype: CheckpointDType) throws {
        let indexURL = directory.appendingPathComponent(weightsIndexFileName)
        var stale = [weightsFileName]
        if FileManager.default.fileExists(atPath: indexURL.path) {
            stale += try WeightFiles.readIndex(indexURL, directory: directory).keys.sorted() + [weightsIndexFileName]
        }
        for name in stale where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            do {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            } catch {
                throw ModelError.badFile(path: directory.appendingPathComponent(name).path,
                                         reason: "cannot remove: \(error.localizedDescription)")
            }
        }
        try saveWeights(model, to: directory, dtype: dtype)
    }

    /// The safetensors files holding a checkpoint's tensors: `model.safetensors` when present (as
    /// transformers prefers it), else the shards named by `model.safetensors.index.json`'s `weight_map`.
    ///
    /// The index is checked when read (a JSON object of tensor name → shard file name, each shard a plain
    /// file name present in the directory); each shard is checked when opened (it holds exactly the tensors
    /// the map puts in it), so every tensor is found exactly once.
    struct WeightFiles {
        /// The single weights file, already read; nil for a sharded checkpoint.
        private let single: SafeTensorsFile?
        /// Sharded: the index file and, per shard file name, the tensors the map puts there.
        private let index: URL?
        private let shards: [String: Set<String>]
        private let directory: URL
        /// Every tensor name the checkpoint holds.
        let names: Set<String>

        /// Finds and checks the weight files of `directory`.
        init(directory: URL) throws {
            self.directory = directory
            let singleURL = directory.appendingPathComponent(weightsFileName)
            let indexURL = directory.appendingPathComponent(weightsIndexFileName)
            if FileManager.default.fileExists(atPath: singleURL.path) || !FileManager.default.fileExists(atPath: indexURL.path) {
                guard FileManager.default.fileExists(atPath: singleURL.path) else {
                    throw ModelError.badCheckpoint(path: directory.path, reason: "has neither \(weightsFileName) nor "
                        + "\(weightsIndexFileName); a checkpoint directory needs its weights")
                }
                let file = try SafeTensorsFile(contentsOf: singleURL)
                single = file
                index = nil
                shards = [:]
                names = Set(file.tensors.keys)
                return
            }
            single = nil
            index = indexURL
            shards = try Self.readIndex(indexURL, directory: directory)
            names = Set(shards.values.joined())
        }

        /// The file to name in an error about the set of tensors (the index when sharded).
        var listingPath: String { index?.path ?? directory.appendingPathComponent(weightsFileName).path }

        /// The file that holds `tensor`.
        func path(of tensor: String) -> String {
            guard index != nil, let shard = shards.first(where: { $0.value.contains(tensor) })?.key else { return listingPath }
            return directory.appendingPathComponent(shard).path
        }

        /// Calls `body` with each weights file in turn (shards in name order, one in memory at a time), after
        /// checking that a shard holds exactly the tensors the index puts in it.
        func forEachFile(_ body: (SafeTensorsFile) throws -> Void) throws {
            if let single { return try body(single) }
            for shard in shards.keys.sorted() {
                let url = directory.appendingPathComponent(shard)
                let file = try SafeTensorsFile(contentsOf: url)
                let listed = shards[shard]!
                if let stray = file.tensors.keys.sorted().first(where: { !listed.contains($0) }) {
                    let elsewhere = shards.first(where: { $0.value.contains(stray) })?.key
                    throw ModelError.badCheckpoint(path: url.path, reason: "holds tensor '\(stray)', but "
                        + (elsewhere.map { "\(weightsIndexFileName) puts it in \($0); a tensor must be stored once" }
                           ?? "\(weightsIndexFileName)'s weight_map does not list it")
                        + "; fix the index or re-export the checkpoint")
                }
                if let missing = listed.sorted().first(where: { file.tensors[$0] == nil }) {
                    throw ModelError.badCheckpoint(path: url.path, reason: "has no tensor '\(missing)', which "
                        + "\(weightsIndexFileName)'s weight_map puts in this shard; fix the index or re-export the checkpoint")
                }
                try body(file)
            }
        }

        /// Parses the index: shard file name → the tensor names mapped to it.
        static func readIndex(_ url: URL, directory: URL) throws -> [String: Set<String>] {
            func fail(_ why: String) -> ModelError { .badFile(path: url.path, reason: why) }
            guard let data = FileManager.default.contents(atPath: url.path) else { throw fail("cannot be read") }
            let json: Any
            do {
                json = try JSONSerialization.jsonObject(with: data)
            } catch {
                throw fail("not valid JSON: \(error.localizedDescription)")
            }
            guard let object = json as? [String: Any] else { throw fail("must be a JSON object with a weight_map") }
            guard let map = object["weight_map"] as? [String: Any] else {
                throw fail("field weight_map is missing or not an object of tensor name → shard file name")
            }
            guard !map.isEmpty else { throw fail("field weight_map is empty") }
            var shards: [String: Set<String>] = [:]
            for tensor in map.keys.sorted() {
                guard let shard = map[tensor] as? String else {
                    throw fail("field weight_map[\"\(tensor)\"] must be a shard file name (a string)")
                }
                guard !shard.isEmpty, shard != ".", shard != "..",
                      !shard.contains("/"), !shard.contains("\\"), !shard.unicodeScalars.contains(where: { $0.value < 0x20 })
                else {
                    throw fail("field weight_map[\"\(tensor)\"] is \"\(shard)\"; a shard must be a plain file name "
                        + "in the checkpoint directory")
                }
                shards[shard, default: []].insert(tensor)
            }
            for shard in shards.keys.sorted() {
                var isDirectory: ObjCBool = false
                let path = directory.appendingPathComponent(shard).path
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    let example = shards[shard]!.sorted().first!
                    throw fail("field weight_map puts \(shards[shard]!.count) tensors (e.g. '\(example)') in \(shard), "
                        + "which is missing from \(directory.path); copy every shard next to the index")
                }
            }
            return shards
        }
    }
}
