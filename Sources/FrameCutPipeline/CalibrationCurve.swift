import Foundation
import FrameCutCore
import FrameCutIO

/// The calibration curve of one model (supplement Figures 8-9): the run's images clustered at
/// every `cal` of a grid (GAEC + Kernighan-Lin on the model's costs, `CalibrationAblation`),
/// each clustering scored against the class labels by H(Class|Cluster) and H(Cluster|Class) in
/// nats, plus the run's own clustering at its chosen `cal`. Written to `MODEL/calibration.csv`
/// and `run.json`; drawn by the report.
public struct CalibrationCurve: Codable, Sendable, Equatable {
    /// One clustering scored against the classes.
    public struct Point: Codable, Sendable, Equatable {
        public var cal: Double
        public var clusters: Int
        /// H(Cluster|Class), nats: how much a class is split.
        public var clusterEntropyGivenClass: Double
        /// H(Class|Cluster), nats: how much a cluster mixes classes.
        public var classEntropyGivenCluster: Double
        public var variationOfInformation: Double
        public var adjustedRandIndex: Double
        /// Multicut energy of the clustering (GAEC + KL).
        public var energy: Double?
        public var seconds: Double
    }

    /// The grid, in the order given.
    public var points: [Point]
    /// The run's clustering at the `cal` it used (given or the heuristic's), on the same images.
    /// Under label-free costs its `cal` is the paper heuristic's (for reference) and
    /// ``chosenCosts`` names the cost model that made the clustering.
    public var chosen: Point
    /// The run's cost model when it is not the paper's (e.g. `fuzzy-modularity`); nil: the
    /// paper's costs at `chosen.cal`.
    public var chosenCosts: String?
    /// The grid's `cal` with the smallest VI (ties: the smaller `cal`): what `framecut calibrate`
    /// would choose on these images.
    public var minimumVariationOfInformationCal: Double
    /// Seconds for the shared `logit(p)` matrix (dense grid only) and for the whole curve.
    public var secondsCosts: Double
    public var seconds: Double
    /// The grid's solver (`gaec-kl`, or `large-scale gaec-kl k=32`) and why; absent in run
    /// folders written before the choice (always dense then).
    public var solver: String? = nil
    public var solverChoice: String? = nil

    /// The grid's solver for `count` images of width `dimension`: the one asked for (`run`
    /// passes the scale its clustering used); with `auto` the dense one when the dense grid (the
    /// shared logits plus one working matrix, 8 n² bytes) fits `solver.memoryLimit`, else the
    /// large-scale one.
    public static func gridChoice(count: Int, dimension: Int, runScale: MulticutSolverScale, solver: MulticutOptions,
                                  k: Int) -> MulticutSolverChoice {
        let dense = MemoryBudget.sum(SymmetricCostMatrix.byteCount(nodeCount: count), DenseMulticutSolver.estimatedBytes(nodeCount: count))
        let budget = MemoryBudget.format(solver.memoryLimit)
        switch runScale {
        case .large: return MulticutSolverChoice(scale: .large, reason: "large-scale solver, k = \(k) (asked for, or as the run's clustering)")
        case .dense: return MulticutSolverChoice(scale: .dense, reason: "dense solver (asked for): the grid's two cost matrices need about \(MemoryBudget.format(dense)) of \(budget)")
        case .auto: break
        }
        if dense <= solver.memoryLimit {
            return MulticutSolverChoice(scale: .dense, reason: "dense solver: the grid's two cost matrices (about \(MemoryBudget.format(dense))) fit \(budget)")
        }
        return MulticutSolverChoice(scale: .large, reason: "large-scale solver, k = \(k): the grid's two dense cost matrices would need \(MemoryBudget.format(dense)) of \(budget)")
    }

    /// Clusters `embeddings` at every `grid` value and scores each clustering against `classes`.
    /// - Parameters:
    ///   - classes: the class of each row of `embeddings`.
    ///   - chosen: the run's `cal`, labels and energy (scored, not solved again).
    ///   - chosenCosts: the run's cost model when not the paper's (then `chosen.cal` is only a reference).
    ///   - solver: the run's solver options (algorithm, threads, memory limit).
    ///   - choice: the grid's solver (``gridChoice(count:dimension:runScale:solver:k:)``); nil: dense.
    ///   - k: the large-scale solver's neighbours per image.
    /// - Throws: `PipelineError.invalidOption` for a bad grid, `MetricsError`/`FrameCutError`
    ///   from the solver or a class count that does not match.
    public static func compute(embeddings: Embeddings, classes: Labeling, grid: [Double],
                               chosen: (cal: Double, labels: [Int32], energy: Double), chosenCosts: String? = nil,
                               solver: MulticutOptions, choice: MulticutSolverChoice? = nil, k: Int = 32,
                               progress: CalibrationAblation.Progress? = nil) throws -> CalibrationCurve {
        try CalibrationGrid.validate(grid)
        let clock = Stopwatch()
        let large = choice?.scale == .large
        let dense = large ? nil : try MulticutCalibrationClustering(embeddings: embeddings, options: solver)
        let clustering: CalibrationClustering = dense ?? LargeScaleCalibrationClustering(embeddings: embeddings, solver: solver, k: k)
        let report = try CalibrationAblation(grid: grid, base: .natural).run(train: clustering, trainClasses: classes, progress: progress)
        let points = report.grid.map {
            Point(cal: $0.cal, clusters: $0.clusters, clusterEntropyGivenClass: $0.clusterEntropyGivenClass,
                  classEntropyGivenCluster: $0.classEntropyGivenCluster, variationOfInformation: $0.variationOfInformation,
                  adjustedRandIndex: $0.adjustedRandIndex, energy: $0.energy, seconds: $0.seconds)
        }
        let runClusters = Labeling(chosen.labels.map(Int.init))
        let agreement = try LabelAgreement(clusters: runClusters, classes: classes, base: .natural)
        let runPoint = Point(cal: chosen.cal, clusters: runClusters.clusterCount,
                             clusterEntropyGivenClass: agreement.clusterEntropyGivenClass,
                             classEntropyGivenCluster: agreement.classEntropyGivenCluster,
                             variationOfInformation: agreement.variationOfInformation,
                             adjustedRandIndex: agreement.adjustedRandIndex, energy: chosen.energy, seconds: 0)
        return CalibrationCurve(points: points, chosen: runPoint, chosenCosts: chosenCosts, minimumVariationOfInformationCal: report.chosenCal,
                                secondsCosts: dense?.secondsCosts ?? 0, seconds: clock.seconds,
                                solver: large ? "large-scale \(solver.algorithm.rawValue) k=\(k)" : solver.solverName, solverChoice: choice?.reason)
    }

    /// `calibration.csv`: one row per grid value, then the run's own clustering
    /// (`point` = `grid` or `chosen`); entropies in nats, 6 significant digits.
    public var csv: String {
        func row(_ p: Point, _ kind: String) -> String {
            [kind, String(format: "%.12g", p.cal), String(p.clusters), String(format: "%.6g", p.clusterEntropyGivenClass),
             String(format: "%.6g", p.classEntropyGivenCluster), String(format: "%.6g", p.variationOfInformation),
             String(format: "%.6g", p.adjustedRandIndex), p.energy.map { String(format: "%.10g", $0) } ?? ""].joined(separator: ",")
        }
        var lines = ["point,cal,clusters,h_cluster_given_class_nats,h_class_given_cluster_nats,vi_nats,ari,energy"]
        lines += points.map { row($0, "grid") }
        lines.append(row(chosen, "chosen"))
        return lines.joined(separator: "\n") + "\n"
    }
}
