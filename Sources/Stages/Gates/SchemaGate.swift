import EngineCore
import Foundation

/// `gate.schema`: every JSONL input against its format (required fields, types, empty strings,
/// character and token limits, control characters, invalid UTF-8), one finding per bad line and field.
public struct SchemaGate: StageKind {
    /// "gate.schema".
    public let name = "gate.schema"
    /// Version 2: prompts and preference pairs with a system message or several turns are valid.
    public let version = 2
    /// Any input roles: each is a JSONL file whose format comes from its role name or `params.formats`.
    public let inputs: [InputSpec]? = nil
    /// `verdict` and `outcome`.
    public let outputs: [String]? = GateSupport.outputs
    /// Checks data files against their formats.
    public let summary = "every JSONL input against its format: fields, types, empty strings, length limits, control characters, UTF-8 (inputs: any roles, each a JSONL set whose format its name gives: sft…, pref…, prompt…/eval…/ppo…, or params.formats)"

    /// The params of a `gate.schema` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Severity and findings.
        let common = GateSupport.common
        /// Role formats.
        let formats = RecordFormat.formats
        /// Characters per field.
        let maxChars = Param.integer("max_chars", default: 16_000, in: 1...100_000_000, "characters allowed in one field")
        /// Tokens per example.
        let maxTokens = Param.integer("max_tokens", default: 8_192, in: 1...100_000_000, "byte-tokenizer tokens (UTF-8 bytes) allowed in one example")
        /// Bytes per line.
        let maxLineBytes = Param.integer("max_line_bytes", default: 1 << 20, in: 16...1 << 30, "bytes allowed on one line before it is rejected unparsed")
        /// Bad-line bound.
        let maxBadFraction = Param.number("max_bad_fraction", default: 0, in: 0...1, "fraction of bad lines tolerated per file")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    public var params: [ParamSpec] { Self.declared.specs }
    /// Every input's format must be known.
    public var rules: [ParamRule] { [RecordFormat.rule()] }

    /// Creates the kind.
    public init() {}

    /// The limits one run checks against.
    struct Limits {
        /// Characters per field.
        var maxChars = 16_000
        /// UTF-8 bytes per example.
        var maxTokens = 8_192
        /// Bytes per line.
        var maxLineBytes = 1 << 20
        /// Tolerated bad-line fraction per file.
        var maxBadFraction = 0.0
    }

    /// Checks every input and records the verdict.
    public func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let d = Self.declared
        let limits = Limits(maxChars: try params.value(d.maxChars), maxTokens: try params.value(d.maxTokens),
                            maxLineBytes: try params.value(d.maxLineBytes), maxBadFraction: try params.value(d.maxBadFraction))
        let datasets = try GateDataset.inputs(of: context, reader: RecordReader(maxLineBytes: limits.maxLineBytes))
        try GateSupport.finish(Self.evaluate(datasets, limits: limits), gate: name, context: context)
    }

    /// The evaluation of `datasets` against `limits`.
    static func evaluate(_ datasets: [GateDataset], limits: Limits) -> GateEvaluation {
        var evaluation = GateEvaluation()
        evaluation.thresholds = ["max_chars": Double(limits.maxChars), "max_tokens": Double(limits.maxTokens),
                                 "max_line_bytes": Double(limits.maxLineBytes)]
        var totalLines = 0, totalBad = 0
        for dataset in datasets {
            var findings = dataset.issues.map { issue in
                GateFinding(kind: issue.kind, file: issue.file, line: issue.line, field: issue.field, message: issue.message)
            }
            for record in dataset.records { findings += check(record, file: dataset.file, limits: limits) }
            let badLines = Set(findings.compactMap(\.line)).count
            let lines = dataset.records.count + Set(dataset.issues.map(\.line)).count
            if lines == 0 {
                findings.append(GateFinding(kind: "empty_file", file: dataset.file,
                                            message: "no records; a \(dataset.format.title) file needs at least one line (\(dataset.format.accepted))"))
            }
            let fraction = lines == 0 ? 1 : Double(badLines) / Double(lines)
            evaluation.figures["\(dataset.role).lines"] = Double(lines)
            evaluation.figures["\(dataset.role).bad_lines"] = Double(badLines)
            evaluation.check("max_bad_fraction", limit: limits.maxBadFraction, violated: fraction > limits.maxBadFraction || lines == 0,
                             lines == 0 ? "\(dataset.file) is empty"
                                        : "\(dataset.file): \(badLines) of \(lines) lines bad (\(percent(fraction)) > \(percent(limits.maxBadFraction)))")
            evaluation.findings += findings
            totalLines += lines
            totalBad += badLines
        }
        evaluation.figures["lines"] = Double(totalLines)
        evaluation.figures["bad_lines"] = Double(totalBad)
        return evaluation
    }

    /// Length, token and control-character findings of one valid record.
    static func check(_ record: GateRecord, file: String, limits: Limits) -> [GateFinding] {
        var findings: [GateFinding] = []
        for (field, text) in record.fields {
            if isBlank(text) {
                findings.append(GateFinding(kind: "empty_string", file: file, line: record.line, field: field,
                                            message: "only whitespace; write the text or drop the line"))
            }
            let characters = text.count
            if characters > limits.maxChars {
                findings.append(GateFinding(kind: "too_many_chars", file: file, line: record.line, field: field,
                                            message: "\(characters) characters, over the \(limits.maxChars) limit", score: Double(characters)))
            }
            if let (offset, scalar) = firstControlCharacter(text) {
                findings.append(GateFinding(kind: "control_character", file: file, line: record.line, field: field,
                                            message: String(format: "control character U+%04X at character %d; remove it", scalar.value, offset + 1)))
            }
        }
        let tokens = exampleTokens(record)
        if tokens > limits.maxTokens {
            findings.append(GateFinding(kind: "too_many_tokens", file: file, line: record.line,
                                        message: "\(tokens) tokens (UTF-8 bytes), over the \(limits.maxTokens) limit", score: Double(tokens)))
        }
        return findings
    }

    /// Tokens of the longest training sequence the record makes: system, prompt and text plus its (longest) response.
    static func exampleTokens(_ record: GateRecord) -> Int {
        let context = record.fields.filter { ["system", "prompt", "text"].contains($0.name) }.reduce(0) { $0 + $1.text.utf8.count }
        let responses = record.fields.filter { !["system", "prompt", "text"].contains($0.name) }.map(\.text.utf8.count)
        return context + (responses.max() ?? 0)
    }

    /// Whether `text` is empty or only whitespace (an `empty_string` finding).
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// The first C0/C1 control character other than tab, newline and carriage return, with its scalar offset.
    static func firstControlCharacter(_ text: String) -> (Int, Unicode.Scalar)? {
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let value = scalar.value
            if (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value) {
                return (offset, scalar)
            }
        }
        return nil
    }

    /// `fraction` as a percentage with two decimals.
    private static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", fraction * 100)
    }
}
