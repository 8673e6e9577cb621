import Foundation

/// The `cal` ablation of the paper (METHOD.md section 3): cluster a labelled train split for
/// every `cal` of a grid, score each clustering against the classes, pick the `cal` with the
/// smallest VI, and verify it on a held-out split.
public struct CalibrationAblation {
    /// One clustering of the ablation.
    public struct Row: Sendable, Codable, Equatable {
        public let cal: Double
        public let items: Int
        public let clusters: Int
        /// H(Cluster|Class), H(Class|Cluster) and VI, in the ablation's log base.
        public let clusterEntropyGivenClass: Double
        public let classEntropyGivenCluster: Double
        public let variationOfInformation: Double
        public let adjustedRandIndex: Double
        public let cleanClusterShare: Double
        public let energy: Double?
        /// The solver ablation (supplement Table 4): GAEC alone.
        public let energyGAEC: Double?
        public let clustersGAEC: Int?
        public let seconds: Double
    }

    /// The outcome: the grid on the train split, the choice, and its verification.
    public struct Report: Sendable, Codable {
        public let grid: [Row]
        /// The grid's `cal` with the smallest train VI (ties: the smaller `cal`).
        public let chosenCal: Double
        /// The chosen `cal` on the held-out split (nil without one).
        public let heldOut: Row?
        /// The label-free heuristic's `cal` (supplement A.1) and its scores, when given.
        public let heuristicCal: Double?
        public let heuristicTrain: Row?
        public let heuristicHeldOut: Row?
        public let base: LogBase
        public let selectionRule: String
    }

    /// Progress: `(done, total, cal)` before each clustering; return false to cancel.
    public typealias Progress = (Int, Int, Double) -> Bool

    public var grid: [Double]
    public var base: LogBase

    /// - Parameter grid: `cal` values, each in (0, 1); default 0.1 ... 0.9 in steps of 0.1.
    public init(grid: [Double] = CalibrationAblation.defaultGrid, base: LogBase = .natural) {
        self.grid = grid
        self.base = base
    }

    /// 0.1, 0.2, ..., 0.9 (the paper's grid).
    public static let defaultGrid: [Double] = (1...9).map { Double($0) / 10 }

    /// Evenly spaced values from `start` through `end` (inclusive, within 1e-9) by `step`,
    /// rounded to 12 decimals so 0.1 + 0.2 prints as 0.3.
    public static func grid(from start: Double, through end: Double, step: Double) throws -> [Double] {
        guard step > 0, start <= end else {
            throw MetricsError.invalidParameter(name: "grid step", value: step, reason: "needs step > 0 and start <= end")
        }
        let count = Int(((end - start) / step + 1e-9).rounded(.down)) + 1
        return (0..<count).map { (((start + Double($0) * step) * 1e12).rounded()) / 1e12 }
    }

    /// Runs the ablation.
    /// - Parameters:
    ///   - train: the train items, prepared for clustering; `trainClasses` their classes.
    ///   - heldOut: the held-out items and classes (optional).
    ///   - heuristicCal: the heuristic's `cal`, clustered beside the grid when given.
    /// - Throws: `MetricsError` for an invalid grid, mismatched class counts, a solver
    ///   failure, or cancellation.
    public func run(
        train: CalibrationClustering, trainClasses: Labeling,
        heldOut: (clustering: CalibrationClustering, classes: Labeling)? = nil,
        heuristicCal: Double? = nil,
        progress: Progress? = nil
    ) throws -> Report {
        guard !grid.isEmpty else { throw MetricsError.empty(what: "cal grid") }
        for cal in grid + (heuristicCal.map { [$0] } ?? []) where !(cal > 0 && cal < 1) {
            throw MetricsError.invalidParameter(name: "cal", value: cal, reason: "must lie strictly between 0 and 1")
        }
        guard trainClasses.count == train.itemCount else {
            throw MetricsError.countMismatch(what: "train classes", expected: train.itemCount, actual: trainClasses.count)
        }
        if let heldOut, heldOut.classes.count != heldOut.clustering.itemCount {
            throw MetricsError.countMismatch(what: "held-out classes", expected: heldOut.clustering.itemCount, actual: heldOut.classes.count)
        }
        let total = grid.count + (heldOut == nil ? 0 : 1) + (heuristicCal == nil ? 0 : (heldOut == nil ? 1 : 2))
        var done = 0
        func evaluate(_ clustering: CalibrationClustering, _ classes: Labeling, _ cal: Double) throws -> Row {
            if let progress, !progress(done, total, cal) { throw MetricsError.cancelled }
            done += 1
            let outcome: CalibrationClusteringOutcome
            do {
                outcome = try clustering.cluster(cal: cal)
            } catch let error as MetricsError {
                throw error
            } catch {
                throw MetricsError.solverFailed(cal: cal, reason: String(describing: error))
            }
            guard outcome.labels.count == classes.count else {
                throw MetricsError.countMismatch(what: "labels from the solver at cal \(cal)", expected: classes.count, actual: outcome.labels.count)
            }
            let clusters = Labeling(outcome.labels.map(Int.init))
            let agreement = try LabelAgreement(clusters: clusters, classes: classes, base: base)
            return Row(cal: cal, items: classes.count, clusters: clusters.clusterCount,
                       clusterEntropyGivenClass: agreement.clusterEntropyGivenClass,
                       classEntropyGivenCluster: agreement.classEntropyGivenCluster,
                       variationOfInformation: agreement.variationOfInformation,
                       adjustedRandIndex: agreement.adjustedRandIndex,
                       cleanClusterShare: agreement.cleanClusterShare,
                       energy: outcome.energy, energyGAEC: outcome.energyGAEC, clustersGAEC: outcome.clustersGAEC,
                       seconds: outcome.seconds)
        }
        let rows = try grid.map { try evaluate(train, trainClasses, $0) }
        var best = rows[0]
        for row in rows.dropFirst() where row.variationOfInformation < best.variationOfInformation
            || (row.variationOfInformation == best.variationOfInformation && row.cal < best.cal) {
            best = row
        }
        let held = try heldOut.map { try evaluate($0.clustering, $0.classes, best.cal) }
        let heuristicTrain = try heuristicCal.map { try evaluate(train, trainClasses, $0) }
        var heuristicHeld: Row?
        if let heuristicCal, let heldOut {
            heuristicHeld = try evaluate(heldOut.clustering, heldOut.classes, heuristicCal)
        }
        return Report(grid: rows, chosenCal: best.cal, heldOut: held, heuristicCal: heuristicCal,
                      heuristicTrain: heuristicTrain, heuristicHeldOut: heuristicHeld, base: base,
                      selectionRule: "minimum VI = H(Cluster|Class) + H(Class|Cluster) on the train split; ties: the smaller cal")
    }
}
