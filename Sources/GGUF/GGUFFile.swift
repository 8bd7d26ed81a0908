import Foundation

/// A validated GGUF file (versions 2 and 3): metadata key-value pairs, tensor infos, and tensor
/// data that is read lazily.
///
/// Layout: magic `GGUF`, uint32 version, uint64 tensor count, uint64 metadata count, the metadata,
/// the tensor infos, padding to `alignment`, then the data section. Initialisation reads and checks
/// the whole header (see `GGUFFile+Header.swift`): every tensor lies inside the data section, is
/// aligned, does not overlap another, and has whole blocks per row. Tensor bytes are read only when
/// a tensor is decoded, so opening a file costs its header, not its size.
public struct GGUFFile: Sendable {
    /// Alignment of the data section and of every tensor when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// Most dimensions a ggml tensor has.
    public static let maxDimensions = 4
    /// Deepest nesting of metadata arrays accepted.
    public static let maxArrayDepth = 8

    /// The header's format version (2 or 3).
    public let version: UInt32
    /// The alignment of the data section and of tensor offsets.
    public let alignment: Int
    /// Metadata by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// The file path or in-memory source name used in errors.
    public var source: String { bytes.source }

    /// Tensor index by name.
    let tensorIndex: [String: Int]
    /// The file's bytes.
    let bytes: GGUFByteSource
    /// Absolute offset of the data section.
    let dataStart: UInt64

    /// Opens and validates the GGUF file at `url`; tensor data is read on demand.
    public init(contentsOf url: URL) throws {
        try self.init(source: GGUFByteSource(url: url))
    }

    /// Validates a GGUF file held in `data`; `source` names it in errors.
    public init(data: Data, source: String) throws {
        try self.init(source: GGUFByteSource(data: data, source: source))
    }

    private init(source: GGUFByteSource) throws {
        let header = try Self.parseHeader(source)
        version = header.version
        alignment = header.alignment
        metadata = header.metadata
        metadataKeys = header.metadataKeys
        tensors = header.tensors
        tensorIndex = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
        bytes = source
        dataStart = header.dataStart
    }

    /// Whether the file starts with the GGUF magic (reads 4 bytes; false when unreadable).
    public static func hasMagic(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)) == Data("GGUF".utf8)
    }

    /// The entry for `name`, or `tensorNotFound` listing what the file has.
    public func info(_ name: String) throws -> GGUFTensorInfo {
        guard let index = tensorIndex[name] else {
            throw GGUFError.tensorNotFound(file: source, tensor: name, available: tensors.map(\.name))
        }
        return tensors[index]
    }

    /// Whether a tensor called `name` exists.
    public func contains(_ name: String) -> Bool {
        tensorIndex[name] != nil
    }

    /// The raw stored bytes of `info` (blocks as written).
    public func rawBytes(_ info: GGUFTensorInfo) throws -> [UInt8] {
        try bytes.read(dataStart + info.byteRange.lowerBound..<dataStart + info.byteRange.upperBound,
                       what: "data of tensor '\(info.name)'")
    }
}
