import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutPipeline
import FrameCutReport

/// `framecut run FOLDER --model M --weights W ... --out DIR`: from a folder of images to frames.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "From a folder of images to clusters in one command: scan, embed (through the store), choose the costs, cluster, analyse.",
        discussion: """
        Embeddings are kept in the store (--store, default ./framecut.sqlite), keyed by file content, \
        model, embedding and weights SHA-256: a second run, another --cal or a renamed file computes \
        nothing again, and an interrupted run continues where it stopped. DIR gets run.json (version, \
        command line, per model the weights hash, preprocessing, the cost model and its fitted parameters (costs; the paper's cal and how it was chosen), solver, \
        energies, timings, images used and skipped with reasons) and one subfolder per model with the \
        `cluster` outputs, the similarity distribution and the cluster statistics (with --labels, the \
        agreement with the classes); with two or more models compare/ holds the VI/ARI matrices and \
        the cluster overlaps. DIR is built beside its place and renamed into it when complete. Exit \
        status: 0 completed, 3 completed with skipped files, 130 interrupted by Ctrl-C (finished \
        batches are kept), 1 error. Costs: label-free by default (--costs auto, as in `cluster`); --cal C or \
        --costs paper run the paper's costs. Solver: as in `cluster`, the dense one when its n^2 matrix \
        fits --max-memory, else the large-scale one (--solver-scale, --knn); run.json and the progress \
        say which ran and why.
        """
    )

    @Argument(help: "The image folder (read only).")
    var folder: String

    @Option(name: .customLong("model"), help: "Model id (see `framecut models`); repeat for several models, each with its --weights.")
    var models: [String] = []

    @Option(name: .customLong("weights"), help: "Weights file of the model in the same position.")
    var weights: [String] = []

    @Option(name: .customLong("embedding"), help: "Embedding variant per model, in the same order (default: each model's first).")
    var embeddings: [String] = []

    @Option(help: "The paper's calibration: a number in (0,1), or 'auto' for the paper's heuristic 0.94 - 0.98 mu of each model's similarities. Implies --costs paper.")
    var cal: String?

    @OptionGroup var costOptions: CostOptions

    @Option(help: "Class labels (CSV name,class with names relative to FOLDER) to score each clustering against.")
    var labels: String?

    @Option(help: "Output folder (refused when it exists, unless --force).")
    var out: String

    @Flag(help: "Replace an existing output folder.")
    var force = false

    @Option(help: "With --labels: the cal grid of each model's calibration curve, START:END:STEP, a comma list, or none (each value is a full solve).")
    var calibrationGrid: String = "0.1:0.9:0.1"

    @Flag(help: "Do not write the HTML report into DIR/report (see `framecut report`).")
    var noReport = false

    @OptionGroup var pipeline: PipelineOptions
    @OptionGroup var solverOptions: SolverOptions
    @OptionGroup var scaleOptions: ScaleOptions

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one --model with its --weights") }
        guard weights.count == models.count else { throw ValidationError("\(models.count) --model but \(weights.count) --weights: give one weights file per model") }
        guard embeddings.isEmpty || embeddings.count == models.count else { throw ValidationError("give --embedding for every model or for none") }
    }

    func run() throws {
        try CLIRunner.run {
            let renderer = pipeline.renderer()
            let specs = models.indices.map { ModelSpec(model: models[$0], weights: URL(fileURLWithPath: weights[$0]), embedding: embeddings.isEmpty ? nil : embeddings[$0]) }
            var job = PipelineRun(folder: URL(fileURLWithPath: folder), models: specs, cal: try costOptions.calChoice(cal),
                                  labels: labels.map { URL(fileURLWithPath: $0) }, out: URL(fileURLWithPath: out), store: pipeline.storeURL,
                                  force: force, batchSize: pipeline.batch, threads: solverOptions.threads, includeHidden: pipeline.includeHidden,
                                  solver: try solverOptions.multicutOptions(), commandLine: CommandLine.arguments)
            job.calibrationGrid = try CalibrationGrid.parse(calibrationGrid)
            job.scale = scaleOptions.solverScale
            job.knn = scaleOptions.knn
            try job.validate()
            let record = try PipelineOptions.catchingInterrupt(renderer) { try job.execute(progress: renderer.handler) }
            print(record.summary + "\nwrote \(out)/run.json and one folder per model")
            if !noReport {
                var options = ReportOptions()
                options.threads = solverOptions.threads
                let report = try RunReport.write(runFolder: URL(fileURLWithPath: out), options: options)
                print("wrote \(out)/report/index.html (\(report.pages) pages)")
            }
            renderer.event(["event": "done", "out": out, "skipped": record.skipped.count])
            try PipelineExitStatus.finish(skipped: record.skipped.count)
        }
    }
}
