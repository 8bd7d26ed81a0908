import Foundation

/// Reading float tensors, converting half-precision types to `Float`.
extension SafeTensorsFile {
    /// The elements of `name` as `Float` (F32 as stored; F16 and BF16 converted exactly).
    ///
    /// Throws `tensorNotFound`, `dtypeMismatch` for other dtypes, and `shapeMismatch` when
    /// `expectedShape` is given and differs.
    /// - Complexity: O(n) in the tensor's element count.
    public func floats(_ name: String, expectedShape: [Int]? = nil) throws -> [Float] {
        let (info, encoding) = try checkedFloatInfo(name, expectedShape: expectedShape)
        let count = info.elementCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            decode(info, encoding, into: buffer)
            initialized = count
        }
    }

    /// Copies the elements of `name` as `Float` into `buffer`, which must hold exactly that many.
    ///
    /// Same checks as `floats(_:expectedShape:)`, plus `bufferSizeMismatch`.
    /// - Complexity: O(n) in the tensor's element count.
    public func copyFloats(_ name: String, expectedShape: [Int]?,
                           into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let (info, encoding) = try checkedFloatInfo(name, expectedShape: expectedShape)
        guard buffer.count == info.elementCount else {
            throw SafeTensorsError.bufferSizeMismatch(file: source, tensor: name, expected: info.elementCount,
                                                      actual: buffer.count)
        }
        decode(info, encoding, into: buffer)
    }

    /// How a float tensor's elements are stored.
    private enum FloatEncoding {
        case binary32, binary16, bfloat16
    }

    private func checkedFloatInfo(_ name: String,
                                  expectedShape: [Int]?) throws -> (SafeTensorInfo, FloatEncoding) {
        let info = try info(name)
        let encoding: FloatEncoding
        switch info.dtype {
        case .F32: encoding = .binary32
        case .F16: encoding = .binary16
        case .BF16: encoding = .bfloat16
        default:
            throw SafeTensorsError.dtypeMismatch(file: source, tensor: name, expected: "F32, F16 or BF16",
                                                 actual: info.dtype)
        }
        if let expectedShape, expectedShape != info.shape {
            throw SafeTensorsError.shapeMismatch(file: source, tensor: name, expected: expectedShape,
                                                 actual: info.shape)
        }
        return (info, encoding)
    }

    /// Decodes a validated float entry into a buffer of exactly its element count.
    private func decode(_ info: SafeTensorInfo, _ encoding: FloatEncoding,
                        into buffer: UnsafeMutableBufferPointer<Float>) {
        let start = bytes.startIndex + dataStart + info.byteRange.lowerBound
        bytes[start..<start + info.byteRange.count].withUnsafeBytes { raw in
            switch encoding {
            case .binary32:
                #if _endian(little)
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                #else
                for index in buffer.indices {
                    let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    buffer[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
                #endif
            case .binary16:
                for index in buffer.indices {
                    let bits = raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                    buffer[index] = HalfFloat.float(fromBinary16: UInt16(littleEndian: bits))
                }
            case .bfloat16:
                for index in buffer.indices {
                    let bits = raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
                    buffer[index] = Float(bitPattern: UInt32(UInt16(littleEndian: bits)) << 16)
                }
            }
        }
    }
}
