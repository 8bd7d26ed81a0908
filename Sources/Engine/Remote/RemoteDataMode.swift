/// How a remote node's data reaches its worker and comes back (`rlhf build --remote-data`).
public enum RemoteDataMode: String, Sendable, CaseIterable {
    /// The workspace is on a file system the workers share: the run directory lives there (the usual Slurm set-up).
    case shared
    /// No shared file system (Ray, cloud): the driver pushes the inputs and the spec to the content cache, the worker
    /// runs `rlhf run-node s3://…/runs/<id>/spec.json` and pushes outputs and result there, and the driver downloads
    /// and verifies them before recording the run. Needs a content cache URL.
    case cache
}
