import Foundation
import ArgumentParser

/// Parsing of `--tokens` lists shared by the model commands.
enum TokenIDs {
    /// The comma-separated ids in `text` (e.g. `1,9690,198`); `option` names the flag in errors.
    static func parse(_ text: String, option: String = "--tokens") throws -> [Int32] {
        let ids = try text.split(separator: ",").map {
            guard let id = Int32($0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("\(option): '\($0)' is not an integer token id")
            }
            return id
        }
        guard !ids.isEmpty else { throw ValidationError("\(option) needs at least one token id") }
        return ids
    }
}
