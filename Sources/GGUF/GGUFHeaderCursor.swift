/// A forward cursor over a GGUF header that reads the source in chunks and checks every read
/// against the bytes that remain, so a truncated or hostile header gives an error, never a trap.
struct GGUFHeaderCursor {
    /// Bytes fetched from the source per refill.
    static let chunkSize = 1 << 20

    private let source: GGUFByteSource
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    /// The absolute offset of the next byte to read.
    private(set) var position: UInt64 = 0

    /// A cursor at the start of `source`.
    init(source: GGUFByteSource) {
        self.source = source
    }

    /// Bytes left after `position`.
    var remaining: UInt64 { source.size - position }

    /// The next `count` bytes as a slice of the internal buffer; advances past them.
    mutating func take(_ count: UInt64, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw GGUFError.truncated(file: source.source, what: what(), offset: position, needed: count, available: remaining)
        }
        let bufferEnd = bufferStart + UInt64(buffer.count)
        if position < bufferStart || position + count > bufferEnd {
            let end = min(source.size, position + max(count, UInt64(Self.chunkSize)))
            buffer = try source.read(position..<end, what: what())
            bufferStart = position
        }
        let start = Int(position - bufferStart)
        position += count
        return buffer[start..<start + Int(count)]
    }

    /// A little-endian unsigned integer of `FixedWidthInteger` type.
    mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let bytes = try take(UInt64(MemoryLayout<T>.size), what())
        var value: T = 0
        for byte in bytes.reversed() { value = value << 8 | T(byte) }
        return value
    }

    /// A GGUF string: a uint64 byte count, then UTF-8 bytes.
    mutating func string(_ what: @autoclosure () -> String) throws -> String {
        let start = position
        let length = try integer(UInt64.self, "length of \(what())")
        let bytes = try take(length, what())
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GGUFError.invalidUTF8(file: source.source, what: what(), offset: start)
        }
        return text
    }

    /// Moves to `offset`, which must not lie beyond the source.
    mutating func seek(to offset: UInt64) {
        position = min(offset, source.size)
    }
}
