import EngineCore
import Foundation
import World

/// One record of a dataset reduced to its text fields, with its line.
package struct GateRecord: Sendable {
    /// 1-based line in the file.
    package var line: Int
    /// (field, text) pairs in format order (see `DataRecord.textFields`).
    var fields: [(name: String, text: String)]
    /// The system message and earlier turns of a conversational prompt or preference record (empty otherwise).
    var context = PromptContext()

    /// The text of field `name` ("" when absent).
    package func text(_ name: String) -> String {
        fields.first { $0.name == name }?.text ?? ""
    }
}

/// A JSONL input of a gate: its role, format, display path, valid records and bad lines.
package struct GateDataset: Sendable {
    /// Input role.
    package var role: String
    /// Data format.
    var format: RecordFormat
    /// Workspace-relative path for findings.
    var file: String
    /// Valid records in file order.
    package var records: [GateRecord]
    /// Bad lines found by the reader.
    var issues: [RecordIssue]

    /// Reads `url` as `format`, validating lines with `reader`; `file` names it in findings.
    package static func load(_ url: URL, role: String, format: RecordFormat, file: String,
                     reader: RecordReader = RecordReader()) throws -> GateDataset {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StagesError.badInput(path: file, message: "cannot read the file")
        }
        return parse(data, role: role, format: format, file: file, reader: reader)
    }

    /// Parses in-memory JSONL `data` as `format`.
    static func parse(_ data: Data, role: String, format: RecordFormat, file: String, reader: RecordReader) -> GateDataset {
        let result = reader.read(format, data: data, file: file)
        return GateDataset(role: role, format: format, file: file,
                           records: result.records.map { GateRecord(line: $0.line, fields: $0.record.textFields, context: $0.record.promptContext) },
                           issues: result.issues)
    }

    /// Every JSONL input of `context` except `excluded` roles, sorted by role.
    static func inputs(of context: StageContext, excluding excluded: Set<String> = [],
                       reader: RecordReader = RecordReader()) throws -> [GateDataset] {
        let params = Params(context)
        return try context.inputs.keys.sorted().filter { !excluded.contains($0) && !Node.isGateRole($0) }.map { role in
            let url = context.inputs[role]!
            return try load(url, role: role, format: RecordFormat.of(role: role, params: params),
                            file: context.displayPath(url), reader: reader)
        }
    }
}
