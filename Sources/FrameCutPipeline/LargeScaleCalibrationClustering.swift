import Foundation
import FrameCutCore

/// The calibration grid on the large-scale solver: each `cal` is one large-scale solve of the
/// paper's costs (O(nk + nd) memory, no n² matrix; the kNN graph is found again per `cal`).
/// Used by ``CalibrationCurve`` when the dense grid does not fit the memory budget.
public struct LargeScaleCalibrationClustering: CalibrationClustering {
    public let embeddings: Embeddings
    public let solver: MulticutOptions
    public let k: Int

    public var itemCount: Int { embeddings.count }

    public init(embeddings: Embeddings, solver: MulticutOptions, k: Int) {
        self.embeddings = embeddings
        self.solver = solver
        self.k = k
    }

    public func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        let clock = Stopwatch()
        let result = try ScaledMulticutSolver(options: solver, scale: .large, k: k).solve(embeddings, costs: try CostFunction(cal: cal))
        let solution = result.solution
        return CalibrationClusteringOutcome(labels: solution.labels, energy: solution.energy, energyGAEC: solution.energyGAEC,
                                            clustersGAEC: solution.clusterCountGAEC, seconds: clock.seconds)
    }
}
