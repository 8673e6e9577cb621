import CBLAS
import Foundation
import FrameCutCore

/// Writes instances in the authors' text format, atomically.
public enum TextGraphWriter {
    /// The complete graph of an embedding set: `N M`, then `i j p` for every pair `i < j`, with
    /// `p` the min-max normalised float64 cosine (shortest round-trip decimal).
    public static func writeNormalizedSimilarities(of embeddings: Embeddings, range: SimilarityRange, to url: URL) throws {
        let n = embeddings.count, d = embeddings.dimension
        let unit = embeddings.normalizedFloat64()
        let handle = try AtomicFileWriter(destination: url)
        var buffer = "\(n) \(n * (n - 1) / 2)\n"
        let block = 256
        var gram = [Double](repeating: 0, count: block * n)
        var start = 0
        while start < n - 1 {
            let rows = Swift.min(block, n - start)
            BLASThreads.run(threads: 1) {
                unit.withUnsafeBufferPointer { u in
                    gram.withUnsafeMutableBufferPointer { g in
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d), 1,
                                    u.baseAddress! + start * d, Int32(d), u.baseAddress!, Int32(d), 0, g.baseAddress!, Int32(n))
                    }
                }
            }
            for r in 0..<rows {
                let i = start + r
                for j in (i + 1)..<n {
                    // Clamp float64 rounding (e.g. -1e-18 at the minimum) into [0, 1].
                    let p = Swift.min(Swift.max(range.normalize(gram[r * n + j]), 0), 1)
                    buffer += "\(i) \(j) \(p)\n"
                }
                if buffer.utf8.count > 1 << 22 {
                    try handle.write(Data(buffer.utf8))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            start += rows
        }
        try handle.write(Data(buffer.utf8))
        try handle.commit()
    }
}
