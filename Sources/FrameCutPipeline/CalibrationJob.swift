import Foundation
import FrameCutCore
import FrameCutIO

/// What `framecut calibrate` does, as a library call (METHOD.md section 3): split labelled
/// embeddings into a train and a held-out part, cluster the train part at every `cal` of a
/// grid, keep the `cal` with the lowest VI against the classes, and check it on the held-out
/// part. The grid runs on the dense solver (the shared `logit(p)` matrix) when it fits the
/// memory budget, else on the large-scale solver (``CalibrationCurve/gridChoice(count:dimension:runScale:solver:k:)``).
public struct CalibrationJob {
    /// How the labelled rows are split.
    public enum SplitRule: Sendable, Equatable {
        /// The named rows are the train split (read from `file`), the others are held out.
        case names([String], file: String)
        /// A share of each class held out at random (0: no held-out check).
        case random(heldOutFraction: Double, seed: UInt64)
    }

    public var grid: [Double]
    public var split: SplitRule
    /// Also cluster at the heuristic `cal = 0.94 - 0.98 mu` of the train split.
    public var heuristic = true
    /// Grid values clustered at the same time (dense grid only), each with its own matrix.
    public var concurrentSolves = 1
    public var solver: MulticutOptions
    public var scale: MulticutSolverScale = .auto
    /// Large-scale solver: nearest neighbours per image.
    public var k = 32
    public var base: LogBase = .natural

    public init(grid: [Double] = CalibrationAblation.defaultGrid, split: SplitRule, solver: MulticutOptions = MulticutOptions()) {
        self.grid = grid
        self.split = split
        self.solver = solver
    }

    /// Runs the calibration on `embeddings` (rows named `names`) against `classes` (one per row).
    /// - Parameters:
    ///   - inputs: the embeddings and labels files as the report records them.
    ///   - log: one line per step for people (the library never prints).
    /// - Throws: `PipelineError` naming `--split` or `--val-fraction` for an unusable split, and
    ///   solver errors (`FrameCutError.memoryLimitExceeded` names `--max-memory`).
    public func run(_ embeddings: Embeddings, names: [String], classes: Labeling, inputs: (embeddings: String, labels: String),
                    log: @escaping (String) -> Void = { _ in }) throws -> CalibrationReportFile {
        let start = Date()
        try CalibrationGrid.validate(grid, flag: "--grid")
        guard (1...64).contains(concurrentSolves) else {
            throw PipelineError.invalidOption(flag: "--concurrent-solves", reason: "must lie in 1...64, got \(concurrentSolves)")
        }
        let (dataSplit, splitInfo) = try makeSplit(names: names, classes: classes)
        guard dataSplit.train.count >= 3 else {
            throw PipelineError.invalidOption(flag: splitFlag, reason: "the train split has \(dataSplit.train.count) images; at least 3 are needed")
        }
        if !dataSplit.heldOut.isEmpty && dataSplit.heldOut.count < 3 {
            throw PipelineError.invalidOption(flag: splitFlag, reason: "the held-out split has \(dataSplit.heldOut.count) images; use at least 3 or --val-fraction 0")
        }
        let trainX = try embeddings.selectingRows(dataSplit.train)
        var mu: Double?, heuristicCal: Double?
        if heuristic {
            log("mean normalised similarity of the train split")
            var options = SimilarityDistributionOptions()
            options.exactNormalizedHistogram = false
            options.threads = solver.threads
            options.kdePoints = 2
            let d = try SimilarityDistribution.compute(embeddings: trainX.values, count: trainX.count, dimension: trainX.dimension, options: options)
            mu = d.mu
            heuristicCal = d.suggestedCal
        }
        let choice = CalibrationCurve.gridChoice(count: trainX.count, dimension: trainX.dimension, runScale: scale, solver: solver, k: k)
        log("costs of the train split (\(trainX.count) images; \(choice.reason))")
        let concurrent = choice.scale == .large ? 1 : concurrentSolves
        var gridOptions = solver
        // Concurrent grid solves share the threads.
        gridOptions.threads = Swift.max(1, solver.threads / concurrent)
        let train = try clustering(trainX, choice: choice, options: gridOptions, concurrent: concurrent)
        var heldOut: (clustering: CalibrationClustering, classes: Labeling)?
        if !dataSplit.heldOut.isEmpty {
            // Prepared lazily: the held-out costs are only needed after the grid.
            heldOut = (LazyCalibrationClustering(count: dataSplit.heldOut.count) {
                let heldOutX = try embeddings.selectingRows(dataSplit.heldOut)
                let heldOutChoice = CalibrationCurve.gridChoice(count: heldOutX.count, dimension: heldOutX.dimension, runScale: scale, solver: solver, k: k)
                log("costs of the held-out split (\(dataSplit.heldOut.count) images; \(heldOutChoice.reason))")
                return try clustering(heldOutX, choice: heldOutChoice, options: solver, concurrent: 1)
            }, classes.subset(dataSplit.heldOut))
        }
        var ablationSetup = CalibrationAblation(grid: grid, base: base)
        ablationSetup.concurrentSolves = concurrent
        let ablation = try ablationSetup.run(train: train, trainClasses: classes.subset(dataSplit.train), heldOut: heldOut,
                                             heuristicCal: heuristicCal) { done, total, cal in
            log("clustering \(done + 1)/\(total) at cal \(AnalysisOutput.number(cal))")
            return true
        }
        let solverName = choice.scale == .large ? "large-scale \(solver.algorithm.rawValue) k=\(k)" : solver.algorithm.rawValue
        return CalibrationReportFile(embeddings: inputs.embeddings, labels: inputs.labels, solver: solverName,
                                     split: splitInfo, mu: mu, ablation: ablation, seconds: Date().timeIntervalSince(start))
    }

    private var splitFlag: String {
        if case .names = split { return "--split" }
        return "--val-fraction"
    }

    private func clustering(_ x: Embeddings, choice: MulticutSolverChoice, options: MulticutOptions, concurrent: Int) throws -> CalibrationClustering {
        if choice.scale == .large { return LargeScaleCalibrationClustering(embeddings: x, solver: options, k: k) }
        return try MulticutCalibrationClustering(embeddings: x, options: options, concurrentSolves: concurrent)
    }

    private func makeSplit(names: [String], classes: Labeling) throws -> (DatasetSplit, CalibrationReportFile.Split) {
        switch split {
        case .names(let trainNames, let file):
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() { index[n] = i }
            let unknown = trainNames.filter { index[$0] == nil }
            if !unknown.isEmpty {
                throw PipelineError.input(path: file, reason: "\(unknown.count) train name(s) are not embedding rows (" + unknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (unknown.count > 5 ? ", ..." : "") + ")")
            }
            var mask = [Bool](repeating: false, count: names.count)
            for n in trainNames { if let i = index[n] { mask[i] = true } }
            let dataSplit = try DatasetSplit(trainMask: mask)
            return (dataSplit, .init(method: "file", trainItems: dataSplit.train.count, heldOutItems: dataSplit.heldOut.count, file: file))
        case .random(let fraction, let seed):
            guard fraction >= 0 && fraction < 1 else { throw PipelineError.invalidOption(flag: "--val-fraction", reason: "must lie in [0, 1), got \(fraction)") }
            var generator = SeededGenerator(seed: seed)
            let dataSplit = try DatasetSplit.stratified(classes: classes, heldOutFraction: fraction, using: &generator)
            return (dataSplit, .init(method: fraction > 0 ? "random" : "none", trainItems: dataSplit.train.count,
                                     heldOutItems: dataSplit.heldOut.count, heldOutFraction: fraction, seed: seed))
        }
    }
}

/// Builds its clustering on first use.
private final class LazyCalibrationClustering: CalibrationClustering {
    let itemCount: Int
    private let make: () throws -> CalibrationClustering
    private var built: CalibrationClustering?

    init(count: Int, make: @escaping () throws -> CalibrationClustering) {
        itemCount = count
        self.make = make
    }

    func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        if built == nil { built = try make() }
        guard let built else { throw PipelineError.invalidOption(flag: "--split", reason: "the held-out split could not be prepared") }
        return try built.cluster(cal: cal)
    }
}
