import Foundation
import World

extension FuzzTargets {
    /// One JSONL file read as each record format. The record reader is the single place to change when the
    /// reader is replaced: `readers` lists one closure per format, each reading the whole file.
    static let readers: [(format: String, read: @Sendable (Data) throws -> Int)] = [
        ("sft", { JSONLReader().read(SFTRecord.self, data: $0, file: "sft.jsonl").records.count }),
        ("preferences", { JSONLReader().read(PreferenceRecord.self, data: $0, file: "pref.jsonl").records.count }),
        ("prompts", { JSONLReader().read(PromptRecord.self, data: $0, file: "prompts.jsonl").records.count }),
    ]

    /// JSONL bytes read as every record format (SFT, preferences, prompts).
    static let records = FuzzTarget("records", "JSONL bytes read as every record format") { data in
        for reader in readers { _ = try reader.read(data) }
    }
}
