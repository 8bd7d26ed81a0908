import Foundation

/// A validated safetensors container: an 8-byte little-endian header length, a JSON header
/// mapping tensor names to dtype, shape and `data_offsets`, then the data section.
///
/// Initialisation checks the whole container (see `SafeTensorsFile+Header.swift`), so every
/// `SafeTensorInfo` it exposes lies inside the data, matches its shape and dtype, and the tensors
/// tile the data section exactly. Reading a tensor never traps on a hostile file.
public struct SafeTensorsFile: Sendable {
    /// Largest header accepted, as in the reference implementation.
    public static let maxHeaderLength = 100_000_000

    /// The tensors by name.
    public let tensors: [String: SafeTensorInfo]
    /// The string-to-string `__metadata__` entry (empty when absent).
    public let metadata: [String: String]
    /// The file path or in-memory source name used in errors.
    public let source: String

    /// The whole container.
    let bytes: Data
    /// Offset of the data section within `bytes`, relative to `bytes.startIndex`.
    let dataStart: Int

    /// Reads and validates the container at `url`.
    ///
    /// The file is read into memory rather than mapped, so a file truncated by another process
    /// later cannot fault a reader.
    public init(contentsOf url: URL) throws {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError.cannotRead(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: bytes, source: url.path)
    }

    /// Validates the container held in `data`; `source` names it in errors.
    public init(data: Data, source: String) throws {
        let header = try Self.parseContainer(data, source: source)
        self.tensors = header.tensors
        self.metadata = header.metadata
        self.source = source
        self.bytes = data
        self.dataStart = header.dataStart
    }

    /// The tensor names in byte order of their UTF-8 spelling (the order the writer lays them out).
    public var names: [String] {
        tensors.keys.sorted(by: SafeTensorsWriter.nameOrder)
    }

    /// The entry for `name`, or `tensorNotFound` listing what the file has.
    public func info(_ name: String) throws -> SafeTensorInfo {
        guard let info = tensors[name] else {
            throw SafeTensorsError.tensorNotFound(file: source, tensor: name, available: names)
        }
        return info
    }
}
