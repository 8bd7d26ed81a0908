import Foundation

/// Parsing and validating the header against the data section.
extension SafeTensorsFile {
    /// The validated contents of a header.
    struct Header {
        /// Entries by name.
        var tensors: [String: SafeTensorInfo] = [:]
        /// The `__metadata__` strings.
        var metadata: [String: String] = [:]
        /// Offset of the data section from the start of the container.
        var dataStart = 0
    }

    /// Checks the length prefix, the header JSON, every entry, and that the entries tile the data.
    static func parseContainer(_ data: Data, source: String) throws -> Header {
        guard data.count >= 8 else { throw SafeTensorsError.fileTooShort(file: source, byteCount: data.count) }
        let base = data.startIndex
        let headerLength = data[base..<base + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(maxHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(file: source, headerLength: headerLength, limit: maxHeaderLength)
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw SafeTensorsError.headerBeyondFile(file: source, headerLength: headerLength, available: data.count - 8)
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = [UInt8](data[base + 8..<base + dataStart])
        if let offset = firstInvalidUTF8Offset(headerBytes) {
            throw SafeTensorsError.headerNotUTF8(file: source, byteOffset: offset)
        }
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(headerBytes)
        } catch let error as HeaderJSONSyntaxError {
            throw SafeTensorsError.headerNotJSON(file: source, byteOffset: error.offset, reason: error.message)
        }
        guard case let .object(members) = json else { throw SafeTensorsError.headerNotObject(file: source) }

        var header = Header(dataStart: dataStart)
        let dataSize = data.count - dataStart
        var sawMetadata = false
        for (key, value) in members {
            if key == "__metadata__" {
                guard !sawMetadata else {
                    throw SafeTensorsError.invalidMetadata(file: source, key: nil, problem: "appears more than once")
                }
                sawMetadata = true
                header.metadata = try parseMetadata(value, source: source)
            } else {
                guard header.tensors[key] == nil else {
                    throw SafeTensorsError.duplicateTensor(file: source, tensor: key)
                }
                header.tensors[key] = try parseEntry(key, value, dataSize: dataSize, source: source)
            }
        }
        try checkTiling(Array(header.tensors.values), dataSize: dataSize, source: source)
        return header
    }

    /// The offset of the first byte that does not continue valid UTF-8, or nil when all is valid.
    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private static func parseMetadata(_ value: HeaderJSON, source: String) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw SafeTensorsError.invalidMetadata(file: source, key: nil, problem: "is \(value.typeName), not an object")
        }
        var metadata: [String: String] = [:]
        for (key, entry) in members {
            guard metadata[key] == nil else {
                throw SafeTensorsError.invalidMetadata(file: source, key: key, problem: "appears more than once")
            }
            guard case let .string(text) = entry else {
                throw SafeTensorsError.invalidMetadata(file: source, key: key, problem: "is \(entry.typeName), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(_ name: String, _ value: HeaderJSON, dataSize: Int,
                                   source: String) throws -> SafeTensorInfo {
        func invalid(_ field: String, _ problem: String) -> SafeTensorsError {
            .invalidEntry(file: source, tensor: name, field: field, problem: problem)
        }
        guard case let .object(members) = value else {
            throw invalid("(entry)", "is \(value.typeName), not an object")
        }
        var fields: [String: HeaderJSON] = [:]
        for (key, field) in members {
            guard fields[key] == nil else { throw invalid(key, "appears more than once") }
            fields[key] = field
        }

        guard let dtypeValue = fields["dtype"] else { throw invalid("dtype", "is missing") }
        guard case let .string(dtypeName) = dtypeValue else {
            throw invalid("dtype", "is \(dtypeValue.typeName), not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(file: source, tensor: name, dtype: dtypeName)
        }

        guard let shapeValue = fields["shape"] else { throw invalid("shape", "is missing") }
        guard case let .array(dimensions) = shapeValue else {
            throw invalid("shape", "is \(shapeValue.typeName), not an array")
        }
        let shapeText = "[" + dimensions.map(\.integerText).joined(separator: ", ") + "]"
        var shape: [Int] = []
        var elementCount = 1
        for dimension in dimensions {
            guard case let .number(text) = dimension, isInteger(text) else {
                throw invalid("shape", "holds \(dimension.typeName) that is not an integer")
            }
            guard !text.hasPrefix("-") else {
                throw SafeTensorsError.invalidShape(file: source, tensor: name, shape: shapeText,
                                                    problem: "dimension \(text) is negative")
            }
            guard let size = Int(text) else {
                throw SafeTensorsError.invalidShape(file: source, tensor: name, shape: shapeText,
                                                    problem: "dimension \(text) is too large")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw SafeTensorsError.invalidShape(file: source, tensor: name, shape: shapeText,
                                                    problem: "the element count overflows")
            }
            elementCount = product
            shape.append(size)
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw SafeTensorsError.invalidShape(file: source, tensor: name, shape: shapeText,
                                                problem: "the byte count overflows")
        }

        guard let offsetsValue = fields["data_offsets"] else { throw invalid("data_offsets", "is missing") }
        guard case let .array(offsets) = offsetsValue, offsets.count == 2,
              case let .number(beginText) = offsets[0], case let .number(endText) = offsets[1],
              isInteger(beginText), isInteger(endText), !beginText.hasPrefix("-"), !endText.hasPrefix("-")
        else {
            throw invalid("data_offsets", "is not an array of two non-negative integers")
        }
        let begin = UInt64(beginText) ?? .max
        let end = UInt64(endText) ?? .max
        guard begin <= end else {
            throw SafeTensorsError.reversedOffsets(file: source, tensor: name, begin: begin, end: end)
        }
        guard end <= UInt64(dataSize) else {
            throw SafeTensorsError.offsetsOutOfRange(file: source, tensor: name, begin: begin, end: end,
                                                     dataSize: dataSize)
        }
        let range = Int(begin)..<Int(end)
        guard range.count == byteCount else {
            throw SafeTensorsError.byteCountMismatch(file: source, tensor: name, dtype: dtype, shape: shape,
                                                     expected: byteCount, actual: range.count)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: range)
    }

    /// Whether a JSON number's text is an integer (no fraction, no exponent).
    private static func isInteger(_ text: String) -> Bool {
        !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
    }

    /// Checks that the byte ranges, in file order, cover `0..<dataSize` without overlap or gap.
    private static func checkTiling(_ infos: [SafeTensorInfo], dataSize: Int, source: String) throws {
        let ordered = infos.sorted {
            if $0.byteRange != $1.byteRange {
                return ($0.byteRange.lowerBound, $0.byteRange.upperBound)
                    < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
            }
            return SafeTensorsWriter.nameOrder($0.name, $1.name)
        }
        var covered = 0
        var previous: SafeTensorInfo?
        for info in ordered {
            if info.byteRange.lowerBound < covered, let previous {
                throw SafeTensorsError.overlappingTensors(file: source, tensor: info.name, other: previous.name)
            }
            if info.byteRange.lowerBound > covered {
                throw SafeTensorsError.gapInData(file: source, tensor: info.name, expectedBegin: covered,
                                                 begin: info.byteRange.lowerBound)
            }
            covered = info.byteRange.upperBound
            previous = info
        }
        guard covered == dataSize else {
            throw SafeTensorsError.trailingData(file: source, coveredEnd: covered, dataSize: dataSize)
        }
    }
}

extension HeaderJSON {
    /// The value as written when it is a number, else its type name (for shapes in messages).
    fileprivate var integerText: String {
        if case let .number(text) = self { return text }
        return typeName
    }
}
