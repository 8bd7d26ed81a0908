/// Typed access to metadata, with errors naming the key.
extension GGUFFile {
    /// The value of `key`, or `missingMetadata`.
    public func value(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw GGUFError.missingMetadata(file: source, key: key) }
        return value
    }

    /// The string at `key`; nil when absent, `metadataType` when not a string.
    public func string(_ key: String) throws -> String? {
        guard let value = metadata[key] else { return nil }
        guard let text = value.string else { throw typeError(key, "a string", value) }
        return text
    }

    /// The integer at `key` (any integer type); nil when absent, `metadataType` when not an integer or too large.
    public func int(_ key: String) throws -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let number = value.int else { throw typeError(key, "an integer", value) }
        return number
    }

    /// The number at `key` (float or integer) as `Double`; nil when absent.
    public func double(_ key: String) throws -> Double? {
        guard let value = metadata[key] else { return nil }
        guard let number = value.double else { throw typeError(key, "a number", value) }
        return number
    }

    /// The flag at `key`; nil when absent.
    public func bool(_ key: String) throws -> Bool? {
        guard let value = metadata[key] else { return nil }
        guard let flag = value.bool else { throw typeError(key, "a bool", value) }
        return flag
    }

    /// The array of strings at `key`; nil when absent.
    public func strings(_ key: String) throws -> [String]? {
        guard let value = metadata[key] else { return nil }
        guard case let .array(.string, elements) = value else { throw typeError(key, "an array of string", value) }
        return elements.compactMap(\.string)
    }

    /// The array of integers at `key` (any integer element type); nil when absent.
    public func ints(_ key: String) throws -> [Int]? {
        guard let value = metadata[key] else { return nil }
        guard case let .array(_, elements) = value else { throw typeError(key, "an array of integers", value) }
        return try elements.map {
            guard let number = $0.int else { throw typeError(key, "an array of integers", value) }
            return number
        }
    }

    private func typeError(_ key: String, _ expected: String, _ found: GGUFValue) -> GGUFError {
        .metadataType(file: source, key: key, expected: expected, found: found.typeName)
    }
}
