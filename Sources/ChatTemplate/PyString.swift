/// Python `str` operations on Unicode scalars (Python strings index code points, not grapheme clusters).
enum PyString {
    typealias Scalars = [Unicode.Scalar]

    /// The first index of `needle` in `hay` at or after `start`, or nil.
    static func find(_ needle: Scalars, in hay: Scalars, from start: Int = 0) -> Int? {
        guard needle.count <= hay.count else { return nil }
        if needle.isEmpty { return min(start, hay.count) }
        var i = start
        while i + needle.count <= hay.count {
            if hay[i] == needle[0], hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The last index of `needle` in `hay`, or nil.
    static func rfind(_ needle: Scalars, in hay: Scalars) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = hay.count - needle.count
        while i >= 0 {
            if hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    /// `s.strip(chars)`, `lstrip`, `rstrip`: whitespace when `chars` is nil.
    static func strip(_ s: String, chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { set.map { $0.contains(c) } ?? c.isPythonSpace }
        var a = Array(s.unicodeScalars)[...]
        if leading { while let f = a.first, strippable(f) { a.removeFirst() } }
        if trailing { while let l = a.last, strippable(l) { a.removeLast() } }
        return String(scalarsIn: a)
    }

    /// `s.split(sep, maxsplit)`; with `sep == nil`, splits on whitespace runs and drops empty parts.
    static func split(_ s: String, sep: String?, maxSplit: Int = -1) -> [String] {
        let a = Array(s.unicodeScalars)
        var parts: [String] = []
        guard let sep else {
            var i = 0
            while i < a.count {
                while i < a.count, a[i].isPythonSpace { i += 1 }
                guard i < a.count else { break }
                if maxSplit >= 0, parts.count == maxSplit {
                    var rest = Array(a[i...])[...]
                    while let l = rest.last, l.isPythonSpace { rest.removeLast() }
                    parts.append(String(scalarsIn: rest))
                    return parts
                }
                let start = i
                while i < a.count, !a[i].isPythonSpace { i += 1 }
                parts.append(String(scalarsIn: a[start..<i]))
            }
            return parts
        }
        let needle = Array(sep.unicodeScalars)
        var start = 0
        while maxSplit < 0 || parts.count < maxSplit, let hit = find(needle, in: a, from: start) {
            parts.append(String(scalarsIn: a[start..<hit]))
            start = hit + needle.count
        }
        parts.append(String(scalarsIn: a[start...]))
        return parts
    }

    /// `s.replace(old, new, count)`.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        let a = Array(s.unicodeScalars), o = Array(old.unicodeScalars), n = Array(new.unicodeScalars)
        var out: Scalars = []
        var i = 0, done = 0
        if o.isEmpty {
            for c in a {
                if count < 0 || done < count { out += n; done += 1 }
                out.append(c)
            }
            if count < 0 || done < count { out += n }
            return String(scalarsIn: out)
        }
        while i < a.count {
            if count < 0 || done < count, i + o.count <= a.count, a[i..<i + o.count].elementsEqual(o) {
                out += n
                i += o.count
                done += 1
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return String(scalarsIn: out)
    }

    /// Python `str.title()`: uppercase after a non-letter, lowercase elsewhere.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s.unicodeScalars {
            let isCased = c.properties.isCased
            out += previousCased ? String(c).lowercased() : String(c).uppercased()
            previousCased = isCased
        }
        return out
    }

    /// Python `str.capitalize()`: first character upper, rest lower.
    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return s }
        return String(first).uppercased() + String(scalarsIn: s.unicodeScalars.dropFirst()).lowercased()
    }

    /// Python `str.splitlines()`: splits at line boundaries (`\r\n` counts once), no trailing empty line.
    static func splitLines(_ s: String) -> [String] {
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        let a = Array(s.unicodeScalars)
        var lines: [String] = []
        var start = 0, i = 0
        while i < a.count {
            if breaks.contains(a[i].value) {
                lines.append(String(scalarsIn: a[start..<i]))
                if a[i] == "\r", i + 1 < a.count, a[i + 1] == "\n" { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < a.count { lines.append(String(scalarsIn: a[start...])) }
        return lines
    }
}
