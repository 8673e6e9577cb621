import Foundation

extension WeightTensor {
    /// The values converted to `Float`: F32 as stored, F16 and BF16 exactly (including
    /// subnormals, infinities and NaN payloads), F64 rounded to nearest.
    ///
    /// Throws ``WeightFileError/notFloatingPoint(key:dtype:)`` for integer and boolean tensors.
    public func floats() throws(WeightFileError) -> [Float] {
        let count = bytes.count / dtype.byteSize
        switch dtype {
        case .f32:
            return convert(count: count, as: UInt32.self) { Float(bitPattern: $0) }
        case .f16:
            return convert(count: count, as: UInt16.self) { Self.float(half: $0) }
        case .bf16:
            return convert(count: count, as: UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
        case .f64:
            return convert(count: count, as: UInt64.self) { Float(Double(bitPattern: $0)) }
        case .i64, .i32, .i16, .i8, .u8, .bool:
            throw .notFloatingPoint(key: nil, dtype: dtype)
        }
    }

    /// Reads `count` little-endian `T`s and converts each.
    private func convert<T: FixedWidthInteger>(count: Int, as: T.Type, _ transform: (T) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let size = MemoryLayout<T>.size
                for i in 0..<count {
                    buffer[i] = transform(T(littleEndian: raw.loadUnaligned(fromByteOffset: i * size, as: T.self)))
                }
            }
            initialized = count
        }
    }

    /// IEEE 754 binary16 to binary32, exact (no `Float16`, which x86 macOS lacks).
    @inline(__always)
    static func float(half bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24, exact in binary32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            // Infinity, or NaN with its payload kept.
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
