import Dispatch
import Foundation

/// The `cal` ablation of the paper (METHOD.md section 3): cluster a labelled train split for
/// every `cal` of a grid, score each clustering against the classes, pick the `cal` with the
/// smallest VI, and verify it on a held-out split.
public struct CalibrationAblation: Sendable {
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
    /// How many grid values to cluster at the same time (default 1). Above 1, `cluster(cal:)`
    /// of the train clustering is called from several threads at once, which the clustering
    /// must allow (`MulticutCalibrationClustering` does: each call solves in its own matrix).
    /// The grid's order, results and selection do not depend on it.
    public var concurrentSolves = 1

    /// - Parameter grid: `cal` values, each in (0, 1); default 0.1 ... 0.9 in steps of 0.1.
    public init(grid: [Double] = CalibrationAblation.defaultGrid, base: LogBase = .natural) {
        self.grid = grid
        self.base = base
    }

    /// 0.1, 0.2, ..., 0.9 (the paper's grid).
    public static let defaultGrid: [Double] = (1...9).map { Double($0) / 10 }

    /// Evenly spaced values from `start` through `end` (inclusive, within 1e-9) by `step`,
    /// rounded to 12 decimals so 0.1 + 0.2 prints as 0.3.
    /// The most grid values one ablation clusters.
    public static let maximumGridSize = 10_000

    public static func grid(from start: Double, through end: Double, step: Double) throws -> [Double] {
        guard step > 0, start <= end, start.isFinite, end.isFinite, step.isFinite else {
            throw MetricsError.invalidParameter(name: "grid step", value: step, reason: "needs finite values, step > 0 and start <= end")
        }
        // Each grid value is one clustering: bound the count before allocating the grid.
        let steps = ((end - start) / step + 1e-9).rounded(.down)
        guard steps < Double(maximumGridSize) else {
            throw MetricsError.invalidParameter(name: "grid step", value: step, reason: "gives \(steps) grid values, more than the \(maximumGridSize) allowed (each is a clustering)")
        }
        let count = Int(steps) + 1
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
        let state = AblationState(total: total, progress: progress)
        let rows: [Row]
        if concurrentSolves > 1 && grid.count > 1 {
            let shared = UncheckedSendableBox(value: train)
            let results = UnsafeResultBuffer<Result<Row, any Error>>(count: grid.count)
            let grid = self.grid
            DispatchQueue.concurrentPerform(iterations: min(concurrentSolves, grid.count)) { _ in
                while let k = state.nextIndex(limit: grid.count) {
                    results.store(k, Result { try self.evaluate(shared.value, trainClasses, grid[k], state) })
                }
            }
            rows = try (0..<grid.count).map { k in
                guard let result = results.value(k) else { throw MetricsError.cancelled }
                return try result.get()
            }
        } else {
            rows = try grid.map { try evaluate(train, trainClasses, $0, state) }
        }
        var best = rows[0]
        for row in rows.dropFirst() where row.variationOfInformation < best.variationOfInformation
            || (row.variationOfInformation == best.variationOfInformation && row.cal < best.cal) {
            best = row
        }
        let held = try heldOut.map { try evaluate($0.clustering, $0.classes, best.cal, state) }
        let heuristicTrain = try heuristicCal.map { try evaluate(train, trainClasses, $0, state) }
        var heuristicHeld: Row?
        if let heuristicCal, let heldOut {
            heuristicHeld = try evaluate(heldOut.clustering, heldOut.classes, heuristicCal, state)
        }
        return Report(grid: rows, chosenCal: best.cal, heldOut: held, heuristicCal: heuristicCal,
                      heuristicTrain: heuristicTrain, heuristicHeldOut: heuristicHeld, base: base,
                      selectionRule: "minimum VI = H(Cluster|Class) + H(Class|Cluster) on the train split; ties: the smaller cal")
    }

    /// Clusters at `cal` and scores the clustering against `classes`.
    private func evaluate(_ clustering: CalibrationClustering, _ classes: Labeling, _ cal: Double, _ state: AblationState) throws -> Row {
        try state.begin(cal: cal)
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
}

/// Progress and work distribution of one ablation run; lock-protected.
private final class AblationState: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let progress: CalibrationAblation.Progress?
    private var done = 0
    private var next = 0
    private var cancelled = false

    init(total: Int, progress: CalibrationAblation.Progress?) {
        self.total = total
        self.progress = progress
    }

    /// Reports the start of a clustering; throws when the caller cancels.
    func begin(cal: Double) throws {
        lock.lock(); defer { lock.unlock() }
        if cancelled { throw MetricsError.cancelled }
        if let progress, !progress(done, total, cal) {
            cancelled = true
            throw MetricsError.cancelled
        }
        done += 1
    }

    /// The next grid index for a worker, or nil when all are taken or the run was cancelled.
    func nextIndex(limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !cancelled, next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// Hands a value the caller vouches for to concurrent workers.
private struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
}
