import ArgumentParser
import Foundation
import GGUF
import Model

/// `rlhf model tokenize`: a model's token ids for a text or for each line of a file.
struct ModelTokenizeCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print a model's token ids for a text (--text) or for each line of a file (--file).",
        discussion: "Ids are printed as a JSON array, one per text. With --json each text gives an object "
            + "{\"ids\", \"tokens\", \"offsets\"} (offsets are UTF-8 byte ranges). Special tokens spelled in the text "
            + "become their ids, as Hugging Face tokenizers does by default; --no-special keeps them as text."
    )

    /// Model: a checkpoint directory with tokenizer.json, or a GGUF file.
    @Argument(help: "Model: a Hugging Face directory with tokenizer.json (and tokenizer_config.json), or a GGUF file.")
    var model: String

    /// The text to encode.
    @Option(help: "The text to encode.")
    var text: String?

    /// A file whose lines are encoded one by one.
    @Option(help: "A file whose lines are encoded one by one (one JSON array or object per line).")
    var file: String?

    /// Read each line of --file as a JSON string literal, so texts can hold newlines.
    @Flag(help: "Read each line of --file as a JSON string literal, so texts can hold newlines.")
    var jsonLines = false

    /// Also print token strings and byte offsets.
    @Flag(help: "Print {\"ids\", \"tokens\", \"offsets\"} objects instead of id arrays.")
    var json = false

    /// Whether spelled special tokens become their ids.
    @Flag(inversion: .prefixedNo, help: "Turn special tokens spelled in the text into their ids.")
    var special = true

    /// Check that decoding each text's ids gives the text back.
    @Flag(help: "Decode each text's ids (special tokens shown) and report on standard error the texts that do not come back byte for byte.")
    var checkRoundTrip = false

    /// Print encode throughput to standard error.
    @Flag(help: "Print the encode time (loading and printing excluded) and throughput to standard error.")
    var stats = false

    /// Checks the arguments before running.
    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text and --file") }
        if jsonLines && file == nil { throw ValidationError("--json-lines reads --file; give --file") }
    }

    /// The tokenizer of `path`: an HF directory (`tokenizer.json`) or a GGUF file (`tokenizer.ggml.*` metadata);
    /// the one place to add other model formats.
    static func loadTokenizer(at path: String) throws -> any Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizeInputError(message: "\(path): no such file or directory; give a model directory with "
                + "tokenizer.json or a GGUF file")
        }
        let url = URL(fileURLWithPath: path)
        if isDirectory.boolValue { return try TokenizerFiles.load(from: url) }
        guard GGUFFile.hasMagic(url) else {
            throw TokenizeInputError(message: "\(path): neither a directory nor a GGUF file; give a Hugging Face model "
                + "directory with tokenizer.json or a .gguf file")
        }
        return try BPETokenizer(ggufAt: url)
    }

    /// CPU time of the calling thread, in seconds (wall time is meaningless on a busy machine).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The texts to encode: --text, or the lines of --file.
    func texts() throws -> [String] {
        if let text { return [text] }
        guard let file else { return [] }
        let content: String
        do {
            content = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TokenizeInputError(message: "\(file): cannot read as UTF-8 text: \(error.localizedDescription)")
        }
        var lines = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard jsonLines else { return lines }
        return try lines.enumerated().map { index, line in
            guard let text = try? JSONDecoder().decode(String.self, from: Data(line.utf8)) else {
                throw TokenizeInputError(message: "\(file):\(index + 1): not a JSON string literal (--json-lines); "
                    + "write each text as a quoted JSON string, e.g. \"a\\nb\"")
            }
            return text
        }
    }

    /// One line of output for an encoded text.
    struct Line: Encodable {
        /// Token ids.
        var ids: [Int32]
        /// Vocabulary spellings of the ids.
        var tokens: [String]
        /// UTF-8 byte range [start, end) of each token.
        var offsets: [[Int]]
    }

    /// Runs the command.
    func run() throws {
        let tokenizer = try Self.loadTokenizer(at: model)
        let inputs = try texts()
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = Self.threadCPUSeconds()
        let encoded = inputs.map { tokenizer.encodeWithOffsets($0, allowSpecial: special) }
        let cpuSeconds = Self.threadCPUSeconds() - cpuStart
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var output = ""
        for encoding in encoded {
            if json {
                let line = Line(ids: encoding.ids, tokens: encoding.ids.map { tokenizer.tokenString($0) ?? "" },
                                offsets: encoding.offsets.map { [$0.lowerBound, $0.upperBound] })
                output += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
            } else {
                output += "[" + encoding.ids.map(String.init).joined(separator: ", ") + "]\n"
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        if checkRoundTrip {
            // Byte comparison: Swift's `==` treats canonically equivalent texts (NFC and NFD) as equal.
            let failures = zip(inputs, encoded).enumerated().filter { _, pair in
                !tokenizer.decode(pair.1.ids, showSpecial: true).utf8.elementsEqual(pair.0.utf8)
            }
            for (index, _) in failures.prefix(10) {
                FileHandle.standardError.write(Data("round trip differs for text \(index + 1)\n".utf8))
            }
            FileHandle.standardError.write(Data("round trip: \(inputs.count - failures.count) of \(inputs.count) texts unchanged\n".utf8))
        }
        if stats {
            let bytes = inputs.reduce(0) { $0 + $1.utf8.count }
            let line = String(format: "encoded %d texts, %d bytes in %.3f s (%.3f s of CPU): %.0f texts/s, %.2f MB/s per CPU second\n",
                              inputs.count, bytes, seconds, cpuSeconds, Double(inputs.count) / cpuSeconds,
                              Double(bytes) / cpuSeconds / 1e6)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

/// A model path or input file that `rlhf model tokenize` cannot use, with what to do about it.
struct TokenizeInputError: Error, CustomStringConvertible {
    /// The file, the problem and the fix.
    var message: String

    /// The message.
    var description: String { message }
}
