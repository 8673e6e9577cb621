import Foundation
import Testing
import FrameCutCore
import FrameCutIO

/// Parity with bjoern-andres/graph (the solver the paper used) on the instances in
/// `../shared/instances` (or `$FRAMECUT_SHARED/instances`). Energies from its README.
@Suite("Reference instances (andres GAEC / GAEC+KL)")
struct ReferenceInstanceTests {
    static var instances: URL {
        if let shared = ProcessInfo.processInfo.environment["FRAMECUT_SHARED"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("instances")
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/instances")
    }

    static func embeddings(_ name: String) throws -> Embeddings {
        let array = try NPYFile.read(contentsOf: instances.appendingPathComponent("\(name).npy"))
        return try Embeddings(count: array.shape[0], dimension: array.shape[1], values: array.floatValues())
    }

    static func labels(_ name: String) throws -> [Int32] {
        try NPYFile.read(contentsOf: instances.appendingPathComponent("\(name).npy")).int32Values()
    }

    static func relativeDifference(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

    @Test("n2000: same costs, same GAEC, GAEC+KL at least as good")
    func n2000() throws {
        let embeddings = try Self.embeddings("gauss_n2000_d128_s1")
        let costs = try CostFunction(cal: 0.5)
        let source = try EmbeddingCostSource(embeddings)
        let solver = DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL))

        // The cost definition: andres' own labellings have the energies it reported.
        let andresGAEC = try Self.labels("gauss_n2000_d128_s1.andres_gaec.labels")
        let andresKL = try Self.labels("gauss_n2000_d128_s1.andres_gaec_kl.labels")
        #expect(Self.relativeDifference(try solver.energy(of: andresGAEC, source: source, costs: costs), -1052898.226) < ReferenceInstanceLargeTests.reportedEnergyTolerance)
        #expect(Self.relativeDifference(try solver.energy(of: andresKL, source: source, costs: costs), -1061173.439) < ReferenceInstanceLargeTests.reportedEnergyTolerance)

        let solution = try solver.solve(source, costs: costs)
        #expect(Self.relativeDifference(solution.energyGAEC, -1052898.226) < ReferenceInstanceLargeTests.tolerance, "GAEC energy \(solution.energyGAEC)")
        #expect(solution.clusterCountGAEC == 26)
        #expect(solution.energy <= -1061173.439 + ReferenceInstanceLargeTests.tolerance * 1061173.439, "GAEC+KL energy \(solution.energy)")
        #expect(solution.energy <= solution.energyGAEC)

        let gaecOnly = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaec)).solve(source, costs: costs)
        #expect(gaecOnly.labels == Partition.canonicalLabels(andresGAEC), "GAEC partition differs from andres'")
    }

    @Test("n8000 and the real Fashion-MNIST embeddings load")
    func largerInstancesLoad() throws {
        let embeddings = try Self.embeddings("gauss_n8000_d128_s1")
        #expect(embeddings.count == 8000 && embeddings.dimension == 128)
        #expect(try Self.labels("gauss_n8000_d128_s1.andres_gaec_kl.labels").count == 8000)
        let real = try NPZArchive(contentsOf: Self.instances.appendingPathComponent("fmnist_t10k_lite0.npz"))
        #expect(try real.array(named: "embeddings").shape == [10000, 1280])
    }
}
