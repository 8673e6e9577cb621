import CBLAS
import Foundation
import Testing
import FrameCutCore
import FrameCutIO

/// Solver parity beyond n2000: the n8000 synthetic instance and the real Fashion-MNIST 10k
/// embeddings against the energies of bjoern-andres/graph (../shared/instances/README.md).
/// Every energy here is recomputed independently of the solver, in float64 from the labels
/// (`Float64Energies`), so the solver's own float32 cost matrix is not its judge.
///
/// Release builds only: the solver runs these in 5-15 s each when optimised; a debug build of
/// FrameCutCore is some 30 times slower. `make test` runs the release suite too.
@Suite("Reference instances at scale (n8000, Fashion-MNIST 10k), release builds")
struct ReferenceInstanceLargeTests {
    static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    /// The README's claim: the same or a lower energy than andres', within 1e-8 relative.
    static let tolerance = 1e-8
    /// How closely the energies andres printed describe its own labellings: recomputed in float64
    /// they differ by 1.66e-8 relative at n8000 (both labellings alike; its costs pass through
    /// float32), so the cost-definition check allows 5e-8 and the comparison of solutions uses the
    /// recomputed energies.
    static let reportedEnergyTolerance = 5e-8

    @Test("n8000 at cal 0.5: andres' labels have its energies; GAEC+KL reaches them or lower",
          .disabled(if: isDebugBuild, "runs in the release suite (make test runs both)"))
    func n8000() throws {
        let embeddings = try ReferenceInstanceTests.embeddings("gauss_n8000_d128_s1")
        let andresGAEC = try ReferenceInstanceTests.labels("gauss_n8000_d128_s1.andres_gaec.labels")
        let andresKL = try ReferenceInstanceTests.labels("gauss_n8000_d128_s1.andres_gaec_kl.labels")
        let solution = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL))
            .solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: 0.5))
        let energies = try Float64Energies(embeddings, cal: 0.5).energies(of: [andresGAEC, andresKL, solution.labels])
        #expect(ReferenceInstanceTests.relativeDifference(energies[0], -12970507.902) < Self.reportedEnergyTolerance, "andres GAEC labels: \(energies[0])")
        #expect(ReferenceInstanceTests.relativeDifference(energies[1], -13012766.947) < Self.reportedEnergyTolerance, "andres GAEC+KL labels: \(energies[1])")
        #expect(energies[2] <= energies[1] + Self.tolerance * abs(energies[1]), "FrameCut GAEC+KL \(energies[2]) vs andres \(energies[1])")
        // The solver's own float32-cost energy agrees with the float64 recomputation.
        #expect(ReferenceInstanceTests.relativeDifference(solution.energy, energies[2]) < Self.tolerance)
    }

    @Test("real Fashion-MNIST 10k (EfficientNet-Lite0) at cal 0.5 and 0.6: GAEC+KL reaches andres' energies or lower",
          .disabled(if: isDebugBuild, "runs in the release suite (make test runs both)"),
          arguments: [(0.5, -27628578.72), (0.6, -11739996.78)])
    func fashionMNIST(cal: Double, andresEnergy: Double) throws {
        let archive = try NPZArchive(contentsOf: ReferenceInstanceTests.instances.appendingPathComponent("fmnist_t10k_lite0.npz"))
        let array = try archive.array(named: "embeddings")
        #expect(array.shape == [10000, 1280])
        let embeddings = try Embeddings(count: array.shape[0], dimension: array.shape[1], values: array.floatValues())
        let solution = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL))
            .solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: cal))
        let energy = try Float64Energies(embeddings, cal: cal).energies(of: [solution.labels])[0]
        #expect(energy <= andresEnergy + Self.tolerance * abs(andresEnergy), "cal \(cal): FrameCut GAEC+KL \(energy) vs andres \(andresEnergy)")
        #expect(ReferenceInstanceTests.relativeDifference(solution.energy, energy) < Self.tolerance)
    }
}

/// The paper's energy of labellings computed from scratch in float64 (cosines by DGEMM on
/// float64-normalised rows, min/max over all pairs i < j, clipped logit costs), independent of
/// FrameCut's float32 cost matrix. Row blocks keep memory at a few hundred MB.
struct Float64Energies {
    let rows: [Double]
    let n: Int
    let d: Int
    let cal: Double
    static let block = 512

    init(_ embeddings: Embeddings, cal: Double) throws {
        rows = embeddings.normalizedFloat64()
        n = embeddings.count
        d = embeddings.dimension
        self.cal = cal
    }

    /// Calls `body(i0, rowsInBlock, gram)` with the cosines of rows `i0..<i0+rowsInBlock` against all rows.
    private func forEachBlock(_ body: (Int, Int, [Double]) -> Void) {
        var gram = [Double](repeating: 0, count: Self.block * n)
        var i0 = 0
        while i0 < n {
            let m = min(Self.block, n - i0)
            rows.withUnsafeBufferPointer { x in
                gram.withUnsafeMutableBufferPointer { g in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(d), 1,
                                x.baseAddress! + i0 * d, Int32(d), x.baseAddress!, Int32(d), 0, g.baseAddress!, Int32(n))
                }
            }
            body(i0, m, gram)
            i0 += m
        }
    }

    func energies(of labellings: [[Int32]]) throws -> [Double] {
        var low = Double.infinity, high = -Double.infinity
        forEachBlock { i0, m, gram in
            for r in 0..<m {
                let i = i0 + r
                for j in (i + 1)..<n {
                    let s = min(1, max(-1, gram[r * n + j]))
                    low = min(low, s)
                    high = max(high, s)
                }
            }
        }
        let eps = 1e-5
        let bias = log(cal / (1 - cal))
        var totals = [Double](repeating: 0, count: labellings.count)
        forEachBlock { i0, m, gram in
            for r in 0..<m {
                let i = i0 + r
                for j in (i + 1)..<n {
                    let s = min(1, max(-1, gram[r * n + j]))
                    let p = min(1 - eps, max(eps, (s - low) / (high - low)))
                    let w = log(p / (1 - p)) + bias
                    for (k, labels) in labellings.enumerated() where labels[i] != labels[j] {
                        totals[k] += w
                    }
                }
            }
        }
        return totals
    }
}
