import CFrameCutNNKernels
import FrameCutCore

/// The right operand `B` (`k x n`) of a matrix product, packed once into panels of 32 columns
/// for the engine's AVX-512 kernel (`CFrameCutNNKernels`): a `Linear` layer's weight (`Wᵀ`,
/// packed at load time), or a 1x1 convolution's input.
///
/// `product` computes every output as one fused multiply-add chain over `k` in increasing
/// order started from zero, then adds the biases: an output's bits depend on its operands only,
/// never on how many rows a call has, which panels a thread takes, or the batch. Results are
/// therefore bit-identical across thread counts, batch sizes and chunkings by construction.
/// The kernel needs AVX-512F; `isAvailable` says whether this CPU has it (callers fall back to
/// OpenBLAS otherwise).
struct PackedMatrix: Sendable {
    /// Rows of `B` (the reduction length).
    let k: Int
    /// Columns of `B`.
    let n: Int
    let values: [Float]

    /// Columns per panel.
    static let panelWidth = Int(FRAMECUT_NN_PANEL)

    /// Whether the packed kernel runs on this CPU.
    static let isAvailable = framecut_nn_gemm_available() != 0

    /// Panels `n` columns take.
    var panels: Int { (n + Self.panelWidth - 1) / Self.panelWidth }

    /// Packs `B[kk][j] = b[kk * rowStride + j * columnStride]`.
    init(_ b: UnsafePointer<Float>, rowStride: Int, columnStride: Int, k: Int, n: Int) {
        self.k = k
        self.n = n
        let count = framecut_nn_packed_count(Int32(k), Int32(n))
        values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            framecut_nn_pack(b, rowStride, columnStride, Int32(k), Int32(n), out.baseAddress!)
            initialized = count
        }
    }

    /// The transpose of a row-major `n x k` matrix (a `Linear` weight, `out x in`).
    init(transposing weight: [Float], rows n: Int, columns k: Int) {
        precondition(weight.count == n * k, "PackedMatrix: \(weight.count) values for \(n) x \(k)")
        self = weight.withUnsafeBufferPointer { Self($0.baseAddress!, rowStride: 1, columnStride: k, k: k, n: n) }
    }

    /// Floats `k x n` takes packed.
    static func packedCount(k: Int, n: Int) -> Int { framecut_nn_packed_count(Int32(k), Int32(n)) }

    /// Packs `B[kk][j] = b[kk * rowStride + j]` (`k x n`, row-major) into `packed`
    /// (`packedCount(k:n:)` floats), for `product(rows:…packed:…)`.
    static func pack(_ b: UnsafePointer<Float>, rowStride: Int, k: Int, n: Int, into packed: UnsafeMutablePointer<Float>) {
        framecut_nn_pack(b, rowStride, 1, Int32(k), Int32(n), packed)
    }

    /// `product` on a `k x n` operand packed by `pack(_:rowStride:k:n:into:)`.
    static func product(rows m: Int, a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>, k: Int, n: Int,
                        panels: Range<Int>, columnBias: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>?,
                        c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, !panels.isEmpty else { return }
        let done = framecut_nn_gemm(Int32(m), Int32(n), Int32(k), a, lda, packed, Int32(panels.lowerBound), Int32(panels.count),
                                    columnBias, rowBias, c, ldc)
        precondition(done != 0, "PackedMatrix: the AVX-512 kernel is not available on this CPU")
    }

    /// `c[i][j] = sum_kk a[i][kk] B[kk][j] + columnBias[j] + rowBias[i]` for rows `0..<m` and the
    /// columns of `panels` (`c` and `columnBias` pointing at the first of them, column
    /// `panels.lowerBound * 32`).
    func product(rows m: Int, a: UnsafePointer<Float>, lda: Int, panels: Range<Int>, columnBias: UnsafePointer<Float>?,
                 rowBias: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, !panels.isEmpty else { return }
        values.withUnsafeBufferPointer { p in
            let done = framecut_nn_gemm(Int32(m), Int32(n), Int32(k), a, lda, p.baseAddress!, Int32(panels.lowerBound),
                                        Int32(panels.count), columnBias, rowBias, c, ldc)
            precondition(done != 0, "PackedMatrix: the AVX-512 kernel is not available on this CPU")
        }
    }
}
