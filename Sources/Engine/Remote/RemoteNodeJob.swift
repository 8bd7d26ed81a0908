import EngineCore
import Foundation

/// How a remote node's dispatch went, for the `done` line and the overhead figures.
struct RemoteDispatchTiming {
    /// Backend name.
    var backend: String
    /// The scheduler's job id.
    var jobId: String
    /// Attempt number (its submission id is `<key>-<attempt>`; later than 1 after a retry or a cancelled build).
    var attempt: Int
    /// When the node became ready to run in the driver.
    var ready: Double
    /// When the worker started the stage.
    var workerStarted: Double
    /// When the worker wrote the result.
    var workerFinished: Double
    /// Whether the driver re-attached to a job submitted by an earlier driver.
    var reattached: Bool
}

/// One node handed to a backend: everything needed to submit it, follow it and turn its result file into a run.
final class RemoteNodeJob {
    /// The node.
    let node: Node
    /// Its kind.
    let kind: any StageKind
    /// The plan that decided to run it.
    let plan: NodePlan
    /// Why it runs.
    let reason: RebuildReason
    /// Consumed artifacts.
    let inputs: [FinishedRun.Input]
    /// When the node was handed over.
    let ready = Date().timeIntervalSince1970
    /// Current attempt (see `RemoteAttempt`).
    var attempt = 1
    /// Infrastructure failures this node has had in this build (jobs that ended without a result).
    var failures = 0
    /// Scheduler job id once submitted.
    var jobId = ""
    /// Run directory of the current attempt (on the driver's file system).
    var runDirectory = ""
    /// The current attempt's id in the content cache when data moves through it (`runs/<id>/`), else nil.
    var cacheRun: String?
    /// Since when the scheduler has said the job ended (or forgot it) while no result exists.
    var lostSince: Date?
    /// Whether this driver re-attached to an earlier driver's job.
    var reattached = false

    /// Wraps a planned node.
    init(node: Node, kind: any StageKind, plan: NodePlan, reason: RebuildReason, inputs: [FinishedRun.Input]) {
        self.node = node
        self.kind = kind
        self.plan = plan
        self.reason = reason
        self.inputs = inputs
    }

    /// The node key in hex.
    var key: String { plan.key?.hex ?? "" }

    /// The submission id of the current attempt.
    var submissionID: String { RemoteAttempt.submissionID(key: key, attempt: attempt) }

    /// The result file in the run directory.
    var resultPath: String { runDirectory + "/result.json" }
}
