import CFrameCutNNKernels
import FrameCutCore

/// The right operand `B` (`k x n`) of a matrix product, packed once into panels of 32 columns
/// for the engine's AVX-512 kernel (`CFrameCutNNKernels`): a `Linear` layer's weight (`Wᵀ`,
/// packed at load time).
///
/// `product` computes every output as one fused multiply-add chain over `k` in increasing
/// order started from zero, then adds the biases: an output's bits depend on its operands only,
/// never on how many rows a call has, which panels a thread takes, or the batch. Results are
/// therefore bit-identical across thread counts, batch sizes and chunkings by construction.
/// The kernel needs AVX-512F: `init` returns nil where this CPU lacks it (callers keep the
/// unpacked weight and run OpenBLAS), and for sizes that do not match.
struct PackedMatrix: Sendable {
    /// Rows of `B` (the reduction length).
    let k: Int
    /// Columns of `B`.
    let n: Int
    /// `panels` panels of `k x 32`, tail columns zero.
    let values: [Float]

    /// Columns per panel.
    static let panelWidth = Int(FRAMECUT_NN_PANEL)

    /// Whether the packed kernel runs on this CPU (`KernelWeights.isAvailable`).
    static var isAvailable: Bool { KernelWeights.isAvailable }

    /// Panels `n` columns take.
    var panels: Int { (n + Self.panelWidth - 1) / Self.panelWidth }

    /// The transpose of a row-major `n x k` matrix (a `Linear` weight, `out x in`), packed; nil
    /// where the AVX-512 kernel is not available, either size is not positive or `weight` does
    /// not hold `n * k` values.
    init?(transposing weight: [Float], rows n: Int, columns k: Int) {
        guard let packed = KernelWeights.packed(weight, rows: n, columns: k,
                                                count: { n, k in framecut_nn_packed_count(k, n) },
                                                pack: { src, dst in framecut_nn_pack(src, 1, k, Int32(k), Int32(n), dst) }) else { return nil }
        self.k = k
        self.n = n
        values = packed
    }

    /// The row-major `n x k` matrix this was packed from (for the rare caller that needs the
    /// weight itself, e.g. to concatenate projections; the packed layers do not keep it).
    func transposed() -> [Float] {
        var w = [Float](repeating: 0, count: n * k)
        let width = Self.panelWidth
        for j in 0..<n {
            let panel = (j / width) * k * width, column = j % width
            for kk in 0..<k { w[j * k + kk] = values[panel + kk * width + column] }
        }
        return w
    }

    /// `c[i][j] = sum_kk a[i][kk] B[kk][j] + columnBias[j] + rowBias[i]` for rows `0..<m` and the
    /// columns of `panels` (`c` and `columnBias` pointing at the first of them, column
    /// `panels.lowerBound * 32`). Should the kernel not run (it allocates a small scratch), the
    /// same chains are computed by a portable loop: the same bits, slower.
    func product(rows m: Int, a: UnsafePointer<Float>, lda: Int, panels: Range<Int>, columnBias: UnsafePointer<Float>?,
                 rowBias: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, !panels.isEmpty, panels.lowerBound >= 0, panels.upperBound <= self.panels else { return }
        let done = values.withUnsafeBufferPointer { p -> Bool in
            guard let base = p.baseAddress else { return false }
            return framecut_nn_gemm(Int32(m), Int32(n), Int32(k), a, lda, base, Int32(panels.lowerBound),
                                    Int32(panels.count), columnBias, rowBias, c, ldc) != 0
        }
        if !done {
            portableProduct(rows: m, a: a, lda: lda, panels: panels, columnBias: columnBias, rowBias: rowBias, c: c, ldc: ldc)
        }
    }

    /// `product`'s definition as a plain loop: `fma` chained over `k` from zero, then the column
    /// bias, then the row bias.
    func portableProduct(rows m: Int, a: UnsafePointer<Float>, lda: Int, panels: Range<Int>, columnBias: UnsafePointer<Float>?,
                         rowBias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let width = Self.panelWidth, first = panels.lowerBound * width
        for j in first..<min(n, panels.upperBound * width) {
            let panel = (j / width) * k * width, column = j % width
            for i in 0..<m {
                var acc: Float = 0
                for kk in 0..<k { acc.addProduct(a[i * lda + kk], values[panel + kk * width + column]) }
                if let columnBias { acc = acc + columnBias[j - first] }
                if let rowBias { acc = acc + rowBias[i] }
                c[i * ldc + j - first] = acc
            }
        }
    }
}
