import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

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
        The grid runs on the dense solver when its two n^2 matrices fit --max-memory, else on the \
        large-scale solver (--solver-scale, --knn; one kNN graph per cal). --out writes \
        calibration.json and ablation.csv.
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
    @OptionGroup var scaleOptions: ScaleOptions
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
            if split != nil, valFraction != nil { throw UserError("use either --split or --val-fraction, not both") }
            let cals = try parseGrid()
            let x = try InputLoading.embeddings(embeddings, memoryLimit: try solverOptions.memoryLimit())
            let rowNames = try InputLoading.names(names, count: x.count)
            let items = NamedLabels(source: embeddings, names: rowNames, labels: rowNames.map { _ in "0" })
            let classes = try LabelAlignment.classes(try LabelFileReader.read(path: labels), for: items).labeling().labeling
            var job = CalibrationJob(grid: cals, split: try split.map { .names(try LabelFileReader.readNames(path: $0), file: $0) }
                                        ?? .random(heldOutFraction: valFraction ?? 0.3, seed: seed), solver: try solverOptions.multicutOptions())
            job.heuristic = !noHeuristic
            job.concurrentSolves = concurrentSolves
            job.scale = scaleOptions.solverScale
            job.k = scaleOptions.knn
            job.base = entropy.logBase
            let report = try job.run(x, names: rowNames, classes: classes, inputs: (embeddings, labels)) { AnalysisProgress.line($0) }
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary)
        }
    }

    /// `--grid`: values (commas also separate) or START:END:STEP; default 0.1 ... 0.9 by 0.1.
    func parseGrid() throws -> [Double] {
        let text = grid.joined(separator: ",")
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return CalibrationAblation.defaultGrid }
        guard let values = try CalibrationGrid.parse(text, flag: "--grid") else { throw UserError("--grid: give cal values or START:END:STEP") }
        return values
    }
}
