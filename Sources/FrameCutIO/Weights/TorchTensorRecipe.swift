import Foundation

/// A storage named by a checkpoint's persistent id `('storage', StorageType, key, location,
/// numel[, view_metadata])`: the bytes themselves are elsewhere in the file.
struct TorchStorageRef {
    /// The storage's key (the zip member `data/<key>`, or the legacy storage key).
    let key: String
    let dtype: WeightDType
    /// For a legacy storage view, where the view starts in its root storage, in elements.
    let elementOffset: Int
}

/// What `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)` would
/// build, kept as a description until the storage bytes are at hand.
struct TorchTensorRecipe {
    let storage: TorchStorageRef
    /// Offset into the storage, in elements.
    let offset: Int
    let shape: [Int]
    let stride: [Int]

    /// The most dimensions a tensor may have.
    static let maxDimensions = 64

    /// Gathers the tensor's elements from its storage bytes into contiguous row-major order.
    ///
    /// `storage` holds the whole root storage; a contiguous tensor becomes a slice of it
    /// without copying.
    func materialize(from storage: Data, key: String, file: String) throws(WeightFileError) -> WeightTensor {
        let size = self.storage.dtype.byteSize
        guard let count = WeightTensor.elementCount(shape) else {
            throw .inconsistentTensor(file: file, key: key, reason: "invalid shape \(shape)")
        }
        guard let start = self.storage.elementOffset.addingReportingOverflowOrNil(offset) else {
            throw .inconsistentTensor(file: file, key: key, reason: "storage offset \(offset) overflows")
        }
        if count == 0 {
            return WeightTensor(unchecked: self.storage.dtype, shape: shape, bytes: Data())
        }
        // The last element the view touches: start + Σ (size_i − 1)·stride_i.
        var last = start
        for (dim, step) in zip(shape, stride) {
            guard let reach = (dim - 1).multipliedReportingOverflowOrNil(by: step),
                  let next = last.addingReportingOverflowOrNil(reach) else {
                throw .inconsistentTensor(file: file, key: key, reason: "strides \(stride) overflow for shape \(shape)")
            }
            last = next
        }
        let available = storage.count / size
        guard last < available else {
            throw .tensorOutOfRange(file: file, key: key, start: start.multipliedReportingOverflow(by: size).partialValue,
                                    end: (last + 1).multipliedReportingOverflow(by: size).partialValue, available: storage.count)
        }
        if isContiguous {
            let begin = storage.startIndex + start * size
            return WeightTensor(unchecked: self.storage.dtype, shape: shape, bytes: storage[begin ..< begin + count * size])
        }
        return WeightTensor(unchecked: self.storage.dtype, shape: shape, bytes: gather(from: storage, start: start, count: count))
    }

    /// Whether the strides are row-major for the shape (ignoring dimensions of size 1).
    var isContiguous: Bool {
        var expected = 1
        for (dim, step) in zip(shape, stride).reversed() where dim != 1 {
            if step != expected { return false }
            expected *= dim
        }
        return true
    }

    /// Copies a strided view element by element (runs of the last dimension at once when it
    /// is unit-strided). The bounds were checked by the caller.
    private func gather(from storage: Data, start: Int, count: Int) -> Data {
        let size = self.storage.dtype.byteSize
        var out = Data(count: count * size)
        let rank = shape.count
        let inner = shape[rank - 1], innerStride = stride[rank - 1]
        out.withUnsafeMutableBytes { dst in
            storage.withUnsafeBytes { src in
                guard let to = dst.baseAddress, let from = src.baseAddress else { return }
                var index = [Int](repeating: 0, count: rank)
                var base = start
                var written = 0
                while written < count {
                    if innerStride == 1 {
                        to.advanced(by: written * size)
                            .copyMemory(from: from.advanced(by: base * size), byteCount: inner * size)
                    } else {
                        for j in 0..<inner {
                            to.advanced(by: (written + j) * size)
                                .copyMemory(from: from.advanced(by: (base + j * innerStride) * size), byteCount: size)
                        }
                    }
                    written += inner
                    // Advance the odometer over the outer dimensions.
                    var d = rank - 2
                    while d >= 0 {
                        index[d] += 1
                        base += stride[d]
                        if index[d] < shape[d] { break }
                        base -= stride[d] * shape[d]
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
        return out
    }
}
