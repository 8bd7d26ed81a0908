/// Everything that can go wrong in the Model module, with the context needed to fix it.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A config field is missing, inconsistent or unsupported.
    case invalidConfig(field: String, reason: String)
    /// A file could not be read or parsed.
    case badFile(path: String, reason: String)
    /// A checkpoint tensor is missing, unexpected or has the wrong shape for the config.
    case badCheckpoint(path: String, reason: String)
    /// Inputs to a model call have inconsistent sizes.
    case shapeMismatch(what: String, expected: Int, got: Int)
    /// A token id is outside the vocabulary.
    case tokenOutOfRange(token: Int32, vocabSize: Int)
    /// A sequence is longer than the model or buffer supports.
    case sequenceTooLong(length: Int, limit: Int)
    /// A loss value was NaN or infinite.
    case nonFiniteLoss(value: Double)
    /// The gradient norm was NaN or infinite.
    case nonFiniteGradient(norm: Double)
    /// A call needs a prior call (e.g. backward needs forward).
    case invalidState(String)
    /// A parameter name does not exist in this model.
    case unknownParameter(String)

    /// A one-line human explanation with the fix where there is one.
    public var description: String {
        switch self {
        case let .invalidConfig(field, reason): return "invalid model config: \(field) \(reason)"
        case let .badFile(path, reason): return "\(path): \(reason)"
        case let .badCheckpoint(path, reason): return "checkpoint \(path): \(reason)"
        case let .shapeMismatch(what, expected, got): return "\(what): expected \(expected) elements, got \(got)"
        case let .tokenOutOfRange(token, v): return "token id \(token) is outside the vocabulary 0..<\(v)"
        case let .sequenceTooLong(length, limit):
            return "sequence of \(length) tokens exceeds the limit \(limit); shorten it or raise max_position_embeddings"
        case let .nonFiniteLoss(v): return "loss is not finite (\(v)); lower the learning rate or check the data"
        case let .nonFiniteGradient(n): return "gradient norm is not finite (\(n)); lower the learning rate or clip gradients"
        case let .invalidState(s): return s
        case let .unknownParameter(n): return "no parameter named \(n)"
        }
    }
}
