import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut calibrate`: choose `cal` on labelled data (METHOD.md section 3).
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose cal on labelled images: cluster a train split for every cal of a grid, keep the one with the lowest VI, verify it on the held-out split.",
        discussion: """
        Each clustering is scored against the classes with H(Cluster|Class), H(Class|Cluster) and \
        VI = their sum; the solver ablation (GAEC alone vs GAEC + KL energy and clusters) is \
        recorded too. The logits of the normalised similarities are computed once per split and \
        reused for every cal. The heuristic cal = 0.94 - 0.98 mu (mu: the mean normalised \
        similarity of the train split) is clustered beside the grid unless --no-heuristic. \
        --out writes calibration.json and ablation.csv.
        """)

    @Option(help: ArgumentHelp("Embeddings: a 2-D float .npy, or .npz (array 'embeddings' or its only array).", valueName: "file"))
    var embeddings: String

    @Option(name: .customLong("names"), help: ArgumentHelp("Names of the embedding rows, one per line (default: row indices 0, 1, ...).", valueName: "file"))
    var names: String?

    @Option(help: ArgumentHelp("Classes: CSV name,class (names as in --names), or an integer .npy in row order.", valueName: "file"))
    var labels: String

    @Option(help: ArgumentHelp("Names of the train images, one per line; the other labelled images are held out.", valueName: "file"))
    var split: String?

    @Option(name: .customLong("val-fraction"), help: "Without --split: share of each class held out at random (0: no held-out check; default 0.3).")
    var valFraction: Double?

    @Option(help: "Seed of the random split.")
    var seed: UInt64 = 0

    @Option(parsing: .upToNextOption, help: ArgumentHelp("cal values (commas also separate), or START:END:STEP. Default: 0.1 ... 0.9 by 0.1.", valueName: "cal"))
    var grid: [String] = []

    @Flag(name: .customLong("no-heuristic"), help: "Do not cluster at the heuristic's cal.")
    var noHeuristic = false

    @Option(name: .customLong("concurrent-solves"), help: "Grid values clustered at the same time, each with --threads / N threads and its own cost matrix (more memory).")
    var concurrentSolves: Int = 1

    @OptionGroup var solverOptions: SolverOptions
    @OptionGroup var entropy: EntropyOptions
    @OptionGroup var output: AnalysisOutputOptions

    func validate() throws {
        if let valFraction { guard valFraction >= 0 && valFraction < 1 else { throw ValidationError("--val-fraction must lie in [0, 1), got \(valFraction)") } }
        guard (1...64).contains(concurrentSolves) else { throw ValidationError("--concurrent-solves must lie in 1...64, got \(concurrentSolves)") }
    }

    func run() throws {
        try CLIRunner.run {
            var paths = OutputGuard()
            paths.input(embeddings, flag: "--embeddings")
            paths.input(names, flag: "--names")
            paths.inputs(LabelFileReader.inputFiles(for: labels), flag: "--labels")
            paths.input(split, flag: "--split")
            try output.check(paths)
            let cals = try parseGrid()
            let start = Date()
            let x = try InputLoading.embeddings(embeddings, memoryLimit: try solverOptions.memoryLimit())
            let rowNames = try InputLoading.names(names, count: x.count)
            let items = NamedLabels(source: embeddings, names: rowNames, labels: rowNames.map { _ in "0" })
            let classInput = try LabelFileReader.read(path: labels)
            let classes = try LabelAlignment.classes(classInput, for: items)
            let classLabeling = classes.labeling().labeling

            // The split.
            let dataSplit: DatasetSplit
            let splitInfo: CalibrationReportFile.Split
            if let split {
                guard valFraction == nil else { throw UserError("use either --split or --val-fraction, not both") }
                let trainNames = try LabelFileReader.readNames(path: split)
                var index: [String: Int] = [:]
                for (i, n) in rowNames.enumerated() { index[n] = i }
                let unknown = trainNames.filter { index[$0] == nil }
                if !unknown.isEmpty {
                    throw UserError("\(split): \(unknown.count) train name(s) are not embedding rows (" + unknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (unknown.count > 5 ? ", ..." : "") + ")")
                }
                var mask = [Bool](repeating: false, count: x.count)
                for n in trainNames { if let i = index[n] { mask[i] = true } }
                dataSplit = try DatasetSplit(trainMask: mask)
                splitInfo = .init(method: "file", trainItems: dataSplit.train.count, heldOutItems: dataSplit.heldOut.count, file: split)
            } else {
                let valFraction = self.valFraction ?? 0.3
                guard valFraction >= 0 && valFraction < 1 else { throw UserError("--val-fraction must lie in [0, 1), got \(valFraction)") }
                var generator = SeededGenerator(seed: seed)
                dataSplit = try DatasetSplit.stratified(classes: classLabeling, heldOutFraction: valFraction, using: &generator)
                splitInfo = .init(method: valFraction > 0 ? "random" : "none", trainItems: dataSplit.train.count,
                                  heldOutItems: dataSplit.heldOut.count, heldOutFraction: valFraction, seed: seed)
            }
            guard dataSplit.train.count >= 3 else { throw UserError("the train split has \(dataSplit.train.count) images; at least 3 are needed") }
            if !dataSplit.heldOut.isEmpty && dataSplit.heldOut.count < 3 {
                throw UserError("the held-out split has \(dataSplit.heldOut.count) images; use at least 3 or --val-fraction 0")
            }

            guard concurrentSolves >= 1 else { throw UserError("--concurrent-solves must be at least 1") }
            let options = try solverOptions.multicutOptions()
            // Concurrent grid solves share the threads.
            var gridOptions = options
            gridOptions.threads = max(1, options.threads / concurrentSolves)
            let trainX = try x.selectingRows(dataSplit.train)
            var mu: Double?
            var heuristic: Double?
            if !noHeuristic {
                AnalysisProgress.line("mean normalised similarity of the train split")
                var simOptions = SimilarityDistributionOptions()
                simOptions.exactNormalizedHistogram = false
                simOptions.threads = options.threads
                simOptions.kdePoints = 2
                let d = try SimilarityDistribution.compute(embeddings: trainX.values, count: trainX.count, dimension: trainX.dimension, options: simOptions)
                mu = d.mu
                heuristic = d.suggestedCal
            }
            AnalysisProgress.line("costs of the train split (\(trainX.count) images)")
            let train = try MulticutCalibrationClustering(embeddings: trainX, options: gridOptions, concurrentSolves: concurrentSolves)
            var heldOut: (clustering: CalibrationClustering, classes: Labeling)?
            if !dataSplit.heldOut.isEmpty {
                // Prepared lazily by the ablation's order: the held-out costs are only needed after the grid.
                heldOut = (LazyClustering(count: dataSplit.heldOut.count) {
                    AnalysisProgress.line("costs of the held-out split (\(dataSplit.heldOut.count) images)")
                    return try MulticutCalibrationClustering(embeddings: try x.selectingRows(dataSplit.heldOut), options: options)
                }, classLabeling.subset(dataSplit.heldOut))
            }
            var ablationSetup = CalibrationAblation(grid: cals, base: entropy.logBase)
            ablationSetup.concurrentSolves = concurrentSolves
            let ablation = try ablationSetup.run(
                train: train, trainClasses: classLabeling.subset(dataSplit.train), heldOut: heldOut,
                heuristicCal: heuristic) { done, total, cal in
                    AnalysisProgress.line("clustering \(done + 1)/\(total) at cal \(AnalysisOutput.number(cal))")
                    return true
                }
            let report = CalibrationReportFile(embeddings: embeddings, labels: labels, solver: options.algorithm.rawValue,
                                               split: splitInfo, mu: mu, ablation: ablation, seconds: Date().timeIntervalSince(start))
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary)
        }
    }

    func parseGrid() throws -> [Double] {
        let parts = grid.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        if parts.isEmpty { return CalibrationAblation.defaultGrid }
        if parts.count == 1, parts[0].contains(":") {
            let r = parts[0].split(separator: ":").compactMap { Double($0) }
            guard r.count == 3 else { throw UserError("--grid: expected START:END:STEP, got '\(parts[0])'") }
            return try CalibrationAblation.grid(from: r[0], through: r[1], step: r[2])
        }
        return try parts.map { p in
            guard let v = Double(p), v > 0, v < 1 else { throw UserError("--grid: '\(p)' is not a cal strictly between 0 and 1") }
            return v
        }
    }
}

/// Builds its clustering on first use.
private final class LazyClustering: CalibrationClustering {
    let itemCount: Int
    private let make: () throws -> CalibrationClustering
    private var built: CalibrationClustering?

    init(count: Int, make: @escaping () throws -> CalibrationClustering) {
        itemCount = count
        self.make = make
    }

    func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        if built == nil { built = try make() }
        guard let built else { throw UserError("held-out split could not be prepared") }
        return try built.cluster(cal: cal)
    }
}
