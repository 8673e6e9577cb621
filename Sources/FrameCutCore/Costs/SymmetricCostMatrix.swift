import CBLAS
import Foundation

/// A dense `n x n` float32 matrix holding both triangles of a symmetric cost matrix,
/// row-major, 64-byte aligned and backed by transparent huge pages where the kernel allows.
///
/// The solvers work in place on it: GAEC overwrites rows with cluster-to-cluster sums.
public final class SymmetricCostMatrix: @unchecked Sendable {
    /// Number of nodes (rows and columns).
    public let nodeCount: Int
    /// `nodeCount * nodeCount` values.
    public let values: UnsafeMutablePointer<Float>

    /// The bytes a matrix for `n` nodes occupies.
    /// Saturates at `UInt64.max` (so that a checked estimate never overflows).
    public static func byteCount(nodeCount n: Int) -> UInt64 { MemoryBudget.product([n, n, 4]) ?? .max }

    /// Allocates an uninitialised matrix.
    public init(nodeCount: Int) throws {
        guard nodeCount >= 1 else { throw FrameCutError.tooFewNodes(nodeCount) }
        self.nodeCount = nodeCount
        let bytes = nodeCount * nodeCount * MemoryLayout<Float>.stride
        var raw: UnsafeMutableRawPointer?
        let alignment = bytes >= (1 << 22) ? (1 << 21) : 64
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
            throw FrameCutError.allocationFailed(bytes: UInt64(bytes), what: "the \(nodeCount) x \(nodeCount) cost matrix")
        }
        if bytes >= (1 << 22) { _ = framecut_madvise_hugepage(raw, UInt(bytes)) }
        values = raw.bindMemory(to: Float.self, capacity: nodeCount * nodeCount)
    }

    deinit { free(values) }

    /// The start of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { values + i * nodeCount }

    /// The value at `(i, j)`.
    @inline(__always)
    public subscript(i: Int, j: Int) -> Float {
        get { values[i * nodeCount + j] }
        set { values[i * nodeCount + j] = newValue }
    }

    /// Copies the upper triangle onto the lower one, in cache-friendly tiles.
    func mirrorUpperToLower(threads: Int) {
        let n = nodeCount
        let tile = 64
        let tiles = (n + tile - 1) / tile
        let base = SendablePointer(base: values)
        parallelFor(chunks: tiles, threads: threads) { bi in
            let m = base.base
            let i0 = bi * tile, i1 = Swift.min(n, i0 + tile)
            // Tiles (bi, bj) with bj <= bi of the lower triangle come from (bj, bi) of the upper.
            for bj in 0...bi {
                let j0 = bj * tile, j1 = Swift.min(n, j0 + tile)
                for i in i0..<i1 {
                    let upperLimit = Swift.min(j1, i)
                    if j0 >= upperLimit { continue }
                    for j in j0..<upperLimit { m[i * n + j] = m[j * n + i] }
                }
            }
        }
    }
}
