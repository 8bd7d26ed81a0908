import EngineCore
import Foundation
import World

/// One record of a dataset reduced to its text fields, with its line.
struct GateRecord: Sendable {
    /// 1-based line in the file.
    var line: Int
    /// (field, text) pairs in format order: prompt, response | prompt, chosen, rejected | prompt.
    var fields: [(name: String, text: String)]

    /// The text of field `name` ("" when absent).
    func text(_ name: String) -> String {
        fields.first { $0.name == name }?.text ?? ""
    }
}

/// A JSONL input of a gate: its role, format, display path, valid records and bad lines.
struct GateDataset: Sendable {
    /// Input role.
    var role: String
    /// Data format.
    var format: DataFormat
    /// Workspace-relative path for findings.
    var file: String
    /// Valid records in file order.
    var records: [GateRecord]
    /// Bad lines found by the reader.
    var issues: [JSONLIssue]

    /// Reads `url` as `format`, validating lines with `reader`; `file` names it in findings.
    static func load(_ url: URL, role: String, format: DataFormat, file: String,
                     reader: JSONLReader = JSONLReader()) throws -> GateDataset {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StagesError.badInput(path: file, message: error.localizedDescription)
        }
        return parse(data, role: role, format: format, file: file, reader: reader)
    }

    /// Parses in-memory JSONL `data` as `format`.
    static func parse(_ data: Data, role: String, format: DataFormat, file: String, reader: JSONLReader) -> GateDataset {
        switch format {
        case .sft:
            let result = reader.read(SFTRecord.self, data: data, file: file)
            return GateDataset(role: role, format: format, file: file, records: result.records.map {
                GateRecord(line: $0.line, fields: [("prompt", $0.record.prompt), ("response", $0.record.response)])
            }, issues: result.issues)
        case .preferences:
            let result = reader.read(PreferenceRecord.self, data: data, file: file)
            return GateDataset(role: role, format: format, file: file, records: result.records.map {
                GateRecord(line: $0.line, fields: [("prompt", $0.record.prompt), ("chosen", $0.record.chosen),
                                                   ("rejected", $0.record.rejected)])
            }, issues: result.issues)
        case .prompts:
            let result = reader.read(PromptRecord.self, data: data, file: file)
            return GateDataset(role: role, format: format, file: file, records: result.records.map {
                GateRecord(line: $0.line, fields: [("prompt", $0.record.prompt)])
            }, issues: result.issues)
        }
    }

    /// Every JSONL input of `context` except `excluded` roles, sorted by role.
    static func inputs(of context: StageContext, excluding excluded: Set<String> = [],
                       reader: JSONLReader = JSONLReader()) throws -> [GateDataset] {
        let params = Params(context)
        return try context.inputs.keys.sorted().filter { !excluded.contains($0) && !Node.isGateRole($0) }.map { role in
            let url = context.inputs[role]!
            return try load(url, role: role, format: DataFormat.of(role: role, params: params),
                            file: GateSupport.displayPath(url, workspace: context.workspace), reader: reader)
        }
    }
}
