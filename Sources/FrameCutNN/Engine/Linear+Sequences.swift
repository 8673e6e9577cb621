import CBLAS
import FrameCutCore

extension Linear {
    /// The layer applied to each sequence of `x` (`N x T x inFeatures`, or `N x inFeatures` as
    /// `T = 1`) by its own SGEMM, so an image's result never depends on the batch it came in
    /// (OpenBLAS may sum in another order when the row count changes). Output features are cut
    /// into the same fixed parts as `callAsFunction`.
    public func perSequence(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.shape.last == inFeatures && x.rank >= 2, "Linear: input \(x.shape), expected last dimension \(inFeatures)")
        let n = x.shape[0], rows = x.count / inFeatures / max(n, 1)
        var shape = x.shape
        shape[shape.count - 1] = outFeatures
        let k = inFeatures, m = outFeatures
        return Tensor(shape: shape) { out in
            let dst = SendablePointer(out.baseAddress!)
            x.values.withUnsafeBufferPointer { xs in
                weight.withUnsafeBufferPointer { ws in
                    let xp = UncheckedSendable(xs.baseAddress!), wp = UncheckedSendable(ws.baseAddress!)
                    context.withSingleThreadedBLAS {
                        let parts = max(1, min(ComputeContext.partitions, m / 64))
                        context.forEach(parts) { part in
                            let cols = (m * part / parts)..<(m * (part + 1) / parts)
                            for i in 0..<n {
                                let y = dst.base + i * rows * m
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols.count), Int32(k),
                                            1, xp.value + i * rows * k, Int32(k), wp.value + cols.lowerBound * k, Int32(k),
                                            0, y + cols.lowerBound, Int32(m))
                                for r in 0..<rows {
                                    let p = y + r * m + cols.lowerBound
                                    for c in 0..<cols.count { p[c] += bias[cols.lowerBound + c] }
                                    activation.apply(p, count: cols.count)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
