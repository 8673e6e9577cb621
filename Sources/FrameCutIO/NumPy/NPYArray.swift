import Foundation

/// The element types FrameCut reads from and writes to NumPy files (little endian only).
public enum NPYDataType: String, Sendable, CaseIterable {
    case float32 = "<f4"
    case float64 = "<f8"
    case int32 = "<i4"
    case int64 = "<i8"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }
}

/// The typed contents of a NumPy array, in C (row-major) order.
public enum NPYValues: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])

    public var dataType: NPYDataType {
        switch self {
        case .float32: return .float32
        case .float64: return .float64
        case .int32: return .int32
        case .int64: return .int64
        }
    }

    public var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        }
    }
}

/// An n-dimensional NumPy array held in memory.
public struct NPYArray: Sendable, Equatable {
    /// The shape, outermost dimension first (C order). A scalar has an empty shape.
    public let shape: [Int]
    public let values: NPYValues

    /// Creates an array; the number of values must equal the product of the shape.
    public init(shape: [Int], values: NPYValues) throws {
        var expected: Int? = 1
        for dimension in shape {
            guard dimension >= 0, let product = expected else { expected = nil; break }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            expected = overflow ? nil : next
        }
        guard expected == values.count else {
            throw NPYError.shapeMismatch(shape: shape, valueCount: values.count)
        }
        self.shape = shape
        self.values = values
    }

    public var dataType: NPYDataType { values.dataType }

    /// The values converted to `Float` (float64 and integers are converted; large integers lose precision).
    public func floatValues() -> [Float] {
        switch values {
        case .float32(let v): return v
        case .float64(let v): return v.map { Float($0) }
        case .int32(let v): return v.map { Float($0) }
        case .int64(let v): return v.map { Float($0) }
        }
    }

    /// The values converted to `Double`.
    public func doubleValues() -> [Double] {
        switch values {
        case .float32(let v): return v.map { Double($0) }
        case .float64(let v): return v
        case .int32(let v): return v.map { Double($0) }
        case .int64(let v): return v.map { Double($0) }
        }
    }

    /// Integer values; fails for floating point arrays and for int64 values outside Int32.
    public func int32Values() throws -> [Int32] {
        switch values {
        case .int32(let v): return v
        case .int64(let v):
            var out = [Int32]()
            out.reserveCapacity(v.count)
            for x in v {
                guard let y = Int32(exactly: x) else { throw NPYError.integerOutOfRange(x) }
                out.append(y)
            }
            return out
        case .float32, .float64:
            throw NPYError.wrongDataType(expected: "an integer array (int32 or int64)", found: dataType.rawValue)
        }
    }
}

/// What can go wrong reading or writing NumPy `.npy` / `.npz` files.
public enum NPYError: Error, Equatable, CustomStringConvertible {
    case notNPY(String)
    case unsupportedVersion(major: UInt8, minor: UInt8)
    case malformedHeader(String)
    case unsupportedDataType(String)
    case fortranOrder
    case truncated(expectedBytes: Int, foundBytes: Int)
    case shapeMismatch(shape: [Int], valueCount: Int)
    case wrongDataType(expected: String, found: String)
    case wrongShape(expected: String, found: [Int])
    case integerOutOfRange(Int64)
    case missingArray(name: String, available: [String])
    case archive(String)

    public var description: String {
        switch self {
        case .notNPY(let why): return "not a NumPy .npy file: \(why)"
        case .unsupportedVersion(let major, let minor): return "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are supported)"
        case .malformedHeader(let why): return "malformed .npy header: \(why)"
        case .unsupportedDataType(let descr):
            if descr.contains("O") { return "object arrays ('\(descr)') are not supported: save plain numbers" }
            if descr.hasPrefix(">") { return "big-endian data ('\(descr)') is not supported: save with dtype '<\(descr.dropFirst())'" }
            return "unsupported dtype '\(descr)' (float32, float64, int32 and int64 are supported)"
        case .fortranOrder: return "Fortran-ordered arrays are not supported: save with np.ascontiguousarray"
        case .truncated(let expected, let found): return "truncated data: expected \(expected) bytes of values, found \(found)"
        case .shapeMismatch(let shape, let count): return "shape \(shape) does not match \(count) values"
        case .wrongDataType(let expected, let found): return "expected \(expected), found dtype '\(found)'"
        case .wrongShape(let expected, let found): return "expected \(expected), found shape \(found)"
        case .integerOutOfRange(let x): return "integer \(x) does not fit in 32 bits"
        case .missingArray(let name, let available): return "no array '\(name)' in the .npz (it has: \(available.joined(separator: ", ")))"
        case .archive(let why): return "cannot read .npz archive: \(why)"
        }
    }
}
