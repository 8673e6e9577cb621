import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut similarity`: the distribution of all pairwise cosine similarities.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Distribution of the pairwise cosine similarities of an embedding set, and the cal the heuristic suggests.",
        discussion: """
        Streams all pairs in row blocks through BLAS (no n^2 list is kept): min, max, mean, std, \
        quantiles, shares above 0.5 / 0.8 / 0.9 ("narrow cone"), histograms and Gaussian KDEs \
        (Scott's bandwidth) of the raw cosines and of the min-max normalised values p, their mean \
        mu, and the heuristic cal = 0.94 - 0.98 mu. --out writes similarity.json, \
        histogram_raw.csv, histogram_normalized.csv and kde.csv.
        """)

    @Option(help: ArgumentHelp("Embeddings: a 2-D float .npy, or .npz (array 'embeddings' or its only array).", valueName: "file"))
    var embeddings: String

    @Option(help: "Histogram bins (raw cosines over [-1, 1], normalised values over [0, 1]).")
    var bins: Int = 200

    @Option(name: .customLong("kde-points"), help: "Points of each KDE curve.")
    var kdePoints: Int = 512

    @Option(help: "GEMM precision: 'float32' (fast) or 'float64'.")
    var precision: SimilarityPrecision = .float32

    @Flag(name: .customLong("exact-normalized"), inversion: .prefixedNo,
          help: "Bin the normalised values exactly with a second pass (default: exact up to 10,000 images, else rebinned from a 2^18-bin histogram).")
    var exactNormalized: Bool?

    @Option(help: "Worker threads (0: one per core).")
    var threads: Int = 0

    @Option(name: .customLong("block-rows"), help: "Rows per GEMM block (memory per worker: rows x images x 4 bytes; 0: up to 1024 rows within 128 MiB).")
    var blockRows: Int = 0

    @OptionGroup var output: AnalysisOutputOptions

    func validate() throws {
        guard bins >= 1, bins <= Self.maximumBins else { throw ValidationError("--bins must lie in 1...\(Self.maximumBins), got \(bins)") }
        guard kdePoints >= 2, kdePoints <= Self.maximumBins else { throw ValidationError("--kde-points must lie in 2...\(Self.maximumBins), got \(kdePoints)") }
        guard threads >= 0, threads <= 4096 else { throw ValidationError("--threads must lie in 0...4096, got \(threads)") }
        guard blockRows >= 0, blockRows <= 1 << 20 else { throw ValidationError("--block-rows must lie in 0...\(1 << 20), got \(blockRows)") }
    }

    /// More bins than this says nothing a histogram can show, and costs memory per worker.
    static let maximumBins = 1_000_000

    func run() throws {
        try CLIRunner.run {
            var paths = OutputGuard()
            paths.input(embeddings, flag: "--embeddings")
            try output.check(paths)
            let x = try InputLoading.embeddings(embeddings)
            var options = SimilarityDistributionOptions()
            options.bins = bins
            options.kdePoints = kdePoints
            options.precision = precision
            options.exactNormalizedHistogram = exactNormalized
            options.threads = threads
            options.blockRows = blockRows
            let start = Date()
            let distribution = try SimilarityDistribution.compute(
                embeddings: x.values, count: x.count, dimension: x.dimension, options: options,
                progress: AnalysisProgress.fraction("similarities"))
            AnalysisProgress.finish()
            let report = SimilarityReport(embeddings: embeddings, distribution: distribution, seconds: Date().timeIntervalSince(start))
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary)
        }
    }
}

/// Progress lines on stderr for the analysis commands (when ProgressReporter is enabled).
enum AnalysisProgress {
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var lastPercent = -1
        var active = false
    }
    private static let state = State()

    /// A callback printing whole percents of `what`.
    static func fraction(_ what: String) -> (@Sendable (Double) -> Bool)? {
        guard ProgressReporter.enabled else { return nil }
        return { f in
            let percent = Int(f * 100)
            state.lock.lock(); defer { state.lock.unlock() }
            if percent != state.lastPercent && percent % 5 == 0 {
                state.lastPercent = percent
                state.active = true
                FileHandle.standardError.write(Data("\rframecut: \(what) \(percent)%".utf8))
            }
            return true
        }
    }

    /// Ends a progress line.
    static func finish() {
        state.lock.lock(); defer { state.lock.unlock() }
        if state.active { FileHandle.standardError.write(Data("\n".utf8)) }
        state.active = false
        state.lastPercent = -1
    }

    static func line(_ text: String) {
        guard ProgressReporter.enabled else { return }
        FileHandle.standardError.write(Data("framecut: \(text)\n".utf8))
    }
}
