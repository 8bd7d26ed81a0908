/// Everything that can go wrong reading or writing a safetensors container.
///
/// Each case names the file (or in-memory source) and, where there is one, the tensor; its
/// `description` says what is wrong and how to fix it.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all (missing, unreadable).
    case cannotRead(file: String, reason: String)
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooShort(file: String, byteCount: Int)
    /// The header length prefix exceeds the reader's limit.
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The header length prefix points past the end of the file.
    case headerBeyondFile(file: String, headerLength: UInt64, available: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(file: String, byteOffset: Int)
    /// The header is not valid JSON.
    case headerNotJSON(file: String, byteOffset: Int, reason: String)
    /// The header is valid JSON but not a JSON object.
    case headerNotObject(file: String)
    /// The same tensor name appears twice in the header.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor entry lacks a field, has an ill-typed one, or repeats one (unknown fields are ignored, as in the reference).
    case invalidEntry(file: String, tensor: String, field: String, problem: String)
    /// A tensor's `dtype` is not a safetensors dtype.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor's `shape` has a negative dimension or its size overflows.
    case invalidShape(file: String, tensor: String, shape: String, problem: String)
    /// A tensor's `data_offsets` begin after they end.
    case reversedOffsets(file: String, tensor: String, begin: UInt64, end: UInt64)
    /// A tensor's `data_offsets` reach past the end of the data section.
    case offsetsOutOfRange(file: String, tensor: String, begin: UInt64, end: UInt64, dataSize: Int)
    /// A tensor's byte range does not hold exactly shape × dtype size bytes.
    case byteCountMismatch(file: String, tensor: String, dtype: SafeTensorsDType, shape: [Int],
                           expected: Int, actual: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// Bytes between two tensors (or before the first) belong to no tensor.
    case gapInData(file: String, tensor: String, expectedBegin: Int, begin: Int)
    /// Bytes after the last tensor belong to no tensor.
    case trailingData(file: String, coveredEnd: Int, dataSize: Int)
    /// The `__metadata__` entry is not an object of strings.
    case invalidMetadata(file: String, key: String?, problem: String)
    /// No tensor of that name exists in the file.
    case tensorNotFound(file: String, tensor: String, available: [String])
    /// The tensor's dtype is not the one the caller can read.
    case dtypeMismatch(file: String, tensor: String, expected: String, actual: SafeTensorsDType)
    /// The tensor's shape is not the one the caller expects.
    case shapeMismatch(file: String, tensor: String, expected: [Int], actual: [Int])
    /// The caller's buffer does not have room for exactly the tensor's elements.
    case bufferSizeMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// A tensor handed to `SafeTensorsWriter.add` is invalid.
    case invalidTensor(tensor: String, problem: String)
    /// The output file could not be written.
    case cannotWrite(file: String, reason: String)

    /// What went wrong, where, and what to do about it.
    public var description: String {
        let rewrite = "The file is corrupt or was not written by a safetensors writer; re-export it "
            + "(safetensors.torch.save_file or SafeTensorsWriter)."
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read safetensors file: \(reason). Check the path and its permissions."
        case let .fileTooShort(file, byteCount):
            return "\(file): only \(byteCount) bytes, shorter than the 8-byte header length. "
                + "The file is truncated; write it again."
        case let .headerTooLarge(file, headerLength, limit):
            return "\(file): header length \(headerLength) exceeds the limit of \(limit) bytes. \(rewrite)"
        case let .headerBeyondFile(file, headerLength, available):
            return "\(file): header length \(headerLength) is beyond the file, which has only \(available) "
                + "bytes after the length prefix. The file is truncated; write it again."
        case let .headerNotUTF8(file, byteOffset):
            return "\(file): header is not valid UTF-8 (header byte \(byteOffset)). \(rewrite)"
        case let .headerNotJSON(file, byteOffset, reason):
            return "\(file): header is not valid JSON at header byte \(byteOffset): \(reason). \(rewrite)"
        case let .headerNotObject(file):
            return "\(file): header is JSON but not an object mapping tensor names to entries. \(rewrite)"
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor '\(tensor)' appears more than once in the header. "
                + "Give every tensor a unique name and write the file again."
        case let .invalidEntry(file, tensor, field, problem):
            return "\(file): tensor '\(tensor)': field '\(field)' \(problem). Each entry needs "
                + "\"dtype\" (string), \"shape\" (array of non-negative integers) and "
                + "\"data_offsets\" ([begin, end] integers). \(rewrite)"
        case let .unknownDType(file, tensor, dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)': unknown dtype '\(dtype)'; known dtypes are \(known). \(rewrite)"
        case let .invalidShape(file, tensor, shape, problem):
            return "\(file): tensor '\(tensor)': invalid shape \(shape): \(problem). \(rewrite)"
        case let .reversedOffsets(file, tensor, begin, end):
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] begin after they end. \(rewrite)"
        case let .offsetsOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] reach past the data section "
                + "of \(dataSize) bytes. The file is truncated or corrupt; write it again."
        case let .byteCountMismatch(file, tensor, dtype, shape, expected, actual):
            return "\(file): tensor '\(tensor)': shape \(shape) of \(dtype.rawValue) needs \(expected) bytes "
                + "but data_offsets span \(actual). \(rewrite)"
        case let .overlappingTensors(file, tensor, other):
            return "\(file): tensors '\(other)' and '\(tensor)' overlap in the data section. \(rewrite)"
        case let .gapInData(file, tensor, expectedBegin, begin):
            return "\(file): tensor '\(tensor)' begins at data byte \(begin) but the previous tensor ends at "
                + "\(expectedBegin); the data section must be covered without gaps. \(rewrite)"
        case let .trailingData(file, coveredEnd, dataSize):
            return "\(file): tensors cover \(coveredEnd) bytes but the data section has \(dataSize); "
                + "trailing bytes belong to no tensor. \(rewrite)"
        case let .invalidMetadata(file, key, problem):
            let at = key.map { "__metadata__.\($0)" } ?? "__metadata__"
            return "\(file): \(at) \(problem); __metadata__ must map strings to strings. \(rewrite)"
        case let .tensorNotFound(file, tensor, available):
            let shown = available.prefix(8).joined(separator: ", ")
            let more = available.count > 8 ? ", … (\(available.count) in all)" : ""
            return "\(file): no tensor named '\(tensor)' (it has: \(shown)\(more)). "
                + "Check that the checkpoint matches the model configuration."
        case let .dtypeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' is \(actual.rawValue) but \(expected) is required. "
                + "Convert the checkpoint to float32 (e.g. model.float() before save_pretrained)."
        case let .shapeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has shape \(actual) but the configuration expects \(expected). "
                + "Use the config.json that was saved with this checkpoint."
        case let .bufferSizeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has \(expected) elements but the destination holds \(actual). "
                + "Size the destination from the tensor's shape."
        case let .invalidTensor(tensor, problem):
            return "cannot add tensor '\(tensor)': \(problem)."
        case let .cannotWrite(file, reason):
            return "\(file): cannot write safetensors file: \(reason). "
                + "Check that the directory exists, is writable and has free space."
        }
    }
}
