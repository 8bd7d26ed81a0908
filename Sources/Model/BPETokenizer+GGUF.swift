/// The pre-tokenizer a GGUF file's `tokenizer.ggml.pre` names, as `tokenizers` spells it for that model.
enum BPEGGUFPre: String, CaseIterable {
    /// GPT-2's regex alone.
    case gpt2
    /// Each digit alone, then GPT-2's regex (SmolLM; StarCoder and Refact share it).
    case smollm, starcoder, refact
    /// Llama 3's regex (`llama-bpe`, also written `llama3`).
    case llamaBPE = "llama-bpe", llama3
    /// Qwen2's regex after NFC.
    case qwen2

    /// The normalizers and pre-tokenizers of this pre-tokenizer.
    var pipeline: (normalizers: [BPENormalizer], preTokenizers: [BPEPreTokenizer]) {
        switch self {
        case .gpt2:
            return ([], [.byteLevel(addPrefixSpace: false, useRegex: true)])
        case .smollm, .starcoder, .refact:
            return ([], [.digits(individual: true), .byteLevel(addPrefixSpace: false, useRegex: true)])
        case .llamaBPE, .llama3:
            return ([], [.split(.scanner(.llama3(maxDigits: 3), source: BPEScanner.llama3Pattern), behavior: .isolated, invert: false),
                         .byteLevel(addPrefixSpace: false, useRegex: false)])
        case .qwen2:
            return ([.nfc], [.split(.scanner(.llama3(maxDigits: 1), source: BPEScanner.qwen2Pattern), behavior: .isolated, invert: false),
                             .byteLevel(addPrefixSpace: false, useRegex: false)])
        }
    }
}

extension BPETokenizer {
    /// GGUF `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
    enum GGUFTokenType: Int {
        /// An ordinary vocabulary entry.
        case normal = 1, unknown = 2
        /// A special token (bos, eos, chat markers): an added special token.
        case control = 3
        /// A user-defined token: an added token that is not special.
        case userDefined = 4
        /// Unused or byte tokens: ordinary vocabulary entries.
        case unused = 5, byte = 6
    }

    /// A byte-level BPE from GGUF tokenizer metadata, plain values as the GGUF reader returns them.
    ///
    /// - Parameters:
    ///   - model: `tokenizer.ggml.model`; must be `gpt2` (byte-level BPE).
    ///   - pre: `tokenizer.ggml.pre`: `gpt2`, `smollm` (also `starcoder`, `refact`), `llama-bpe` (`llama3`) or `qwen2`;
    ///     nil means `gpt2`.
    ///   - tokens: `tokenizer.ggml.tokens`, the text of each id.
    ///   - merges: `tokenizer.ggml.merges`, `"a b"` each, in rank order.
    ///   - tokenTypes: `tokenizer.ggml.token_type`; control (3) tokens become special added tokens,
    ///     user-defined (4) ones non-special added tokens.
    ///   - bos, eos, pad: `tokenizer.ggml.bos_token_id`, `eos_token_id`, `padding_token_id` (pad and bos
    ///     fall back to eos).
    ///   - file: the GGUF file, named in errors (which give the metadata key as the path).
    public init(gguf model: String, pre: String?, tokens: [String], merges: [String], tokenTypes: [Int]?,
                bos: Int?, eos: Int?, pad: Int?, file: String) throws {
        guard model == "gpt2" else {
            throw TokenizerError.unsupported(file: file, path: "tokenizer.ggml.model",
                                             problem: "tokenizer model '\(model)' is not byte-level BPE ('gpt2')")
        }
        let preName = pre ?? "gpt2"
        guard let preTokenizer = BPEGGUFPre(rawValue: preName) else {
            throw TokenizerError.unsupported(file: file, path: "tokenizer.ggml.pre", problem: "pre-tokenizer '\(preName)' is not "
                + "implemented; known: \(BPEGGUFPre.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw TokenizerError.invalidBPE(file: file, path: "tokenizer.ggml.token_type",
                                            problem: "\(tokenTypes.count) token types for \(tokens.count) tokens")
        }
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(tokens.count)
        var added: [BPEAddedToken] = []
        for (index, text) in tokens.enumerated() {
            guard vocab[text] == nil else {
                throw TokenizerError.invalidBPE(file: file, path: "tokenizer.ggml.tokens[\(index)]",
                                                problem: "\"\(text)\" repeats id \(vocab[text]!)")
            }
            vocab[text] = Int32(index)
            switch tokenTypes.map({ GGUFTokenType(rawValue: $0[index]) }) {
            case .control?: added.append(BPEAddedToken(id: Int32(index), content: text, special: true))
            case .userDefined?: added.append(BPEAddedToken(id: Int32(index), content: text, special: false))
            default: break
            }
        }
        let pairs = try merges.enumerated().map { index, merge -> (String, String) in
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.invalidBPE(file: file, path: "tokenizer.ggml.merges[\(index)]",
                                                problem: "merge \"\(merge)\" must be two tokens separated by one space")
            }
            return (String(parts[0]), String(parts[1]))
        }
        let bpe = try BPEModel(vocab: vocab, merges: pairs, ignoreMerges: preTokenizer == .llamaBPE || preTokenizer == .llama3,
                               unknown: nil, file: file, where: "tokenizer.ggml")
        func id(_ value: Int?, key: String) throws -> Int32? {
            guard let value else { return nil }
            guard (0..<tokens.count).contains(value) else {
                throw TokenizerError.invalidBPE(file: file, path: key, problem: "id \(value) is outside the \(tokens.count) tokens")
            }
            return Int32(value)
        }
        guard let eosID = try id(eos, key: "tokenizer.ggml.eos_token_id") else {
            throw TokenizerError.invalidBPE(file: file, path: "tokenizer.ggml.eos_token_id", problem: "missing; the end-of-sequence id is required")
        }
        let special = SpecialTokens(bos: try id(bos, key: "tokenizer.ggml.bos_token_id") ?? eosID, eos: eosID,
                                    pad: try id(pad, key: "tokenizer.ggml.padding_token_id") ?? eosID)
        let (normalizers, preTokenizers) = preTokenizer.pipeline
        self.init(model: bpe, added: added, normalizers: normalizers, preTokenizers: preTokenizers, special: special,
                  files: BPESavedFiles(tokenizerJSON: nil, config: nil))
    }
}
