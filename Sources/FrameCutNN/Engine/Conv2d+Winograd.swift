import CBLAS

/// Winograd's minimal filtering F(2x2, 3x3) for 3x3 stride-1 convolutions: each 4x4 input
/// tile and 3x3 kernel are transformed (`V = Bᵀ d B`, `U = G g Gᵀ`), the 16 transformed
/// positions become 16 GEMMs (`M = U V` over channels), and each result tile goes back with
/// `Y = Aᵀ M A` to a 2x2 output block: 16 multiplications per 4 outputs instead of 36, so the
/// GEMM work is 2.25 times smaller than im2col's. Used for wide, deep layers, where those GEMMs
/// stay large enough to run near BLAS speed (see `suits`). Results differ from im2col's by
/// rounding only (checked against a direct convolution to 1e-5 relative).
enum Winograd {
    /// Layers where the transforms pay (else im2col + GEMM): at least 128 input channels (checked
    /// at load, `Conv2d.usesWinograd`) and a plane at least 16 high and 56 wide, or 256 channels.
    /// Measured on VGG19-BN (its 3x3 layers from 128 channels on: about 20% faster) and ResNet-50
    /// (its 64- and 128-channel 3x3 layers at 56 and 28 px were not faster: small GEMMs).
    static func suits(_ g: ConvGeometry) -> Bool {
        g.outHeight >= 16 && g.outWidth >= 16 && (g.outWidth >= 56 || g.inChannels >= 256)
    }

    /// `16 x out x in` transformed kernels (computed in float64).
    static func transformWeights(_ w: [Float], outChannels: Int, inChannels: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 16 * outChannels * inChannels)
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                let g = (0..<9).map { Double(w[(o * inChannels + c) * 9 + $0]) }
                // t = G g (4 x 3)
                var t = [Double](repeating: 0, count: 12)
                for j in 0..<3 {
                    let g0 = g[j], g1 = g[3 + j], g2 = g[6 + j]
                    t[j] = g0
                    t[3 + j] = (g0 + g1 + g2) / 2
                    t[6 + j] = (g0 - g1 + g2) / 2
                    t[9 + j] = g2
                }
                // U = t Gᵀ (4 x 4)
                for i in 0..<4 {
                    let t0 = t[3 * i], t1 = t[3 * i + 1], t2 = t[3 * i + 2]
                    let row = [t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2]
                    for j in 0..<4 { u[((4 * i + j) * outChannels + o) * inChannels + c] = Float(row[j]) }
                }
            }
        }
        return u
    }
}

extension Conv2d {
    /// Whether a layer of this shape keeps a Winograd copy of its weights.
    static func usesWinograd(kernel: (Int, Int), stride: (Int, Int), groups: Int, inChannels: Int) -> Bool {
        kernel == (3, 3) && stride == (1, 1) && groups == 1 && inChannels >= 128
    }
}

extension ConvJob {
    /// The Winograd path. Work items are blocks of whole tile rows of one image, sized to keep the
    /// transformed input and output blocks within a few MB and cut, like the GEMM path, only by
    /// the layer's geometry (a multiple of `ComputeContext.partitions` per image), so results do
    /// not depend on threads or batch.
    func runWinograd(batch: Int, weights u: UnsafePointer<Float>, context: ComputeContext) {
        let g = geometry
        let cin = g.inChannels, cout = outChannels
        let tilesHigh = (g.outHeight + 1) / 2, tilesWide = (g.outWidth + 1) / 2
        let perTileRow = 16 * (cin + cout) * tilesWide
        let cacheRows = max(1, min(tilesHigh, (1 << 20) / max(perTileRow, 1)))
        let blocks = RowBlocks(rows: tilesHigh, cacheRows: cacheRows)
        context.forEachBlockRun(batch: batch, blocks: blocks) { run in
            let maxTiles = blocks.rowsPerBlock * tilesWide
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * cin * maxTiles)
            let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * cout * maxTiles)
            defer { v.deallocate(); m.deallocate() }
            for (n, tileRows) in run {
                let tiles = tileRows.count * tilesWide
                transformInput(image: n, tileRows: tileRows, tilesWide: tilesWide, into: v)
                for xi in 0..<16 {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(cout), Int32(tiles), Int32(cin),
                                1, u + xi * cout * cin, Int32(cin), v + xi * cin * tiles, Int32(tiles),
                                0, m + xi * cout * tiles, Int32(tiles))
                }
                transformOutput(image: n, tileRows: tileRows, tilesWide: tilesWide, from: m)
                let y0 = 2 * tileRows.lowerBound, y1 = min(g.outHeight, 2 * tileRows.upperBound)
                epilogue(image: n, channels: 0..<cout, columns: (y0 * g.outWidth)..<(y1 * g.outWidth))
            }
        }
    }

    /// `V = Bᵀ d B` for every channel and tile of the block: `v[xi][c][tile]`. Runs of 8 tiles that
    /// lie inside the input are transformed together in SIMD registers; edge tiles one by one.
    @inline(__always)
    private func transformInput(image n: Int, tileRows: Range<Int>, tilesWide: Int, into v: UnsafeMutablePointer<Float>) {
        let g = geometry
        let tiles = tileRows.count * tilesWide
        let plane = g.height * g.width
        let stride = g.inChannels * tiles
        // Tiles with 0 <= x0 and x0 + 4 <= width (x0 = 2 tx - padLeft).
        let interiorLo = (g.padLeft + 1) / 2
        let interiorHi = g.width >= 4 ? (g.width - 4 + g.padLeft) / 2 : -1   // inclusive
        for c in 0..<g.inChannels {
            let src = input + (n * g.inChannels + c) * plane
            let dst = v + c * tiles
            var t = 0
            for ty in tileRows {
                let y0 = 2 * ty - g.padTop
                let rowInside = y0 >= 0 && y0 + 4 <= g.height
                var tx = 0
                while tx < tilesWide {
                    if rowInside && tx >= interiorLo && tx + 7 <= interiorHi {
                        Self.inputChunk(src + y0 * g.width + (2 * tx - g.padLeft), width: g.width, out: dst + t, stride: stride)
                        tx += 8
                        t += 8
                    } else {
                        inputTile(src, y0: y0, x0: 2 * tx - g.padLeft, out: dst + t, stride: stride)
                        tx += 1
                        t += 1
                    }
                }
            }
        }
    }

    /// Eight neighbouring interior tiles (top-left input pixel at `p`) at once.
    @inline(__always)
    private static func inputChunk(_ p: UnsafePointer<Float>, width: Int, out: UnsafeMutablePointer<Float>, stride: Int) {
        typealias V8 = SIMD8<Float>
        func rowValues(_ i: Int) -> (V8, V8, V8, V8) {
            let raw = UnsafeRawPointer(p + i * width)
            let a = raw.loadUnaligned(as: SIMD16<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: 8, as: SIMD16<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
        let r0 = rowValues(0), r1 = rowValues(1), r2 = rowValues(2), r3 = rowValues(3)
        // Bᵀ d
        let a = (r0.0 - r2.0, r0.1 - r2.1, r0.2 - r2.2, r0.3 - r2.3)
        let b = (r1.0 + r2.0, r1.1 + r2.1, r1.2 + r2.2, r1.3 + r2.3)
        let c = (r2.0 - r1.0, r2.1 - r1.1, r2.2 - r1.2, r2.3 - r1.3)
        let e = (r1.0 - r3.0, r1.1 - r3.1, r1.2 - r3.2, r1.3 - r3.3)
        func store(_ xi: Int, _ value: V8) {
            UnsafeMutableRawPointer(out + xi * stride).storeBytes(of: value, as: V8.self)
        }
        store(0, a.0 - a.2); store(1, a.1 + a.2); store(2, a.2 - a.1); store(3, a.1 - a.3)
        store(4, b.0 - b.2); store(5, b.1 + b.2); store(6, b.2 - b.1); store(7, b.1 - b.3)
        store(8, c.0 - c.2); store(9, c.1 + c.2); store(10, c.2 - c.1); store(11, c.1 - c.3)
        store(12, e.0 - e.2); store(13, e.1 + e.2); store(14, e.2 - e.1); store(15, e.1 - e.3)
    }

    /// One tile, with zeros outside the input.
    @inline(__always)
    private func inputTile(_ src: UnsafePointer<Float>, y0: Int, x0: Int, out: UnsafeMutablePointer<Float>, stride: Int) {
        let g = geometry
        var d = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                 Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        withUnsafeMutableBytes(of: &d) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for i in 0..<4 {
                let y = y0 + i
                for j in 0..<4 {
                    let x = x0 + j
                    p[4 * i + j] = (y >= 0 && y < g.height && x >= 0 && x < g.width) ? src[y * g.width + x] : 0
                }
            }
            let a0 = p[0] - p[8], a1 = p[1] - p[9], a2 = p[2] - p[10], a3 = p[3] - p[11]
            let b0 = p[4] + p[8], b1 = p[5] + p[9], b2 = p[6] + p[10], b3 = p[7] + p[11]
            let c0 = p[8] - p[4], c1 = p[9] - p[5], c2 = p[10] - p[6], c3 = p[11] - p[7]
            let e0 = p[4] - p[12], e1 = p[5] - p[13], e2 = p[6] - p[14], e3 = p[7] - p[15]
            out[0] = a0 - a2; out[stride] = a1 + a2; out[2 * stride] = a2 - a1; out[3 * stride] = a1 - a3
            out[4 * stride] = b0 - b2; out[5 * stride] = b1 + b2; out[6 * stride] = b2 - b1; out[7 * stride] = b1 - b3
            out[8 * stride] = c0 - c2; out[9 * stride] = c1 + c2; out[10 * stride] = c2 - c1; out[11 * stride] = c1 - c3
            out[12 * stride] = e0 - e2; out[13 * stride] = e1 + e2; out[14 * stride] = e2 - e1; out[15 * stride] = e1 - e3
        }
    }

    /// `Y = Aᵀ M A` for every output channel and tile, written into the output plane; runs of 8
    /// tiles whose 2x2 blocks lie inside the output in SIMD registers.
    @inline(__always)
    private func transformOutput(image n: Int, tileRows: Range<Int>, tilesWide: Int, from m: UnsafePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let g = geometry
        let tiles = tileRows.count * tilesWide
        let stride = outChannels * tiles
        let fullTilesWide = g.outWidth / 2   // tiles whose two columns both exist
        for k in 0..<outChannels {
            let src = m + k * tiles
            let dst = output + (n * outChannels + k) * g.outPlane
            var t = 0
            for ty in tileRows {
                let y = 2 * ty
                let twoRows = y + 1 < g.outHeight
                var tx = 0
                while tx < tilesWide {
                    let q = src + t
                    if twoRows && tx + 8 <= fullTilesWide {
                        func load(_ xi: Int) -> V8 { UnsafeRawPointer(q + xi * stride).loadUnaligned(as: V8.self) }
                        let s0 = load(0) + load(4) + load(8), s1 = load(1) + load(5) + load(9)
                        let s2 = load(2) + load(6) + load(10), s3 = load(3) + load(7) + load(11)
                        let d0 = load(4) - load(8) - load(12), d1 = load(5) - load(9) - load(13)
                        let d2 = load(6) - load(10) - load(14), d3 = load(7) - load(11) - load(15)
                        var top = SIMD16<Float>(), bottom = SIMD16<Float>()
                        top.evenHalf = s0 + s1 + s2
                        top.oddHalf = s1 - s2 - s3
                        bottom.evenHalf = d0 + d1 + d2
                        bottom.oddHalf = d1 - d2 - d3
                        let row0 = dst + y * g.outWidth + 2 * tx
                        UnsafeMutableRawPointer(row0).storeBytes(of: top, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(row0 + g.outWidth).storeBytes(of: bottom, as: SIMD16<Float>.self)
                        tx += 8
                        t += 8
                        continue
                    }
                    let m0 = q[0], m1 = q[stride], m2 = q[2 * stride], m3 = q[3 * stride]
                    let m4 = q[4 * stride], m5 = q[5 * stride], m6 = q[6 * stride], m7 = q[7 * stride]
                    let m8 = q[8 * stride], m9 = q[9 * stride], m10 = q[10 * stride], m11 = q[11 * stride]
                    let m12 = q[12 * stride], m13 = q[13 * stride], m14 = q[14 * stride], m15 = q[15 * stride]
                    // Aᵀ M: rows 0 and 1, then A: columns 0 and 1.
                    let s0 = m0 + m4 + m8, s1 = m1 + m5 + m9, s2 = m2 + m6 + m10, s3 = m3 + m7 + m11
                    let d0 = m4 - m8 - m12, d1 = m5 - m9 - m13, d2 = m6 - m10 - m14, d3 = m7 - m11 - m15
                    let x = 2 * tx
                    let row0 = dst + y * g.outWidth + x
                    row0[0] = s0 + s1 + s2
                    let hasRight = x + 1 < g.outWidth
                    if hasRight { row0[1] = s1 - s2 - s3 }
                    if twoRows {
                        let row1 = row0 + g.outWidth
                        row1[0] = d0 + d1 + d2
                        if hasRight { row1[1] = d1 - d2 - d3 }
                    }
                    tx += 1
                    t += 1
                }
            }
        }
    }
}
