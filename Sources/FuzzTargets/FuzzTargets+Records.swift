import Foundation
import Stages

extension FuzzTargets {
    /// One JSONL file read as each record format. The record reader is the single place to change when the
    /// reader is replaced: `readers` lists one closure per format, each reading the whole file.
    static let readers: [(format: String, read: @Sendable (Data) throws -> Int)] = RecordFormat.allCases.map { format in
        (format.rawValue, { format.count($0, file: "\(format.rawValue).jsonl").valid })
    }

    /// JSONL bytes read as every record format (SFT, preferences, prompts, labels, verdicts).
    static let records = FuzzTarget("records", "JSONL bytes read as every record format") { data in
        for reader in readers { _ = try reader.read(data) }
    }
}
