import Foundation

/// A rendered conversation with the UTF-8 byte ranges of the assistant text a model should be trained on.
public struct RenderedChat: Sendable, Equatable {
    /// The rendered text, exactly as transformers renders it.
    public let text: String
    /// Sorted, non-overlapping UTF-8 byte ranges of `text` that belong to assistant turns.
    public let assistantSpans: [Range<Int>]
}

extension ChatTemplate {
    /// Renders `messages` and finds the assistant spans: the `{% generation %}` blocks when the template has them,
    /// otherwise, for each assistant message, the rendered text from the first to the last of its printed string
    /// fields (`content` and the reasoning fields), plus the end-of-turn text the template writes right after it
    /// (e.g. `<|im_end|>`, `<|eot_id|>`, `</s>`; up to the first whitespace), which the model has to generate to stop.
    /// Located by re-rendering: each field is swapped for a sentinel and the two renders compared, then the
    /// conversation is cut after the message to see where its turn ends.
    /// - Complexity: 1 + (fields + 1) renders per assistant message when the template has no generation blocks.
    public func renderWithAssistantSpans(messages: [Value], addGenerationPrompt: Bool, specialTokens: [String: String] = [:],
                                         variables: [String: Value] = [:], includeEndOfTurn: Bool = true,
                                         now: Date = Date(), timeZone: TimeZone = .current) throws -> RenderedChat {
        func renderScalars(_ msgs: [Value], _ agp: Bool) throws -> [Unicode.Scalar] {
            Array(try render(messages: msgs, addGenerationPrompt: agp, specialTokens: specialTokens, variables: variables,
                             now: now, timeZone: timeZone).unicodeScalars)
        }
        if hasGenerationBlocks {
            let context = ChatTemplate.context(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                               specialTokens: specialTokens, variables: variables)
            let (text, spans) = try renderTracked(context, now: now, timeZone: timeZone)
            return RenderedChat(text: text, assistantSpans: spans.filter { !$0.isEmpty })
        }
        let full = try renderScalars(messages, addGenerationPrompt)
        let byteOffsets = Self.utf8Offsets(full)
        var spans: [Range<Int>] = []
        /// Scalar range in `full` of message `i`'s field `key`, found by swapping the field for a sentinel; nil when
        /// the template does not print the field.
        func fieldRange(_ i: Int, _ d: OrderedDict, _ key: String, _ value: String) throws -> Range<Int>? {
            let sentinel = Self.sentinel(avoiding: value)
            var swapped = messages
            var changed = d
            changed[key] = .string(sentinel)
            swapped[i] = .dict(changed)
            let other = try renderScalars(swapped, addGenerationPrompt)
            guard other != full else { return nil }
            let prefix = Self.commonPrefix(full[...], other[...])
            let suffix = Self.commonSuffix(full[prefix...], other[prefix...])
            let sentinelScalars = Array(sentinel.unicodeScalars)
            guard other.count - suffix - prefix == sentinelScalars.count,
                  Array(other[prefix..<other.count - suffix]) == sentinelScalars else {
                throw ChatTemplateError.spans("message \(i) (assistant): the template does not write its \(key) once and "
                    + "unchanged, so its span cannot be found by rendering; add {% generation %} blocks to the template")
            }
            return prefix..<(full.count - suffix)
        }
        for (i, message) in messages.enumerated() {
            guard case let .dict(d) = message, d["role"] == .string("assistant") else { continue }
            var ranges: [Range<Int>] = []
            for key in ["content", "reasoning_content", "thinking", "reasoning"] {
                guard case let .string(value)? = d[key], let range = try fieldRange(i, d, key, value) else { continue }
                ranges.append(range)
            }
            guard let start = ranges.map(\.lowerBound).min(), var end = ranges.map(\.upperBound).max() else { continue }
            if includeEndOfTurn, let cut = try? renderScalars(Array(messages[...i]), false) {
                // Where the message ends in the cut conversation: after the last copy of its rendered text there
                // (the template may lay out a final message differently), else at the same offset.
                let rendered = Array(full[start..<end])
                var k = rendered.isEmpty ? end : (PyString.rfind(rendered, in: cut).map { $0 + rendered.count } ?? end)
                var j = end
                while j < full.count, k < cut.count, full[j] == cut[k], !full[j].isPythonSpace {
                    j += 1
                    k += 1
                }
                end = j
            }
            if end > start { spans.append(byteOffsets[start]..<byteOffsets[end]) }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: full)
        return RenderedChat(text: text, assistantSpans: spans)
    }

    /// UTF-8 byte offset of every scalar index, plus the total at the end.
    static func utf8Offsets(_ scalars: [Unicode.Scalar]) -> [Int] {
        var offsets = [0]
        offsets.reserveCapacity(scalars.count + 1)
        for s in scalars { offsets.append(offsets.last! + UTF8.width(s)) }
        return offsets
    }

    /// The index in `a` where `a` and `b` (slices starting at the same index) first differ.
    static func commonPrefix(_ a: ArraySlice<Unicode.Scalar>, _ b: ArraySlice<Unicode.Scalar>) -> Int {
        var n = 0
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex, j < b.endIndex, a[i] == b[j] { n += 1; i += 1; j += 1 }
        return a.startIndex + n
    }

    /// How many trailing scalars `a` and `b` share.
    static func commonSuffix(_ a: ArraySlice<Unicode.Scalar>, _ b: ArraySlice<Unicode.Scalar>) -> Int {
        var n = 0
        while n < a.count, n < b.count, a[a.endIndex - 1 - n] == b[b.endIndex - 1 - n] { n += 1 }
        return n
    }

    /// A run of private-use characters that share no character with `content` and contain no whitespace.
    static func sentinel(avoiding content: String) -> String {
        let used = Set(content.unicodeScalars)
        for base in stride(from: 0xF0000 as UInt32, to: 0xFFF00, by: 8) {
            let scalars = (0..<4).compactMap { Unicode.Scalar(base + $0) }
            if scalars.allSatisfy({ !used.contains($0) }) { return String(scalarsIn: scalars) }
        }
        return "\u{E000}\u{E001}\u{E002}\u{E003}"
    }
}
