import CBLAS
import Foundation

/// Streams the similarity matrix `V V^T` of a set of vectors block of rows by block of rows
/// (one float32 SGEMM per block), never holding more than `threads` blocks of
/// `blockRows x n` values. Each block's GEMM runs single-threaded and blocks are spread over
/// threads, so every value, and every per-block result, is the same for any thread count.
public struct SimilarityScanner: Sendable {
    /// The vectors, `count * dimension` float32 values, row-major.
    public let vectors: [Float]
    public let count: Int
    public let dimension: Int
    public let threads: Int
    /// Rows per block (chosen so that one block holds about 32 MiB).
    public let blockRows: Int

    public init(vectors: [Float], count: Int, dimension: Int, threads: Int) throws {
        guard vectors.count == count * dimension, count >= 1, dimension >= 1 else {
            throw FrameCutError.shapeMismatch("similarity scan: \(vectors.count) values do not form \(count) rows of \(dimension)")
        }
        self.vectors = vectors
        self.count = count
        self.dimension = dimension
        self.threads = Swift.max(1, threads)
        blockRows = SimilarityScanner.blockRows(count: count)
    }

    /// Rows per block for `count` columns: about 32 MiB of float32, between 8 and 512 rows.
    public static func blockRows(count: Int) -> Int {
        Swift.min(512, Swift.max(8, (32 << 20) / Swift.max(1, count * 4)))
    }

    /// Bytes the scan holds besides the vectors: one block per thread.
    public static func estimatedBytes(count: Int, threads: Int) -> UInt64 {
        UInt64(Swift.max(1, threads)) * UInt64(blockRows(count: count)) * UInt64(count) * 4
    }

    /// Number of row blocks.
    public var blockCount: Int { (count + blockRows - 1) / blockRows }

    /// Calls `body(rowStart, rowCount, columnStart, block)` for every block of rows, where
    /// `block[r * (count - columnStart) + t]` is the similarity of rows `rowStart + r` and
    /// `columnStart + t`. With `upperOnly` the columns start at `rowStart` (the block of the
    /// upper triangle), otherwise at 0. Returns the block results in block order.
    public func mapBlocks<T: Sendable>(upperOnly: Bool,
                                       _ body: @Sendable (_ rowStart: Int, _ rowCount: Int, _ columnStart: Int, _ block: UnsafeMutablePointer<Float>) -> T) -> [T] {
        let blocks = blockCount
        let workers = Swift.min(threads, blocks)
        let results = UncheckedSendable(UnsafeMutableBufferPointer<T?>.allocate(capacity: blocks))
        results.value.initialize(repeating: nil)
        defer { results.value.deallocate() }
        let n = count, d = dimension, rowsPerBlock = blockRows
        vectors.withUnsafeBufferPointer { v in
            let base = SendablePointer(base: UnsafeMutablePointer(mutating: v.baseAddress!))
            parallelFor(chunks: workers, threads: workers) { worker in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: rowsPerBlock * n)
                defer { buffer.deallocate() }
                var b = worker
                while b < blocks {
                    let r0 = b * rowsPerBlock
                    let rows = Swift.min(rowsPerBlock, n - r0)
                    let c0 = upperOnly ? r0 : 0
                    let columns = n - c0
                    BLASThreads.run(threads: 1) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns), Int32(d),
                                    1, base.base + r0 * d, Int32(d), base.base + c0 * d, Int32(d), 0, buffer, Int32(columns))
                    }
                    results.value[b] = body(r0, rows, c0, buffer)
                    b += workers
                }
            }
        }
        return results.value.compactMap { $0 }
    }

    /// Side of the square tiles of ``forEachUpperTile(_:)``: 1024 rows by 1024 columns (4 MiB of
    /// float32), large enough for an efficient GEMM at any `n` (a row block of ``blockRows``
    /// holds only 41 rows at 200k, which makes its GEMM memory-bound).
    public static let tileSide = 1024

    /// Tiles per side of the upper triangle.
    public var tilesPerSide: Int { (count + Self.tileSide - 1) / Self.tileSide }

    /// Workers ``forEachUpperTile(_:)`` uses: `threads`, at most one per tile.
    public var upperTileWorkers: Int { Swift.min(threads, tilesPerSide * (tilesPerSide + 1) / 2) }

    /// Calls `body(worker, rowStart, rowCount, columnStart, columnCount, tile)` for every tile
    /// `(I, J)`, `J >= I`, of the upper triangle of the similarity matrix, where
    /// `tile[r * columnCount + c]` is the similarity of rows `rowStart + r` and `columnStart + c`
    /// (one single-threaded SGEMM per tile, so a value never depends on the thread count). A
    /// diagonal tile (`rowStart == columnStart`) holds the whole square; its pairs are those with
    /// `c > r`. Every pair `i < j` lies in exactly one tile. Tiles go round-robin (in row-major
    /// tile order) to ``upperTileWorkers`` workers, `worker` in `0..<upperTileWorkers`; a worker's
    /// tiles are visited in order. Half the GEMM work of a full pass over the rows.
    public func forEachUpperTile(_ body: @Sendable (_ worker: Int, _ rowStart: Int, _ rowCount: Int, _ columnStart: Int,
                                                    _ columnCount: Int, _ tile: UnsafePointer<Float>) -> Void) {
        scanUpperTiles { worker, _, r0, rows, c0, columns, tile in body(worker, r0, rows, c0, columns, UnsafePointer(tile)) }
    }

    /// The one loop behind ``forEachUpperTile(_:)`` and ``mapUpperTiles(_:)``: the tiles of
    /// ``upperTiles`` round-robin over the workers, one single-threaded SGEMM per tile into the
    /// worker's buffer, then `body(worker, tileIndex, rowStart, rowCount, columnStart, columnCount, tile)`.
    private func scanUpperTiles(_ body: @Sendable (_ worker: Int, _ index: Int, _ rowStart: Int, _ rowCount: Int, _ columnStart: Int,
                                                   _ columnCount: Int, _ tile: UnsafeMutablePointer<Float>) -> Void) {
        let list = UncheckedSendable(upperTiles)
        let workers = upperTileWorkers
        let side = Self.tileSide
        let n = count, d = dimension
        vectors.withUnsafeBufferPointer { v in
            guard let vectorBase = v.baseAddress else { return }
            let base = SendablePointer(base: UnsafeMutablePointer(mutating: vectorBase))
            parallelFor(chunks: workers, threads: workers) { worker in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.min(n, side) * Swift.min(n, side))
                defer { buffer.deallocate() }
                var t = worker
                while t < list.value.count {
                    let (a, b) = list.value[t]
                    let r0 = a * side, c0 = b * side
                    let rows = Swift.min(side, n - r0), columns = Swift.min(side, n - c0)
                    BLASThreads.run(threads: 1) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns), Int32(d),
                                    1, base.base + r0 * d, Int32(d), base.base + c0 * d, Int32(d), 0, buffer, Int32(columns))
                    }
                    body(worker, t, r0, rows, c0, columns, buffer)
                    t += workers
                }
            }
        }
    }
}

extension SimilarityScanner {
    /// The tiles `(I, J)`, `J >= I`, of the upper triangle in row-major tile order: the order
    /// of ``mapUpperTiles(_:)``'s results.
    public var upperTiles: [(row: Int, column: Int)] {
        var tiles: [(row: Int, column: Int)] = []
        tiles.reserveCapacity(tilesPerSide * (tilesPerSide + 1) / 2)
        for a in 0..<tilesPerSide { for b in a..<tilesPerSide { tiles.append((a, b)) } }
        return tiles
    }

    /// Calls `body(rowStart, rowCount, columnStart, columnCount, tile)` for every tile of the
    /// upper triangle, as ``forEachUpperTile(_:)`` does (one single-threaded SGEMM per tile,
    /// tiles round-robin over the threads), with a tile `body` may overwrite, and returns the
    /// results in tile order (row-major over `(I, J)`, `J >= I`): combining them in that order
    /// gives the same value for any thread count. A diagonal tile's pairs are those with `c > r`.
    public func mapUpperTiles<T: Sendable>(_ body: @Sendable (_ rowStart: Int, _ rowCount: Int, _ columnStart: Int, _ columnCount: Int,
                                                             _ tile: UnsafeMutablePointer<Float>) -> T) -> [T] {
        let results = UncheckedSendable(UnsafeMutableBufferPointer<T?>.allocate(capacity: tilesPerSide * (tilesPerSide + 1) / 2))
        results.value.initialize(repeating: nil)
        defer { results.value.deallocate() }
        scanUpperTiles { _, t, r0, rows, c0, columns, tile in results.value[t] = body(r0, rows, c0, columns, tile) }
        return results.value.compactMap { $0 }
    }
}

extension SimilarityScanner {
    /// The exact (float64) minimum and maximum cosine over all pairs `i < j` of `embeddings`,
    /// whose normalised rows must be `vectors`: float32 extremes per row from a streamed
    /// pass, then every pair within `1e-5` of them recomputed in float64 (rows holding such
    /// pairs are streamed again in blocks).
    public func exactRange(_ embeddings: Embeddings) throws -> SimilarityRange {
        let n = count
        guard n >= 2, embeddings.count == n, embeddings.dimension == dimension else { throw FrameCutError.tooFewNodes(n) }
        let extremes: [[(Float, Float)]] = mapBlocks(upperOnly: true) { r0, rows, c0, block in
            let columns = n - c0
            return (0..<rows).map { r in
                let i = r0 + r
                var lo = Float.infinity, hi = -Float.infinity
                let row = block + r * columns
                for t in (i + 1 - c0)..<Swift.max(i + 1 - c0, columns) {
                    lo = Swift.min(lo, row[t])
                    hi = Swift.max(hi, row[t])
                }
                return (lo, hi)
            }
        }
        let perRow = extremes.flatMap { $0 }
        return try exactRange(embeddings, rowExtremes: RowExtremes(minimum: perRow.map(\.0), maximum: perRow.map(\.1)))
    }

    /// The float32 extremes of each row's pairs `j > i` (`+inf`/`-inf` for the last row), as a
    /// streamed pass finds them (``KNNGraph/withRowExtremes(scanner:k:)`` gathers them with the
    /// neighbours, so the range costs no pass of its own).
    public struct RowExtremes: Sendable {
        public let minimum: [Float]
        public let maximum: [Float]
        public init(minimum: [Float], maximum: [Float]) {
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    /// The exact range from per-row float32 extremes: every pair within `1e-5` of the float32
    /// extremes is recomputed in float64 (candidate rows streamed again in blocks).
    public func exactRange(_ embeddings: Embeddings, rowExtremes: RowExtremes) throws -> SimilarityRange {
        let n = count
        guard n >= 2, embeddings.count == n, embeddings.dimension == dimension else { throw FrameCutError.tooFewNodes(n) }
        guard rowExtremes.minimum.count == n, rowExtremes.maximum.count == n else {
            throw FrameCutError.shapeMismatch("similarity range: \(rowExtremes.minimum.count) row extremes for \(n) rows")
        }
        let perRow = Array(zip(rowExtremes.minimum, rowExtremes.maximum))
        let min32 = perRow.prefix(n - 1).map(\.0).min() ?? 0, max32 = perRow.prefix(n - 1).map(\.1).max() ?? 0
        let tolerance: Float = 1e-5
        let candidateRows = (0..<(n - 1)).filter { perRow[$0].0 <= min32 + tolerance || perRow[$0].1 >= max32 - tolerance }
        let raw = embeddings.values
        let d = dimension
        let inverseNorms = (0..<n).map { row -> Double in
            var norm = 0.0
            for c in 0..<d { norm += Double(raw[row * d + c]) * Double(raw[row * d + c]) }
            return 1 / norm.squareRoot()
        }
        func exactCosine(_ i: Int, _ j: Int) -> Double {
            var s = 0.0
            for c in 0..<d { s += Double(raw[i * d + c]) * Double(raw[j * d + c]) }
            return s * inverseNorms[i] * inverseNorms[j]
        }
        var exactMin = Double.infinity, exactMax = -Double.infinity
        // Candidate rows in chunks, each chunk one GEMM against all later columns.
        let chunk = blockRows
        var start = 0
        var rowBuffer = [Float](repeating: 0, count: chunk * n)
        var gathered = [Float](repeating: 0, count: chunk * d)
        while start < candidateRows.count {
            let rows = Array(candidateRows[start..<Swift.min(candidateRows.count, start + chunk)])
            for (r, i) in rows.enumerated() {
                for c in 0..<d { gathered[r * d + c] = vectors[i * d + c] }
            }
            vectors.withUnsafeBufferPointer { v in
                BLASThreads.run(threads: 1) {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(n), Int32(d),
                                1, gathered, Int32(d), v.baseAddress, Int32(d), 0, &rowBuffer, Int32(n))
                }
            }
            for (r, i) in rows.enumerated() {
                for j in (i + 1)..<n {
                    let s = rowBuffer[r * n + j]
                    if s <= min32 + tolerance { exactMin = Swift.min(exactMin, exactCosine(i, j)) }
                    if s >= max32 - tolerance { exactMax = Swift.max(exactMax, exactCosine(i, j)) }
                }
            }
            start += chunk
        }
        if !exactMin.isFinite { exactMin = Double(min32) }
        if !exactMax.isFinite { exactMax = Double(max32) }
        return SimilarityRange(min: exactMin, max: exactMax)
    }
}
