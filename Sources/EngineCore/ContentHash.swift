import CXXHash

/// An XXH3-128 digest, printed as 32 hex digits exactly like `xxhsum -H2`.
public struct ContentHash: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// High 64 bits of the digest.
    public var high: UInt64
    /// Low 64 bits of the digest.
    public var low: UInt64

    /// Creates a hash from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else {
            return nil
        }
        self.init(high: high, low: low)
    }

    /// The digest of a byte string.
    public static func of(bytes: [UInt8]) -> ContentHash {
        let digest = bytes.withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        return ContentHash(high: digest.high64, low: digest.low64)
    }

    /// The digest of a string's UTF-8 bytes.
    public static func of(text: String) -> ContentHash {
        of(bytes: Array(text.utf8))
    }

    /// 32 lowercase hex digits.
    public var hex: String {
        Self.hex16(high) + Self.hex16(low)
    }

    /// The hex digest.
    public var description: String { hex }

    /// The first 12 hex digits, for tables.
    public var short: String { String(hex.prefix(12)) }

    /// Orders by hex value.
    public static func < (lhs: ContentHash, rhs: ContentHash) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Encodes as a hex string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    /// Decodes from a hex string.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hash = ContentHash(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 32-digit hex hash: \(text)")
        }
        self = hash
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A streaming XXH3-128 state over bytes fed in pieces.
public final class StreamingHasher {
    private let state: OpaquePointer

    /// Creates a fresh state.
    public init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
    }

    deinit {
        XXH3_freeState(state)
    }

    /// Feeds `count` bytes at `pointer`.
    public func update(_ pointer: UnsafeRawPointer, count: Int) {
        XXH3_128bits_update(state, pointer, count)
    }

    /// Feeds a string's UTF-8 bytes.
    public func update(_ text: String) {
        var text = text
        _ = text.withUTF8 { buffer in XXH3_128bits_update(state, buffer.baseAddress, buffer.count) }
    }

    /// The digest of everything fed so far.
    public func digest() -> ContentHash {
        let digest = XXH3_128bits_digest(state)
        return ContentHash(high: digest.high64, low: digest.low64)
    }
}
