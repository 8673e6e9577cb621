import CBLAS
import CFrameCutKernels
import Foundation

/// Costs of the complete graph over an embedding set: cosine similarities of the
/// L2-normalised rows (one SYRK on OpenBLAS), min-max normalisation over all pairs, logit.
///
/// The similarities are computed in float32; the extremes used for normalisation are
/// recomputed in float64 for every pair within `1e-5` of the float32 extremes, so the
/// normalisation matches a float64 reference exactly and the remaining rounding is
/// per-pair noise of about 1e-7 that cancels in energies.
public final class EmbeddingCostSource: CostMatrixSource {
    public let nodeCount: Int
    public let dimension: Int
    private let unit32: [Float]
    private let raw: [Float]
    private let inverseNorms: [Double]
    /// The exact range, known after the first fill.
    public internal(set) var range: SimilarityRange?

    /// Validates the embeddings (finite, no zero rows, at least two) and normalises them.
    public init(_ embeddings: Embeddings) throws {
        try embeddings.validate()
        nodeCount = embeddings.count
        dimension = embeddings.dimension
        unit32 = embeddings.normalizedFloat32()
        raw = embeddings.values
        let d = embeddings.dimension
        inverseNorms = (0..<embeddings.count).map { row in
            var norm = 0.0
            for c in 0..<d { norm += Double(embeddings.values[row * d + c]) * Double(embeddings.values[row * d + c]) }
            return 1 / norm.squareRoot()
        }
    }

    /// Float64 cosine of rows i and j.
    @inline(__always)
    public func exactCosine(_ i: Int, _ j: Int) -> Double {
        var s = 0.0
        raw.withUnsafeBufferPointer { u in
            let a = i * dimension, b = j * dimension
            for c in 0..<dimension { s += Double(u[a + c]) * Double(u[b + c]) }
        }
        return s * inverseNorms[i] * inverseNorms[j]
    }

    /// Writes the raw cosine similarities into the upper triangle of `matrix`.
    func writeSimilarities(into matrix: SymmetricCostMatrix, threads: Int) {
        let n = nodeCount
        BLASThreads.run(threads: threads) {
            unit32.withUnsafeBufferPointer { a in
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(dimension),
                            1, a.baseAddress, Int32(dimension), 0, matrix.values, Int32(n))
            }
        }
    }

    /// Finds the exact (float64) minimum and maximum over pairs i < j given float32 similarities in the upper triangle.
    func exactRange(of matrix: SymmetricCostMatrix, threads: Int) -> SimilarityRange {
        let n = nodeCount
        var rowMin = [Float](repeating: .infinity, count: n)
        var rowMax = [Float](repeating: -.infinity, count: n)
        let m = SendablePointer(base: matrix.values)
        rowMin.withUnsafeMutableBufferPointer { mins in
            rowMax.withUnsafeMutableBufferPointer { maxs in
                let lo = SendablePointer(base: mins.baseAddress!), hi = SendablePointer(base: maxs.baseAddress!)
                let chunks = Swift.max(1, Swift.min(n - 1, threads * 8))
                parallelFor(chunks: chunks, threads: threads) { c in
                    var i = c
                    while i < n - 1 {
                        let row = m.base + i * n
                        var mn = Float.infinity, mx = -Float.infinity
                        for j in (i + 1)..<n {
                            let v = row[j]
                            mn = Swift.min(mn, v)
                            mx = Swift.max(mx, v)
                        }
                        lo.base[i] = mn
                        hi.base[i] = mx
                        i += chunks
                    }
                }
            }
        }
        let min32 = rowMin.min() ?? 0, max32 = rowMax.max() ?? 0
        let tolerance: Float = 1e-5
        var exactMin = Double(min32), exactMax = Double(max32)
        var candidatesMin = [(Int, Int)](), candidatesMax = [(Int, Int)]()
        let cap = 2_000_000
        for i in 0..<(n - 1) where rowMin[i] <= min32 + tolerance || rowMax[i] >= max32 - tolerance {
            let row = matrix.row(i)
            for j in (i + 1)..<n {
                if row[j] <= min32 + tolerance, candidatesMin.count < cap { candidatesMin.append((i, j)) }
                if row[j] >= max32 - tolerance, candidatesMax.count < cap { candidatesMax.append((i, j)) }
            }
        }
        if let first = candidatesMin.first {
            exactMin = exactCosine(first.0, first.1)
            for (i, j) in candidatesMin { exactMin = Swift.min(exactMin, exactCosine(i, j)) }
        }
        if let first = candidatesMax.first {
            exactMax = exactCosine(first.0, first.1)
            for (i, j) in candidatesMax { exactMax = Swift.max(exactMax, exactCosine(i, j)) }
        }
        return SimilarityRange(min: exactMin, max: exactMax)
    }

    public func fill(_ matrix: SymmetricCostMatrix, costs: CostFunction, threads: Int) throws -> CostFill {
        guard matrix.nodeCount == nodeCount else { throw FrameCutError.shapeMismatch("cost matrix has \(matrix.nodeCount) nodes, embeddings \(nodeCount)") }
        writeSimilarities(into: matrix, threads: threads)
        let range = self.range ?? exactRange(of: matrix, threads: threads)
        try range.requireSpread()
        self.range = range
        let total = SimilarityTransform.similaritiesToCosts(matrix, range: range, costs: costs, threads: threads)
        matrix.mirrorUpperToLower(threads: threads)
        return CostFill(range: range, totalCost: total)
    }
}

/// The in-place transformation of similarities into costs.
enum SimilarityTransform {
    /// Replaces `s` in the upper triangle by `w = logit(clip(p)) + offset`, sets the diagonal to 0,
    /// and returns the sum of the costs (Float64).
    static func similaritiesToCosts(_ matrix: SymmetricCostMatrix, range: SimilarityRange, costs: CostFunction, threads: Int) -> Double {
        let n = matrix.nodeCount
        let m = SendablePointer(base: matrix.values)
        let scale = range.max > range.min ? 1 / (range.max - range.min) : 0
        let lowest = range.min
        let offset = costs.offset
        let eps = CostFunction.clipEpsilon
        return parallelRowSum(rows: n, threads: threads) { i in
            let row = m.base + i * n
            row[i] = 0
            // The transform in a C kernel for the CPU at hand (AVX-512, AVX2 or portable, the
            // same bits on all: `FastLog` in vector form), then the Float64 row sum.
            framecut_logit_costs(row + i + 1, n - i - 1, lowest, scale, offset, eps)
            return Summation.sum(row + i + 1, count: n - i - 1)
        }
    }
}
