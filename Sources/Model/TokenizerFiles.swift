import Foundation

/// Reading and writing tokenizers as Hugging Face style files in a checkpoint directory.
public enum TokenizerFiles {
    /// The vocabulary, model and special tokens.
    public static let tokenizerFileName = "tokenizer.json"
    /// The transformers-side settings: special token texts and the chat template.
    public static let configFileName = "tokenizer_config.json"

    /// Loads the tokenizer described by `tokenizer.json` and `tokenizer_config.json` in `directory`:
    /// a `ByteTokenizer` when the added tokens are exactly its six specials, else a `BPETokenizer`.
    ///
    /// Errors (`TokenizerError`) name the file and the JSON path of the problem.
    public static func load(from directory: URL) throws -> any Tokenizer {
        let tokenizerURL = directory.appendingPathComponent(tokenizerFileName)
        let configURL = directory.appendingPathComponent(configFileName)
        guard try describesByteTokenizer(read(tokenizerURL), file: tokenizerURL.path) else {
            return try BPETokenizer(directory: directory)
        }
        let file = try decode(HFTokenizerFile.self, from: tokenizerURL)
        let config = try decode(HFTokenizerConfig.self, from: configURL)
        let tokenizer = try byteTokenizer(from: file, path: tokenizerURL.path)
        try check(config, path: configURL.path)
        return tokenizer
    }

    /// Whether a `tokenizer.json` has no merges and exactly the byte tokenizer's six specials as added tokens.
    private static func describesByteTokenizer(_ data: Data, file: String) throws -> Bool {
        let root = try BPEJSONNode(parsing: data, file: file)
        if let merges = try? root.optional("model")?.optional("merges")?.array(), !merges.isEmpty { return false }
        guard let added = try? root.optional("added_tokens")?.array() else { return false }
        let contents = Set(added.compactMap { ($0.value as? [String: Any])?["content"] as? String })
        return contents == Set(ByteTokenizer.specialTokens.all.map(\.text)) && added.count == contents.count
    }

    /// Writes `file` and the standard config into `directory` (created if needed), atomically
    /// and with sorted keys so equal tokenizers give equal bytes.
    static func save(_ file: HFTokenizerFile, to directory: URL) throws {
        try createDirectory(directory)
        try write(file, to: directory.appendingPathComponent(tokenizerFileName))
        try write(HFTokenizerConfig.standard, to: directory.appendingPathComponent(configFileName))
    }

    /// Writes each (name, bytes) into `directory` (created if needed), atomically.
    static func write(_ files: [(name: String, data: Data)], to directory: URL) throws {
        try createDirectory(directory)
        for (name, data) in files {
            let url = directory.appendingPathComponent(name)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw TokenizerError.cannotWrite(file: url.path, reason: error.localizedDescription)
            }
        }
    }

    private static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TokenizerError.cannotWrite(file: directory.path, reason: error.localizedDescription)
        }
    }

    /// The bytes of a tokenizer file; a missing or unreadable file is an error naming it.
    static func read(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TokenizerError.missingFile(file: url.path)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.invalidFile(file: url.path, path: "", problem: "unreadable: \(error.localizedDescription)")
        }
    }

    private static func write<Value: Encodable>(_ value: Value, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(value)
            data.append(UInt8(ascii: "\n"))
            try data.write(to: url, options: .atomic)
        } catch {
            throw TokenizerError.cannotWrite(file: url.path, reason: error.localizedDescription)
        }
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, from url: URL) throws -> Value {
        let data = try read(url)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (path, problem) = describe(error)
            throw TokenizerError.invalidFile(file: url.path, path: path, problem: problem)
        } catch {
            throw TokenizerError.invalidFile(file: url.path, path: "", problem: "not valid JSON: \(error.localizedDescription)")
        }
    }

    /// A JSON path (`model.vocab`, `added_tokens[2].id`) and a sentence for a decoding error.
    private static func describe(_ error: DecodingError) -> (path: String, problem: String) {
        func path(_ codingPath: [CodingKey]) -> String {
            codingPath.reduce("") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }
        }
        switch error {
        case let .keyNotFound(key, context):
            return (path(context.codingPath + [key]), "required key is missing")
        case let .typeMismatch(type, context):
            return (path(context.codingPath), "expected a value of type \(type)")
        case let .valueNotFound(type, context):
            return (path(context.codingPath), "expected a value of type \(type), found null")
        case let .dataCorrupted(context):
            let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            return (path(context.codingPath), "not valid JSON: \(context.debugDescription)\(underlying)")
        @unknown default:
            return ("", "\(error)")
        }
    }

    /// The `ByteTokenizer` that `file` describes, or the first way `file` differs from it.
    private static func byteTokenizer(from file: HFTokenizerFile, path: String) throws -> ByteTokenizer {
        let tokenizer = ByteTokenizer()
        let expected = HFTokenizerFile.byteLevel(special: tokenizer.special)
        guard file.model.type == "BPE" else {
            throw TokenizerError.unsupported(file: path, path: "model.type",
                                             problem: "model type '\(file.model.type)' is not implemented")
        }
        guard file.model.merges.isEmpty else {
            throw TokenizerError.unsupported(file: path, path: "model.merges",
                                             problem: "\(file.model.merges.count) BPE merges; merging is not implemented")
        }
        for (name, component) in [("pre_tokenizer", file.preTokenizer), ("decoder", file.decoder)]
        where component?.type != "ByteLevel" {
            throw TokenizerError.unsupported(file: path, path: "\(name).type",
                                             problem: "'\(component?.type ?? "null")' is not ByteLevel")
        }
        for (byte, text) in HFTokenizerFile.byteLevelAlphabet.enumerated() where file.model.vocab[text] != Int32(byte) {
            throw TokenizerError.mismatch(file: path, path: "model.vocab[\"\(text)\"]", expected: "id \(byte)",
                                          found: file.model.vocab[text].map { "id \($0)" } ?? "no entry")
        }
        guard file.model.vocab.count == 256 else {
            throw TokenizerError.mismatch(file: path, path: "model.vocab", expected: "256 byte entries",
                                          found: "\(file.model.vocab.count) entries")
        }
        for token in expected.addedTokens {
            guard let index = file.addedTokens.firstIndex(where: { $0.content == token.content }) else {
                throw TokenizerError.mismatch(file: path, path: "added_tokens", expected: "an entry for \(token.content)",
                                              found: "none")
            }
            guard file.addedTokens[index].id == token.id else {
                throw TokenizerError.mismatch(file: path, path: "added_tokens[\(index)].id",
                                              expected: "\(token.content) = \(token.id)",
                                              found: "\(file.addedTokens[index].id)")
            }
        }
        guard file.addedTokens.count == expected.addedTokens.count else {
            throw TokenizerError.mismatch(file: path, path: "added_tokens",
                                          expected: "\(expected.addedTokens.count) special tokens",
                                          found: "\(file.addedTokens.count)")
        }
        return tokenizer
    }

    /// Checks that the config names the same special tokens as the tokenizer.
    private static func check(_ config: HFTokenizerConfig, path: String) throws {
        let texts = SpecialTokens.texts
        let pairs = [("bos_token", config.bosToken, texts.bos), ("eos_token", config.eosToken, texts.eos),
                     ("pad_token", config.padToken, texts.pad)]
        for (key, found, expected) in pairs where found != expected {
            throw TokenizerError.mismatch(file: path, path: key, expected: "\"\(expected)\"", found: "\"\(found)\"")
        }
    }
}
