/// The Unicode scalars of a UTF-8 byte range with the regex classes the pre-tokenizer patterns test.
///
/// Classes follow Oniguruma as `tokenizers` uses it: `\p{L}` is general category L*, `\p{N}` is N*,
/// `\s` is the White_Space property; `\r` and `\n` have a class of their own.
struct BPEScalarClasses {
    /// A scalar's class.
    enum Class: UInt8 {
        /// Not a letter, number or whitespace (`[^\s\p{L}\p{N}]`).
        case other = 0
        /// `\p{L}`.
        case letter = 1
        /// `\p{N}`.
        case number = 2
        /// `\s` except CR and LF.
        case space = 3
        /// CR or LF.
        case newline = 4
    }

    /// Byte index of each scalar's first byte, plus the range's end as a last element.
    var starts: [Int]
    /// The class of each scalar.
    var classes: [Class]
    /// The scalar values (needed for case-insensitive contractions).
    var scalars: [UInt32]

    /// Number of scalars.
    var count: Int { classes.count }

    private static let asciiClasses: [Class] = (0..<128).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"): return .newline
        case 0x09, 0x0B, 0x0C, 0x20: return .space
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return .other
        }
    }

    /// The class of a non-ASCII scalar.
    static func classify(_ scalar: Unicode.Scalar) -> Class {
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Decodes `bytes[range]` (valid UTF-8: it comes from a Swift string) and classifies each scalar.
    /// - Complexity: O(n) in the byte count.
    init(_ bytes: [UInt8], _ range: Range<Int>) {
        starts = []
        classes = []
        scalars = []
        starts.reserveCapacity(range.count + 1)
        classes.reserveCapacity(range.count)
        scalars.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let lead = bytes[index]
            starts.append(index)
            if lead < 0x80 {
                classes.append(Self.asciiClasses[Int(lead)])
                scalars.append(UInt32(lead))
                index += 1
                continue
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            var next = index + 1
            while next < min(index + length, range.upperBound) {
                value = value << 6 | UInt32(bytes[next] & 0x3F)
                next += 1
            }
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            classes.append(Self.classify(scalar))
            scalars.append(scalar.value)
            index = next
        }
        starts.append(range.upperBound)
    }

    /// The class at scalar `index`, or nil past the end.
    @inline(__always)
    func at(_ index: Int) -> Class? {
        index < classes.count ? classes[index] : nil
    }

    /// The end of the run of scalars of class `kind` starting at `index`.
    @inline(__always)
    func run(of kind: Class, from index: Int) -> Int {
        var end = index
        while end < classes.count && classes[end] == kind { end += 1 }
        return end
    }

    /// The end of the run of whitespace (`\s`, newlines included) starting at `index`.
    @inline(__always)
    func whitespaceRun(from index: Int) -> Int {
        var end = index
        while end < classes.count && (classes[end] == .space || classes[end] == .newline) { end += 1 }
        return end
    }
}
