import CFrameCutNNKernels

/// What the engine's AVX-512 kernels (`CFrameCutNNKernels`) share when a layer packs its weight
/// at load time: whether the kernels run on this CPU, the checks of the sizes against the values,
/// and the allocation of the packed copy. `PackedMatrix` (the transformers' token products) and
/// `PointwiseConvolution` (ConvNeXt's channel MLP) both pack through `packed(_:rows:columns:count:pack:)`.
enum KernelWeights {
    /// Whether the AVX-512 kernels run on this CPU (AVX-512F, with the OS saving ZMM state).
    static let isAvailable = framecut_nn_gemm_available() != 0

    /// `weight`, a row-major `rows x columns` matrix, packed by `pack` (source, destination) into
    /// `count` floats, `count` being the kernel's size for `rows x columns`; nil where the kernels
    /// are not available, either size is not positive or `weight` does not hold `rows * columns`
    /// values (the caller then keeps its portable path).
    static func packed(_ weight: [Float], rows: Int, columns: Int, count: (Int32, Int32) -> Int,
                       pack: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float]? {
        guard isAvailable, rows > 0, columns > 0, rows <= Int(Int32.max), columns <= Int(Int32.max) else { return nil }
        let (size, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, weight.count == size else { return nil }
        let total = count(Int32(rows), Int32(columns))
        return [Float](unsafeUninitializedCapacity: total) { out, initialized in
            weight.withUnsafeBufferPointer { w in
                if let src = w.baseAddress, let dst = out.baseAddress {
                    pack(src, dst)
                } else {
                    out.initialize(repeating: 0)
                }
            }
            initialized = total
        }
    }
}
