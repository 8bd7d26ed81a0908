import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB reads: what the content cache names and verifies objects by.
public enum S3Checksum {
    /// Lower-case hex SHA-256 of the file at `path`.
    public static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw S3Error.io(path: path, message: "cannot open the file to hash it") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw S3Error.io(path: path, message: "read failed: \(error)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` looks like a hex SHA-256 (64 lower-case hex digits).
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
