/// Everything that can go wrong reading a GGUF file.
///
/// Each case names the file (or in-memory source) and, where there is one, the metadata key or tensor;
/// its `description` says what is wrong and what to do about it.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read at all.
    case cannotRead(file: String, reason: String)
    /// The file does not start with the magic bytes `GGUF`.
    case badMagic(file: String, found: [UInt8])
    /// The header's version is not 2 or 3.
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends inside the header (`what` is the field being read, `offset` where it starts).
    case truncated(file: String, what: String, offset: UInt64, needed: UInt64, available: UInt64)
    /// A count read from the file cannot fit in the bytes that remain (or exceeds a sanity limit).
    case absurdCount(file: String, what: String, count: UInt64, limit: UInt64)
    /// A string in the header is not valid UTF-8.
    case invalidUTF8(file: String, what: String, offset: UInt64)
    /// A metadata value has a type id outside 0...12.
    case unknownValueType(file: String, key: String, type: UInt32)
    /// Arrays nest deeper than the reader accepts.
    case nestingTooDeep(file: String, key: String, limit: Int)
    /// The same metadata key appears twice.
    case duplicateKey(file: String, key: String)
    /// `general.alignment` is not a positive power of two of type uint32.
    case badAlignment(file: String, problem: String)
    /// The same tensor name appears twice.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor's dimensions are invalid (count, overflow, or a row that is not whole blocks).
    case invalidTensorInfo(file: String, tensor: String, problem: String)
    /// A tensor's ggml type id is not one this reader knows.
    case unknownTensorType(file: String, tensor: String, type: UInt32)
    /// A tensor's offset is not a multiple of the file's alignment.
    case misalignedTensor(file: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes reach past the end of the file.
    case tensorOutOfRange(file: String, tensor: String, begin: UInt64, end: UInt64, dataSize: UInt64)
    /// Two tensors' bytes overlap.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// No tensor of that name exists in the file.
    case tensorNotFound(file: String, tensor: String, available: [String])
    /// The tensor's type has no dequantiser here.
    case unsupportedTensorType(file: String, tensor: String, type: String)
    /// The caller's buffer does not hold exactly the tensor's elements.
    case bufferSizeMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// A metadata key the caller needs is absent.
    case missingMetadata(file: String, key: String)
    /// A metadata value has a different type (or range) than the caller needs.
    case metadataType(file: String, key: String, expected: String, found: String)

    /// What went wrong, where, and what to do about it.
    public var description: String {
        let rewrite = "The file is corrupt or was not written by a GGUF writer; download or convert it again."
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read GGUF file: \(reason). Check the path and its permissions."
        case let .badMagic(file, found):
            let hex = found.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(file): not a GGUF file (first bytes \(hex), expected 47 47 55 46 \"GGUF\"). "
                + "Pass a .gguf file or a Hugging Face checkpoint directory."
        case let .unsupportedVersion(file, version):
            return "\(file): GGUF version \(version) is not supported (versions 2 and 3 are). "
                + "Convert it again with a current llama.cpp convert script."
        case let .truncated(file, what, offset, needed, available):
            return "\(file): truncated: \(what) at byte \(offset) needs \(needed) bytes but only \(available) remain. "
                + "The download is incomplete; fetch the file again."
        case let .absurdCount(file, what, count, limit):
            return "\(file): \(what) is \(count), more than the \(limit) the rest of the file can hold. \(rewrite)"
        case let .invalidUTF8(file, what, offset):
            return "\(file): \(what) at byte \(offset) is not valid UTF-8. \(rewrite)"
        case let .unknownValueType(file, key, type):
            return "\(file): metadata '\(key)' has unknown value type \(type) (known: 0-12). \(rewrite)"
        case let .nestingTooDeep(file, key, limit):
            return "\(file): metadata '\(key)' nests arrays deeper than \(limit). \(rewrite)"
        case let .duplicateKey(file, key):
            return "\(file): metadata key '\(key)' appears more than once. \(rewrite)"
        case let .badAlignment(file, problem):
            return "\(file): general.alignment \(problem); it must be a uint32 power of two. \(rewrite)"
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor '\(tensor)' appears more than once. \(rewrite)"
        case let .invalidTensorInfo(file, tensor, problem):
            return "\(file): tensor '\(tensor)': \(problem). \(rewrite)"
        case let .unknownTensorType(file, tensor, type):
            return "\(file): tensor '\(tensor)' has unknown ggml type \(type). "
                + "The file may need a newer reader; re-quantise it to Q8_0, Q4_K or F16."
        case let .misalignedTensor(file, tensor, offset, alignment):
            return "\(file): tensor '\(tensor)' starts at data offset \(offset), not a multiple of the alignment "
                + "\(alignment). \(rewrite)"
        case let .tensorOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' spans data bytes \(begin)..<\(end) but the data section has only "
                + "\(dataSize) bytes. The file is truncated; fetch it again."
        case let .overlappingTensors(file, tensor, other):
            return "\(file): tensors '\(other)' and '\(tensor)' overlap in the data section. \(rewrite)"
        case let .tensorNotFound(file, tensor, available):
            let shown = available.prefix(8).joined(separator: ", ")
            let more = available.count > 8 ? ", … (\(available.count) in all)" : ""
            return "\(file): no tensor named '\(tensor)' (it has: \(shown)\(more))."
        case let .unsupportedTensorType(file, tensor, type):
            return "\(file): tensor '\(tensor)' is \(type), which cannot be dequantised here (supported: "
                + GGMLType.dequantisable.map(\.name).joined(separator: ", ")
                + "). Re-quantise the model to one of those, e.g. llama-quantize … Q4_K_M."
        case let .bufferSizeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has \(expected) elements but the destination holds \(actual)."
        case let .missingMetadata(file, key):
            return "\(file): metadata key '\(key)' is missing; the file does not describe a model this reader supports."
        case let .metadataType(file, key, expected, found):
            return "\(file): metadata '\(key)' is \(found) but \(expected) is required."
        }
    }
}
