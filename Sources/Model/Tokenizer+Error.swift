/// Everything that can go wrong loading or saving tokenizer files or formatting a chat.
///
/// File cases name the file and the JSON path; each `description` says how to fix it.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A required tokenizer file does not exist.
    case missingFile(file: String)
    /// A tokenizer file exists but could not be read or parsed.
    case invalidFile(file: String, path: String, problem: String)
    /// The file describes a tokenizer this build cannot run (e.g. a Unigram model or a Metaspace pre-tokenizer).
    case unsupported(file: String, path: String, problem: String)
    /// A BPE tokenizer description (`tokenizer.json` or GGUF metadata) is inconsistent, e.g. a merge
    /// naming a token missing from the vocabulary; `path` is the JSON path or metadata key.
    case invalidBPE(file: String, path: String, problem: String)
    /// The file is well formed but disagrees with the byte tokenizer or with the other file.
    case mismatch(file: String, path: String, expected: String, found: String)
    /// A tokenizer file could not be written.
    case cannotWrite(file: String, reason: String)
    /// A chat has no messages.
    case emptyConversation
    /// A chat message has a role other than system, user or assistant.
    case unknownRole(index: Int, role: String)
    /// A chat message's role is not allowed at its position.
    case misplacedRole(index: Int, role: String, expected: String)

    /// What went wrong, where, and what to do about it.
    public var description: String {
        let rewrite = "Write the tokenizer files again with Tokenizer.save(to:) (as `rlhf model init` does)."
        switch self {
        case let .missingFile(file):
            return "\(file): tokenizer file not found. \(rewrite)"
        case let .invalidFile(file, path, problem):
            return "\(file): at \(path.isEmpty ? "the top level" : path): \(problem). \(rewrite)"
        case let .unsupported(file, path, problem):
            return "\(file): at \(path): \(problem). Supported: the byte tokenizer, and byte-level BPE with the "
                + "NFC/NFD/NFKC/NFKD/Lowercase normalizers, the ByteLevel, Split, Digits and Sequence pre-tokenizers "
                + "and the ByteLevel decoder."
        case let .invalidBPE(file, path, problem):
            return "\(file): at \(path): \(problem). The tokenizer description is inconsistent; export it again "
                + "(tokenizers' `Tokenizer.save`, transformers' `save_pretrained`) or correct that entry."
        case let .mismatch(file, path, expected, found):
            return "\(file): at \(path): expected \(expected), found \(found). \(rewrite)"
        case let .cannotWrite(file, reason):
            return "\(file): cannot write tokenizer file: \(reason). Check that the directory is writable."
        case .emptyConversation:
            return "messages: the conversation is empty; give at least one user message."
        case let .unknownRole(index, role):
            return "messages[\(index)].role: unknown role '\(role)'; use system, user or assistant."
        case let .misplacedRole(index, role, expected):
            return "messages[\(index)].role: '\(role)' is not allowed here, expected \(expected); "
                + "a chat is an optional system message, then user and assistant messages alternating, "
                + "starting with user."
        }
    }
}
