import EngineCore
import Foundation
import S3

extension RemoteCache {
    /// What one push did.
    struct PushReport {
        /// Objects uploaded.
        var uploaded = 0
        /// Objects a `HEAD` found already there.
        var present = 0
        /// Bytes uploaded.
        var bytes: Int64 = 0
        /// nil: the key had an entry before the push started (nothing was uploaded); else how the entry's write ended.
        var entry: S3PutOutcome?
    }

    /// Pushes one result: every object of `draft`'s outputs from `store` (a `HEAD` first; objects already there are
    /// skipped), then the entry, last, with `If-None-Match: *`, so readers never see an entry whose objects are missing
    /// and the first writer wins. `draft` carries everything but the SHA-256s, which are computed here.
    func push(_ draft: RemoteCacheEntry, store: ContentStore) throws -> PushReport {
        var report = PushReport()
        if try client.head(entryKey(draft.key)) != nil { return report }
        var entry = draft
        for index in entry.outputs.indices {
            entry.outputs[index].sha256 = try pushObject(at: store.path(of: ContentHash(hex: entry.outputs[index].hash)!),
                                                         isDirectory: entry.outputs[index].isDirectory, report: &report)
        }
        report.entry = try client.put(entryKey(entry.key), data: try CacheJSON.encode(entry), ifNoneMatch: true)
        return report
    }

    /// Uploads the file or directory at `path` unless a `HEAD` finds it; returns the SHA-256 its `cas/` object has.
    func pushObject(at path: String, isDirectory: Bool, report: inout PushReport) throws -> String {
        if isDirectory { return try pushDirectory(at: path, report: &report) }
        let sha256 = try S3Checksum.sha256(path: path)
        try pushObject(sha256: sha256, file: path, report: &report)
        return sha256
    }

    /// Uploads every file of the directory at `root` and then its manifest; returns the manifest's SHA-256.
    private func pushDirectory(at root: String, report: inout PushReport) throws -> String {
        let paths = ((try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? [])
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var manifest = RemoteDirectoryManifest(format: RemoteDirectoryManifest.currentFormat, directories: [], files: [])
        for path in paths {
            let absolute = root + "/" + path
            switch FileHasher.kind(of: absolute) {
            case .missing:
                continue
            case .directory:
                manifest.directories.append(path)
            case let .file(fingerprint):
                let sha256 = try S3Checksum.sha256(path: absolute)
                try pushObject(sha256: sha256, file: absolute, report: &report)
                manifest.files.append(.init(path: path, hash: try FileHasher.streamHash(path: absolute).hex, sha256: sha256, size: fingerprint.size))
            }
        }
        let data = try CacheJSON.encode(manifest)
        let sha256 = SigV4Signer.hexSHA256(data)
        if try client.head(objectKey(sha256)) != nil {
            report.present += 1
        } else {
            try client.put(objectKey(sha256), data: data)
            report.uploaded += 1
            report.bytes += Int64(data.count)
        }
        return sha256
    }

    /// Uploads the file at `file` as `cas/<sha256>` unless a `HEAD` finds it.
    private func pushObject(sha256: String, file: String, report: inout PushReport) throws {
        if try client.head(objectKey(sha256)) != nil {
            report.present += 1
            return
        }
        try client.put(objectKey(sha256), file: file, sha256: sha256)
        report.uploaded += 1
        report.bytes += FileSystem.treeSize(file)
    }
}
