import EngineCore
import Foundation

/// One presentation of a pair to a command judge and its answer, kept with every reason.
struct CommandJudgement: Equatable, Sendable {
    /// The id the judge saw.
    var id: String
    /// The pair's own id.
    var pair: String
    /// Whether A and B were swapped in this presentation.
    var swapped: Bool
    /// The judge's verdict in the order it saw.
    var winner: PairWinner
    /// The judge's reason, if it gave one.
    var reason: String?
}

/// A user program as a judge (an LLM-judge API call, a labelling tool, a rule).
///
/// Protocol: the program reads a JSONL file of `{"id","prompt","response_a","response_b"}` at
/// `$RLHF_JUDGE_IN` (`prompt` is the final user message; a prompt with a system message or earlier turns adds
/// `"context"`, the `{"role","content"}` messages before it) and writes `{"id","winner":"a"|"b"|"tie","reason"}` lines to `$RLHF_JUDGE_OUT`
/// (`$RLHF_JUDGE_PROGRAM` is the wired program file, if any). The engine swaps A and B for half the
/// pairs, and shows half the pairs a second time in the other order: the position bias is the fraction
/// of those whose verdict changes with the order. A crash, a timeout, a skipped or unknown id or a
/// malformed line fails with a clear error.
struct CommandJudge: PairJudge {
    /// "command".
    let name = "command"
    /// The bash command line.
    var command: String
    /// The program file wired as the judge's input, if any.
    var program: URL?
    /// Seconds one batch may take.
    var timeout: Double
    /// Presentations per program run.
    var batchSize: Int
    /// The workspace root (the program's working directory).
    var workspace: URL
    /// Where request and verdict files go.
    var scratch: URL
    /// The node using the judge, for errors.
    var node: String
    /// The run, to stop the program when the build is interrupted.
    var context: StageContext?
    /// Pairs shown in both orders by the last call.
    private(set) var positionChecks = 0
    /// Of those, how many verdicts changed with the order.
    private(set) var positionChanges = 0
    /// Every presentation of every call so far, with the judge's reason.
    private(set) var judgements: [CommandJudgement] = []
    /// Program runs so far (names the request files).
    private var runs = 0

    /// A judge running `command` (with `program` as `$RLHF_JUDGE_PROGRAM`) in `workspace`, `batchSize` pairs per run,
    /// each run stopped after `timeout` seconds; request and verdict files go to `scratch`.
    init(command: String, program: URL?, timeout: Double, batchSize: Int, workspace: URL, scratch: URL, node: String,
         context: StageContext?) {
        self.command = command
        self.program = program
        self.timeout = timeout
        self.batchSize = batchSize
        self.workspace = workspace
        self.scratch = scratch
        self.node = node
        self.context = context
    }

    /// The default command: run the wired program with the request and verdict paths.
    static let defaultCommand = #""$RLHF_JUDGE_PROGRAM" "$RLHF_JUDGE_IN" "$RLHF_JUDGE_OUT""#

    /// Position bias of the calls so far: changed verdicts over pairs shown in both orders (nil when none were).
    var positionBias: Double? { positionChecks == 0 ? nil : Double(positionChanges) / Double(positionChecks) }

    /// Verdicts in each pair's own A/B order (from its first presentation).
    mutating func judge(_ pairs: [JudgePair]) throws -> [PairVerdict?] {
        var presentations: [(pair: Int, swapped: Bool, id: String)] = []
        for (index, pair) in pairs.enumerated() {
            let swapped = index % 2 == 1
            presentations.append((index, swapped, pair.id))
            if (index / 2) % 2 == 0 { presentations.append((index, !swapped, pair.id + "~swapped")) }
        }
        var answers: [String: PairVerdict] = [:]
        for start in stride(from: 0, to: presentations.count, by: batchSize) {
            let batch = Array(presentations[start..<min(start + batchSize, presentations.count)])
            let requests = batch.map { item -> JSONValue in
                let pair = pairs[item.pair]
                let (a, b) = item.swapped ? (pair.b.text, pair.a.text) : (pair.a.text, pair.b.text)
                var request: [String: JSONValue] = ["id": .string(item.id), "prompt": .string(pair.prompt), "response_a": .string(a), "response_b": .string(b)]
                if !pair.context.isEmpty {
                    request["context"] = .array(pair.context.messages(user: pair.prompt).dropLast().map {
                        .object(["role": .string($0.role), "content": .string($0.content)])
                    })
                }
                return .object(request)
            }
            let verdicts = try run(requests, ids: batch.map(\.id))
            for item in batch {
                let verdict = verdicts[item.id]!
                judgements.append(CommandJudgement(id: item.id, pair: pairs[item.pair].id, swapped: item.swapped,
                                                   winner: verdict.winner, reason: verdict.reason))
                answers[item.id] = verdict
            }
        }
        var result: [PairVerdict?] = []
        for (index, pair) in pairs.enumerated() {
            let swapped = index % 2 == 1
            var first = answers[pair.id]!
            if swapped { first.winner = first.winner.swapped }
            if var check = answers[pair.id + "~swapped"] {
                if !swapped { check.winner = check.winner.swapped }
                positionChecks += 1
                if check.winner != first.winner { positionChanges += 1 }
            }
            result.append(first)
        }
        return result
    }

    /// Runs the program on one batch of requests and returns its verdict for every id.
    private mutating func run(_ requests: [JSONValue], ids: [String]) throws -> [String: PairVerdict] {
        runs += 1
        let input = scratch.appendingPathComponent("judge-\(runs)-requests.jsonl")
        let output = scratch.appendingPathComponent("judge-\(runs)-verdicts.jsonl")
        let stderr = scratch.appendingPathComponent("judge-\(runs)-stderr.log")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for stale in [output, stderr] { try? FileManager.default.removeItem(at: stale) }
        try Data(requests.map { $0.canonical + "\n" }.joined().utf8).write(to: input)
        var environment = ProcessInfo.processInfo.environment
        environment["RLHF_JUDGE_IN"] = input.path
        environment["RLHF_JUDGE_OUT"] = output.path
        environment["RLHF_JUDGE_PROGRAM"] = program?.path ?? ""
        let child = try ChildProcess.spawn(arguments: ["/bin/bash", "-c", command], environment: environment,
                                           directory: workspace.path, stdout: stderr.path, stderr: stderr.path)
        context?.onCancel { child.terminate() }
        let finished = DispatchSemaphore(value: 0)
        let status = StatusBox()
        DispatchQueue.global().async {
            status.value = child.wait()
            finished.signal()
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            child.terminate()
            finished.wait()
            throw failure("timed out after \(Self.seconds(timeout)) s on a batch of \(ids.count) pairs; raise judge_timeout or lower judge_batch_size")
        }
        if context?.isCancelled == true { throw StagesError.cancelled(node: node) }
        guard status.value == 0 else {
            let last = CommandKind.lastLine(of: stderr.path)
            throw failure("the program exited with status \(status.value)" + (last.isEmpty ? "" : ": \(last)"))
        }
        guard FileManager.default.fileExists(atPath: output.path) else {
            throw failure("the program wrote no verdicts to $RLHF_JUDGE_OUT")
        }
        let read = try RecordReader().read(.verdicts, from: output, file: "the command judge's verdicts")
        if let issue = read.issues.first {
            throw failure("malformed verdict on line \(issue.line): \(issue.message)" + (read.issues.count > 1 ? " (and \(read.issues.count - 1) more bad lines)" : ""))
        }
        let expected = Set(ids)
        var verdicts: [String: PairVerdict] = [:]
        for (line, record) in read.records {
            guard case .verdict(let id, let verdict) = record else { continue }
            guard expected.contains(id) else { throw failure("line \(line) answers unknown id \"\(id)\"") }
            guard verdicts[id] == nil else { throw failure("line \(line) answers id \"\(id)\" a second time") }
            verdicts[id] = verdict
        }
        let missing = ids.filter { verdicts[$0] == nil }
        guard missing.isEmpty else {
            throw failure("no verdict for \(missing.count) of \(ids.count) ids (first: \(missing.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        return verdicts
    }

    /// A judge failure of this node.
    private func failure(_ message: String) -> StagesError {
        .judgeFailed(node: node, judge: name, message: message)
    }

    /// `value` without a trailing ".0".
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// The exit status a waiting thread hands back.
private final class StatusBox: @unchecked Sendable {
    /// The status.
    var value: Int32 = 0
}
