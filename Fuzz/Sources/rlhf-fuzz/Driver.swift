import Foundation
import FuzzTargets

/// The target this process fuzzes, chosen by the FUZZ_TARGET environment variable.
nonisolated(unsafe) private var target: FuzzTarget?

/// libFuzzer's set-up hook: picks the target named by FUZZ_TARGET, or exits listing them.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    target = chosen
    return 0
}

/// libFuzzer's entry: one input through the target; a thrown error is a handled input, only a crash is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        try target!.run(data)
    } catch {
        _ = String(describing: error)
    }
    return 0
}
