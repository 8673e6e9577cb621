import Foundation

/// One tensor of a weight file: its element type, shape and raw little-endian bytes in
/// contiguous row-major order.
///
/// The bytes are not copied out of the file where the format allows it: a safetensors
/// tensor or a contiguous tensor of a legacy `.pth` file is a slice of the memory-mapped
/// file. Use ``floats()`` for the values as `Float`.
public struct WeightTensor: Sendable {
    /// The element type.
    public let dtype: WeightDType
    /// The dimensions, outermost first; empty for a scalar.
    public let shape: [Int]
    /// `count * dtype.byteSize` bytes, little-endian, row-major. May be a slice of a larger
    /// buffer: index it from `bytes.startIndex` (or use `withUnsafeBytes`).
    public let bytes: Data

    /// The number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// A tensor from its parts; throws when the byte count does not match the shape.
    public init(dtype: WeightDType, shape: [Int], bytes: Data) throws(WeightFileError) {
        guard let count = Self.elementCount(shape) else {
            throw .inconsistentTensor(file: "<memory>", key: "", reason: "invalid shape \(shape)")
        }
        guard let byteCount = count.multipliedReportingOverflowOrNil(by: dtype.byteSize), byteCount == bytes.count else {
            throw .inconsistentTensor(file: "<memory>", key: "", reason: "\(bytes.count) bytes for shape \(shape) of \(dtype.rawValue)")
        }
        self.init(unchecked: dtype, shape: shape, bytes: bytes)
    }

    /// A tensor whose byte count the caller has already checked.
    init(unchecked dtype: WeightDType, shape: [Int], bytes: Data) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The number of elements of `shape`, or `nil` when a dimension is negative or the
    /// product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            guard dim >= 0, let next = count.multipliedReportingOverflowOrNil(by: dim) else { return nil }
            count = next
        }
        return count
    }
}

extension Int {
    /// `self * other`, or `nil` on overflow.
    func multipliedReportingOverflowOrNil(by other: Int) -> Int? {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? nil : value
    }

    /// `self + other`, or `nil` on overflow.
    func addingReportingOverflowOrNil(_ other: Int) -> Int? {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? nil : value
    }
}
