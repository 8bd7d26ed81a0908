/// Parsing and validating the header: metadata, tensor infos, alignment and the data section.
extension GGUFFile {
    /// The validated contents of a header.
    struct Header {
        var version: UInt32 = 0
        var alignment = GGUFFile.defaultAlignment
        var metadata: [String: GGUFValue] = [:]
        var metadataKeys: [String] = []
        var tensors: [GGUFTensorInfo] = []
        var dataStart: UInt64 = 0
    }

    /// The smallest tensor info: name length, one dimension, n_dims, type and offset.
    private static let minimumTensorInfoSize: UInt64 = 8 + 4 + 8 + 4 + 8
    /// The smallest metadata pair: key length, value type and a one-byte value.
    private static let minimumKeyValueSize: UInt64 = 8 + 4 + 1

    /// Reads the header of `source` and checks it against the file's size.
    static func parseHeader(_ source: GGUFByteSource) throws -> Header {
        let file = source.source
        var cursor = GGUFHeaderCursor(source: source)
        let magic = Array(try cursor.take(min(4, source.size), "magic"))
        guard magic == Array("GGUF".utf8) else { throw GGUFError.badMagic(file: file, found: magic) }
        var header = Header()
        header.version = try cursor.integer(UInt32.self, "version")
        guard header.version == 2 || header.version == 3 else {
            throw GGUFError.unsupportedVersion(file: file, version: header.version)
        }
        let tensorCount = try cursor.integer(UInt64.self, "tensor count")
        let keyValueCount = try cursor.integer(UInt64.self, "metadata count")
        try checkCount(keyValueCount, each: minimumKeyValueSize, "metadata count", cursor, file)

        for index in 0..<Int(keyValueCount) {
            let key = try cursor.string("key of metadata pair \(index)")
            guard header.metadata[key] == nil else { throw GGUFError.duplicateKey(file: file, key: key) }
            let rawType = try cursor.integer(UInt32.self, "type of metadata '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(file: file, key: key, type: rawType)
            }
            header.metadata[key] = try readValue(type, key: key, depth: 0, &cursor, file)
            header.metadataKeys.append(key)
        }
        if let value = header.metadata["general.alignment"] {
            guard case let .uint32(alignment) = value else {
                throw GGUFError.badAlignment(file: file, problem: "is \(value.typeName)")
            }
            guard alignment > 0, alignment & (alignment - 1) == 0 else {
                throw GGUFError.badAlignment(file: file, problem: "is \(alignment)")
            }
            header.alignment = Int(alignment)
        }

        try checkCount(tensorCount, each: minimumTensorInfoSize, "tensor count", cursor, file)
        var names = Set<String>()
        for index in 0..<Int(tensorCount) {
            let info = try readTensorInfo(index, alignment: header.alignment, &cursor, file)
            guard names.insert(info.name).inserted else { throw GGUFError.duplicateTensor(file: file, tensor: info.name) }
            header.tensors.append(info)
        }

        let alignment = UInt64(header.alignment)
        let (padded, overflow) = cursor.position.addingReportingOverflow(alignment - 1)
        header.dataStart = overflow ? .max : padded / alignment * alignment
        let dataSize = source.size > header.dataStart ? source.size - header.dataStart : 0
        try checkPlacement(header.tensors, dataSize: dataSize, file)
        return header
    }

    /// Rejects a count whose elements cannot fit in what remains of the file (each needs at least `each` bytes).
    private static func checkCount(_ count: UInt64, each: UInt64, _ what: String, _ cursor: GGUFHeaderCursor,
                                   _ file: String) throws {
        let limit = cursor.remaining / each
        guard count <= limit, count <= UInt64(Int.max) else {
            throw GGUFError.absurdCount(file: file, what: what, count: count, limit: limit)
        }
    }

    /// One metadata value of `type`; arrays recurse up to `maxArrayDepth`.
    private static func readValue(_ type: GGUFValueType, key: String, depth: Int, _ cursor: inout GGUFHeaderCursor,
                                  _ file: String) throws -> GGUFValue {
        let what = "value of metadata '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.integer(UInt8.self, what))
        case .int8: return .int8(Int8(bitPattern: try cursor.integer(UInt8.self, what)))
        case .uint16: return .uint16(try cursor.integer(UInt16.self, what))
        case .int16: return .int16(Int16(bitPattern: try cursor.integer(UInt16.self, what)))
        case .uint32: return .uint32(try cursor.integer(UInt32.self, what))
        case .int32: return .int32(Int32(bitPattern: try cursor.integer(UInt32.self, what)))
        case .float32: return .float32(Float(bitPattern: try cursor.integer(UInt32.self, what)))
        case .uint64: return .uint64(try cursor.integer(UInt64.self, what))
        case .int64: return .int64(Int64(bitPattern: try cursor.integer(UInt64.self, what)))
        case .float64: return .float64(Double(bitPattern: try cursor.integer(UInt64.self, what)))
        case .bool:
            let byte = try cursor.integer(UInt8.self, what)
            guard byte <= 1 else {
                throw GGUFError.metadataType(file: file, key: key, expected: "a bool (0 or 1)", found: "byte \(byte)")
            }
            return .bool(byte == 1)
        case .string: return .string(try cursor.string(what))
        case .array:
            guard depth < maxArrayDepth else { throw GGUFError.nestingTooDeep(file: file, key: key, limit: maxArrayDepth) }
            let rawType = try cursor.integer(UInt32.self, "element type of metadata '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(file: file, key: key, type: rawType)
            }
            let count = try cursor.integer(UInt64.self, "element count of metadata '\(key)'")
            try checkCount(count, each: elementType.minimumByteSize, "element count of metadata '\(key)'", cursor, file)
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                elements.append(try readValue(elementType, key: key, depth: depth + 1, &cursor, file))
            }
            return .array(elementType: elementType, elements)
        }
    }

    /// One tensor info, with its dimensions, type and byte size checked.
    private static func readTensorInfo(_ index: Int, alignment: Int, _ cursor: inout GGUFHeaderCursor,
                                       _ file: String) throws -> GGUFTensorInfo {
        let name = try cursor.string("name of tensor \(index)")
        func invalid(_ problem: String) -> GGUFError { .invalidTensorInfo(file: file, tensor: name, problem: problem) }
        let dimensionCount = try cursor.integer(UInt32.self, "dimension count of tensor '\(name)'")
        guard (1...UInt32(maxDimensions)).contains(dimensionCount) else {
            throw invalid("\(dimensionCount) dimensions (1 to \(maxDimensions) allowed)")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for _ in 0..<dimensionCount {
            let raw = try cursor.integer(UInt64.self, "dimensions of tensor '\(name)'")
            guard let dimension = Int(exactly: raw) else {
                throw invalid("dimension \(raw) is too large")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("the element count of dimensions \(dimensions + [dimension]) overflows") }
            elementCount = product
            dimensions.append(dimension)
        }
        let rawType = try cursor.integer(UInt32.self, "type of tensor '\(name)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw GGUFError.unknownTensorType(file: file, tensor: name, type: rawType)
        }
        let offset = try cursor.integer(UInt64.self, "offset of tensor '\(name)'")
        guard dimensions[0] % type.blockSize == 0 else {
            throw invalid("rows of \(dimensions[0]) elements are not whole \(type.name) blocks of \(type.blockSize)")
        }
        let (byteCount, overflow) = (elementCount / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
        guard !overflow else { throw invalid("the byte count overflows") }
        guard offset % UInt64(alignment) == 0 else {
            throw GGUFError.misalignedTensor(file: file, tensor: name, offset: offset, alignment: alignment)
        }
        let (end, endOverflow) = offset.addingReportingOverflow(UInt64(byteCount))
        guard !endOverflow else { throw invalid("offset \(offset) plus \(byteCount) bytes overflows") }
        return GGUFTensorInfo(name: name, type: type, dimensions: dimensions, byteRange: offset..<end)
    }

    /// Checks that every tensor lies inside the data section and that none overlap.
    private static func checkPlacement(_ tensors: [GGUFTensorInfo], dataSize: UInt64, _ file: String) throws {
        var previous: GGUFTensorInfo?
        for info in tensors.sorted(by: { ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound) }) {
            guard info.byteRange.upperBound <= dataSize else {
                throw GGUFError.tensorOutOfRange(file: file, tensor: info.name, begin: info.byteRange.lowerBound,
                                                 end: info.byteRange.upperBound, dataSize: dataSize)
            }
            if let previous, info.byteRange.lowerBound < previous.byteRange.upperBound, !info.byteRange.isEmpty {
                throw GGUFError.overlappingTensors(file: file, tensor: info.name, other: previous.name)
            }
            if !info.byteRange.isEmpty { previous = info }
        }
    }
}
