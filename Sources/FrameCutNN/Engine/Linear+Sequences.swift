import CBLAS
import CFrameCutNNKernels
import FrameCutCore

extension Linear {
    /// Below this many multiply-adds per image and output part (`rows * in * out / parts`),
    /// OpenBLAS 0.3 takes its small-matrix path, where a row's result can depend on how many rows
    /// the call has; above it, rows are computed independently of the row count (checked by
    /// `TransformerOpsTests`), so all images' rows can share one SGEMM.
    static let batchedGEMMThreshold = 1 << 21

    /// The layer applied to each sequence of `x` (`N x T x inFeatures`, or `N x inFeatures` as
    /// `T = 1`) such that an image's result never depends on the batch it came in: one SGEMM over
    /// all images' rows when the per-image product is large enough for OpenBLAS's regular path,
    /// the output features cut into one part per thread (at most `ComputeContext.partitions`);
    /// otherwise one SGEMM per image, the output features cut into the same fixed parts as
    /// `callAsFunction`.
    public func perSequence(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.shape.last == inFeatures && x.rank >= 2, "Linear: input \(x.shape), expected last dimension \(inFeatures)")
        let n = x.shape[0], rows = x.count / inFeatures / max(n, 1)
        var shape = x.shape
        shape[shape.count - 1] = outFeatures
        return context.profiled(.fullyConnected, flops: 2 * Double(x.count) * Double(outFeatures)) {
            perSequence(x, sequences: n, rows: rows, shape: shape, context: context)
        }
    }

    private func perSequence(_ x: Tensor, sequences n: Int, rows: Int, shape: [Int], context: ComputeContext) -> Tensor {
        Tensor(shape: shape) { out in
            x.values.withUnsafeBufferPointer { xs in
                bias.withUnsafeBufferPointer { bs in
                    if let packed {
                        Self.packedGEMM(x: xs.baseAddress!, rows: n * rows, packed: packed, firstColumn: 0, outFeatures: outFeatures,
                                        bias: bs.baseAddress!, activation: activation, out: out.baseAddress!, context: context)
                    } else {
                        plainWeight.withUnsafeBufferPointer { ws in
                            Self.sequenceGEMM(x: xs.baseAddress!, sequences: n, rows: rows, inFeatures: inFeatures, weight: ws.baseAddress!,
                                              bias: bs.baseAddress!, outFeatures: outFeatures, activation: activation,
                                              out: out.baseAddress!, context: context)
                        }
                    }
                }
            }
        }
    }

    /// `out[s, r, :] = act(x[s, r, :] Wᵀ + b)` for `sequences` sequences of `rows` rows, `W` being
    /// `outFeatures x inFeatures`; see `perSequence`.
    static func sequenceGEMM(x: UnsafePointer<Float>, sequences n: Int, rows: Int, inFeatures k: Int, weight: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, outFeatures m: Int, activation: Activation,
                             out: UnsafeMutablePointer<Float>, context: ComputeContext) {
        let xp = UncheckedSendable(x), wp = UncheckedSendable(weight), bp = UncheckedSendable(bias), dst = SendablePointer(out)
        context.withSingleThreadedBLAS {
            let fixedParts = max(1, min(ComputeContext.partitions, m / 64))
            let batched = rows * k * (m / fixedParts) > batchedGEMMThreshold
            // On the regular path an output's sum does not depend on which other columns share its
            // SGEMM either (checked by `TransformerSpeedPathTests` for 1 to 4 parts), so there the
            // columns are cut per thread only: one SGEMM on one thread packs the rows once.
            let parts = batched ? min(context.threads, fixedParts) : fixedParts
            context.forEach(parts) { part in
                let cols = (m * part / parts)..<(m * (part + 1) / parts)
                let calls = batched ? [(0, n * rows)] : (0..<n).map { ($0 * rows, rows) }
                for (first, count) in calls {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(cols.count), Int32(k),
                                1, xp.value + first * k, Int32(k), wp.value + cols.lowerBound * k, Int32(k),
                                0, dst.base + first * m + cols.lowerBound, Int32(m))
                }
                for r in 0..<(n * rows) {
                    let p = dst.base + r * m + cols.lowerBound
                    for c in 0..<cols.count { p[c] += bp.value[cols.lowerBound + c] }
                    activation.apply(p, count: cols.count)
                }
            }
        }
    }

    /// `out[r, :] = act(x[r, :] B[:, firstColumn..<firstColumn + outFeatures] + b)` for `rows`
    /// rows with the packed kernel (`x`: `rows x packed.k`; `firstColumn` a multiple of 32, `bias`
    /// at column `firstColumn`). The panels are cut into one contiguous run per thread; every
    /// output's bits are independent of the cut and of `rows` (see `PackedMatrix`).
    static func packedGEMM(x: UnsafePointer<Float>, rows: Int, packed: PackedMatrix, firstColumn: Int, outFeatures m: Int,
                           bias: UnsafePointer<Float>, activation: Activation, out: UnsafeMutablePointer<Float>,
                           context: ComputeContext) {
        guard firstColumn % PackedMatrix.panelWidth == 0, firstColumn >= 0, firstColumn + m <= packed.n else { return }
        let width = PackedMatrix.panelWidth
        let first = firstColumn / width, panels = (m + width - 1) / width
        let xp = UncheckedSendable(x), bp = UncheckedSendable(bias), dst = SendablePointer(out)
        let parts = max(1, min(context.threads, panels))
        context.forEach(parts) { part in
            let own = (first + panels * part / parts)..<(first + panels * (part + 1) / parts)
            let offset = own.lowerBound * width - firstColumn
            packed.product(rows: rows, a: xp.value, lda: packed.k, panels: own, columnBias: bp.value + offset,
                           c: dst.base + offset, ldc: m)
            guard activation != .identity else { return }
            let count = min(m, (own.upperBound - first) * width) - offset
            // GELU and QuickGELU in AVX-512 (the same bits as `activation.apply`).
            if let code = PointwiseConvolution.kernelCode(activation),
               framecut_nn_pointwise_rows(dst.base + offset, m, Int32(rows), Int32(count), code, nil) != 0 {
                return
            }
            for r in 0..<rows { activation.apply(dst.base + r * m + offset, count: count) }
        }
    }
}
