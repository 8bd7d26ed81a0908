import Foundation

/// Builds a safetensors container of F32 or BF16 tensors and writes it with deterministic bytes.
///
/// Layout: tensors sorted by name (UTF-8 byte order), data offsets in that order, a header JSON
/// with sorted keys and no whitespace, padded with spaces so the data section starts at a
/// multiple of 8. The same tensors and metadata always give the same bytes.
public struct SafeTensorsWriter: Sendable {
    /// One tensor waiting to be written.
    struct Entry: Sendable {
        /// Dimensions, outermost first.
        let shape: [Int]
        /// The elements, row-major.
        let values: [Float]
        /// How they are stored: F32, or BF16 rounded to nearest even.
        let dtype: SafeTensorsDType

        /// Bytes in the data section.
        var byteCount: Int { values.count * (dtype == .BF16 ? 2 : 4) }
    }

    /// The element types `add` can store.
    public static let writableDTypes: [SafeTensorsDType] = [.F32, .BF16]

    /// The `__metadata__` strings; starts as `["format": "pt"]`, which Hugging Face
    /// `transformers` requires to load the file.
    public var metadata: [String: String] = ["format": "pt"]

    /// Tensors added so far, by name.
    private(set) var entries: [String: Entry] = [:]

    /// An empty writer.
    public init() {}

    /// The order tensor names and header keys are written in: by UTF-8 bytes (= code points).
    static func nameOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Adds a copy of `floats` as a tensor of `shape`, stored as `dtype` (F32 or BF16).
    ///
    /// Throws `invalidTensor` for an empty or reserved name, a name already added, a negative
    /// dimension, an element count that differs from `floats.count`, or another dtype.
    public mutating func add(name: String, shape: [Int], floats: UnsafeBufferPointer<Float>,
                             dtype: SafeTensorsDType = .F32) throws {
        func invalid(_ problem: String) -> SafeTensorsError { .invalidTensor(tensor: name, problem: problem) }
        guard !name.isEmpty else { throw invalid("the name is empty") }
        guard name != "__metadata__" else { throw invalid("the name __metadata__ is reserved for metadata") }
        guard entries[name] == nil else { throw invalid("a tensor of that name was already added") }
        guard Self.writableDTypes.contains(dtype) else {
            throw invalid("dtype \(dtype.rawValue) cannot be written; use one of \(Self.writableDTypes.map(\.rawValue))")
        }
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw invalid("shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("shape \(shape) overflows") }
            count = product
        }
        guard count == floats.count else {
            throw invalid("shape \(shape) holds \(count) elements but \(floats.count) were given")
        }
        entries[name] = Entry(shape: shape, values: Array(floats), dtype: dtype)
    }

    /// Adds a copy of `floats` as a tensor of `shape`; see `add(name:shape:floats:dtype:)`.
    public mutating func add(name: String, shape: [Int], floats: [Float], dtype: SafeTensorsDType = .F32) throws {
        try floats.withUnsafeBufferPointer { try add(name: name, shape: shape, floats: $0, dtype: dtype) }
    }

    /// The complete container bytes.
    public func serialized() -> Data {
        var data = Data()
        forEachChunk { data.append(contentsOf: $0) }
        return data
    }

    /// Writes the container to `url` atomically: a temporary file in the same directory,
    /// fsync, then rename over `url`. On failure `url` is untouched.
    public func write(to url: URL) throws {
        try AtomicFile.replace(url) { sink in
            try forEachChunk { try sink($0) }
        }
    }

    /// Hands the container to `body` in order: length prefix, padded header, then each tensor.
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let names = entries.keys.sorted(by: Self.nameOrder)
        var header = headerJSON(names: names)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try body($0) }
        try header.withUnsafeBytes { try body($0) }
        for name in names {
            let entry = entries[name]!
            if entry.dtype == .BF16 {
                try entry.values.map { HalfFloat.bfloat16(from: $0).littleEndian }.withUnsafeBytes { try body($0) }
                continue
            }
            #if _endian(little)
            try entry.values.withUnsafeBytes { try body($0) }
            #else
            try entry.values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try body($0) }
            #endif
        }
    }

    /// The header JSON for tensors in `names` order, with all keys sorted.
    private func headerJSON(names: [String]) -> [UInt8] {
        var members: [(key: String, json: String)] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: Self.nameOrder)
                .map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0]!))" }
            members.append(("__metadata__", "{" + pairs.joined(separator: ",") + "}"))
        }
        var offset = 0
        for name in names {
            let entry = entries[name]!
            let end = offset + entry.byteCount
            let shape = entry.shape.map(String.init).joined(separator: ",")
            members.append((name, "{\"data_offsets\":[\(offset),\(end)],\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)]}"))
            offset = end
        }
        members.sort { Self.nameOrder($0.key, $1.key) }
        let body = members.map { "\(Self.quoted($0.key)):\($0.json)" }.joined(separator: ",")
        return Array("{\(body)}".utf8)
    }

    /// `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
