import Foundation

/// The sampling defaults of a checkpoint's `generation_config.json` (the token ids there come from
/// config.json); carried from the checkpoint a model was loaded from to the ones saved from it.
public struct SamplingDefaults: Codable, Equatable, Sendable {
    /// Whether transformers' `generate` samples (true) or decodes greedily.
    public var doSample: Bool?
    /// Softmax temperature.
    public var temperature: Double?
    /// Nucleus sampling mass.
    public var topP: Double?
    /// Top-k cut-off.
    public var topK: Int?
    /// Default number of new tokens.
    public var maxNewTokens: Int?
    /// Repetition penalty.
    public var repetitionPenalty: Double?

    enum CodingKeys: String, CodingKey {
        case doSample = "do_sample", temperature, topP = "top_p", topK = "top_k"
        case maxNewTokens = "max_new_tokens", repetitionPenalty = "repetition_penalty"
    }

    /// Defaults with every field unset.
    public init() {}

    /// The file name transformers reads.
    public static let fileName = "generation_config.json"

    /// The sampling defaults of `generation_config.json` in `directory`, nil when the file is absent; a
    /// field of the wrong type is an error naming the file and the field.
    public static func load(from directory: URL) throws -> SamplingDefaults? {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(SamplingDefaults.self, from: data)
        } catch let DecodingError.typeMismatch(_, ctx) {
            let field = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw ModelError.badFile(path: url.path, reason: "field \(field) has the wrong type: \(ctx.debugDescription)")
        } catch {
            throw ModelError.badFile(path: url.path, reason: "not a JSON object: \(error.localizedDescription)")
        }
    }

    /// Writes `generation_config.json` into `directory`: the bos, eos and pad ids of `config` plus the set
    /// sampling fields, with sorted keys.
    func save(config: LlamaConfig, to directory: URL) throws {
        struct File: Encodable {
            let ids: [String: Int32]
            let defaults: SamplingDefaults
            func encode(to encoder: Encoder) throws {
                try defaults.encode(to: encoder)
                var c = encoder.container(keyedBy: AnyKey.self)
                for (key, id) in ids { try c.encode(id, forKey: AnyKey(key)) }
            }
        }
        let file = File(ids: ["bos_token_id": config.bosTokenId, "eos_token_id": config.eosTokenId,
                              "pad_token_id": config.padTokenId], defaults: self)
        try Checkpoint.writeJSON(file, to: directory.appendingPathComponent(Self.fileName))
    }
}

/// A coding key spelled at run time.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
