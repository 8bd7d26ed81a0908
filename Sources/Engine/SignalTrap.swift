import EngineCore
import Foundation

/// Turns SIGINT/SIGTERM into a clean stop of a build: running nodes are cancelled (their child
/// process groups terminated), nothing half-done is registered, and a second signal exits at once.
final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []

    /// Installs the handlers for `session`.
    init(session: BuildSession) {
        var count = 0
        let temporary = session.executor.workspace.temporaryDirectory
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                count += 1
                if count > 1 {
                    // `.rlhf/tmp` stays: it tells the next build to remove what this one leaves.
                    for run in (try? FileSystem.listDirectory(temporary)) ?? [] {
                        ChildProcess.killRecorded(at: temporary + "/" + run + "/" + ChildProcess.recordName)
                    }
                    exit(128 + signalNumber)
                }
                FileHandle.standardError.write(Data("\nstopping: interrupted by signal \(signalNumber); press again to exit at once\n".utf8))
                session.interrupt(signal: signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Removes the handlers and restores the default signal actions.
    func restore() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
