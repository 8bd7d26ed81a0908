import Foundation

extension RecordFormat {
    /// Reads in-memory JSONL `data` as this format with the default reader and returns how many lines were
    /// valid and how many bad: the entry point of the `records` fuzz target (Sources/FuzzTargets).
    public func count(_ data: Data, file: String) -> (valid: Int, bad: Int) {
        let result = RecordReader().read(self, data: data, file: file)
        return (result.records.count, result.issues.count)
    }
}
