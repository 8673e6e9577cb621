import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut bench analysis`: the analysis figures of issue 3 (not a unit test; prints figures).
struct BenchAnalysisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Benchmark the analyses: VI matrix, streamed similarity histogram, cal ablation vs single clusterings.",
        discussion: """
        Targets: VI matrix of 8 clusterings of 40k items < 1 s; similarity distribution of \
        40k x 768 < 15 s; a 9-value cal ablation on 10k images < 3 single clusterings (each a \
        full `framecut cluster` run: costs + GAEC + KL). The ablation uses the real \
        fmnist_t10k_lite0.npz from --shared when it is there, else generated embeddings.
        """)

    @Option(help: "Items of the VI matrix and similarity benchmarks.")
    var items: Int = 40_000

    @Option(help: "Clusterings in the VI matrix.")
    var clusterings: Int = 8

    @Option(help: "Embedding width of the similarity benchmark.")
    var dimension: Int = 768

    @Option(name: .customLong("ablation-items"), help: "Images in the cal ablation benchmark (the first rows of the embedding set).")
    var ablationItems: Int = 10_000

    @Option(help: "The shared folder (or its instances/ folder) holding fmnist_t10k_lite0.npz.")
    var shared: String = ProcessInfo.processInfo.environment["FRAMECUT_SHARED"] ?? "../shared"

    @Option(help: "Threads.")
    var threads: Int = 2

    @Option(name: .customLong("block-rows"), help: "Rows per GEMM block in the similarity benchmark (0: automatic).")
    var blockRows: Int = 0

    @Option(help: "Solver of the ablation benchmark (and of its single clustering): gaec or gaec-kl.")
    var solver: MulticutAlgorithm = .gaecKL

    @Option(name: .customLong("concurrent-solves"), parsing: .upToNextOption, help: "Ablation runs with these numbers of grid values solved at once.")
    var concurrentSolves: [Int] = [1, 2]

    @Option(parsing: .upToNextOption, help: "Which parts to run: vi, similarity, ablation.")
    var only: [String] = ["vi", "similarity", "ablation"]

    func validate() throws {
        guard items >= 2, ablationItems >= 3 else { throw ValidationError("--items must be at least 2 and --ablation-items at least 3") }
        guard (1...1000).contains(clusterings) else { throw ValidationError("--clusterings must lie in 1...1000, got \(clusterings)") }
        guard (1...1 << 20).contains(dimension) else { throw ValidationError("--dimension must lie in 1...\(1 << 20), got \(dimension)") }
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") }
        guard blockRows >= 0 else { throw ValidationError("--block-rows must not be negative, got \(blockRows)") }
        guard concurrentSolves.allSatisfy({ (1...64).contains($0) }) else { throw ValidationError("--concurrent-solves values must lie in 1...64") }
        // The generated sets must fit in memory before anything is allocated.
        let bytes = MemoryBudget.sum(MemoryBudget.product([items, dimension, 8]) ?? .max, MemoryBudget.product([items, clusterings, 8]) ?? .max)
        guard bytes <= MemoryBudget.defaultLimit else { throw ValidationError("--items x --dimension needs \(MemoryBudget.format(bytes)), more than the memory of this machine allows") }
    }

    func run() throws {
        try CLIRunner.run {
            print("framecut \(FrameCutVersion.string) bench analysis; \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(Self.loadAverage())")
            if only.contains("vi") { try benchVI() }
            if only.contains("similarity") { try benchSimilarity() }
            if only.contains("ablation") { try benchAblation() }
        }
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    func benchVI() throws {
        var rng = SeededGenerator(seed: 1)
        // A base clustering and noisy variants with different numbers of clusters.
        let base = (0..<items).map { _ in Int(rng.next() % 500) }
        let labelings = (0..<clusterings).map { k -> Labeling in
            let split = 1 + k % 4
            return Labeling(base.map { b in
                rng.next() % 10 == 0 ? Int(rng.next() % 2000) : b * split + Int(rng.next() % UInt64(split))
            })
        }
        var best = Double.infinity
        let cpu = Self.cpuSeconds()
        var matrix: ComparisonMatrix?
        for _ in 0..<3 {
            let clock = Stopwatch()
            matrix = try ComparisonMatrix(labelings)
            best = min(best, clock.seconds)
        }
        let vi = matrix?.variationOfInformation[0][1] ?? .nan
        print(String(format: "vi matrix: %d clusterings of %d items (%@ clusters): %.3f s (best of 3; target < 1 s), %.3f s CPU per run [VI(0,1) = %.4f]",
                     clusterings, items, labelings.map { String($0.clusterCount) }.joined(separator: "/"), best, (Self.cpuSeconds() - cpu) / 3, vi))
    }

    func benchSimilarity() throws {
        var rng = SeededGenerator(seed: 2)
        let n = items, d = dimension
        let direction = (0..<d).map { _ in Float(Self.normal(&rng)) }
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for k in 0..<d { x[i * d + k] = direction[k] * 0.8 + Float(Self.normal(&rng)) } }
        var options = SimilarityDistributionOptions()
        options.threads = threads
        options.blockRows = blockRows
        let clock = Stopwatch()
        let cpu = Self.cpuSeconds()
        let r = try SimilarityDistribution.compute(embeddings: x, count: n, dimension: d, options: options)
        let seconds = clock.seconds
        print(String(format: "similarity: %d x %d, %d pairs: %.2f s wall, %.2f s CPU (target < 15 s wall on 2 cores); mean %.4f, mu %.4f, suggested cal %.3f, normalised histogram %@",
                     n, d, r.pairs, seconds, Self.cpuSeconds() - cpu, r.raw.mean, r.mu, r.suggestedCal, r.normalizedHistogramIsExact ? "exact" : "rebinned"))
    }

    func benchAblation() throws {
        // --shared may name the shared folder (as for `bench multicut`) or its instances/ folder.
        let candidates = ["instances/fmnist_t10k_lite0.npz", "fmnist_t10k_lite0.npz"].map { (shared as NSString).appendingPathComponent($0) }
        let path = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
        var x: Embeddings
        var what: String
        if FileManager.default.fileExists(atPath: path) {
            x = try InputLoading.embeddings(path)
            what = "fmnist_t10k_lite0 (real EfficientNet-Lite0 embeddings)"
        } else {
            var rng = SeededGenerator(seed: 3)
            let d = 128, centers = 50
            let c = (0..<(centers * d)).map { _ in Float(Self.normal(&rng)) }
            var v = [Float](repeating: 0, count: ablationItems * d)
            for i in 0..<ablationItems {
                let k = Int(rng.next() % UInt64(centers))
                for j in 0..<d { v[i * d + j] = c[k * d + j] + 0.7 * Float(Self.normal(&rng)) }
            }
            x = try Embeddings(count: ablationItems, dimension: d, values: v)
            what = "generated (50 centres, d 128)"
        }
        if x.count > ablationItems { x = try x.selectingRows(Array(0..<ablationItems)) }
        let options = MulticutOptions(algorithm: solver, threads: threads)
        // One single clustering as `framecut cluster` runs it, at cal 0.5 and at the grid's middle-to-high values.
        var singles: [(Double, Double, Int)] = []
        let cpuSingle = Self.cpuSeconds()
        for cal in [0.5] {
            let clock = Stopwatch()
            let source = try EmbeddingCostSource(x)
            let s = try DenseMulticutSolver(options: options).solve(source, costs: CostFunction(cal: cal))
            singles.append((cal, clock.seconds, s.clusterCount))
        }
        let single = singles[0].1
        print(String(format: "single clustering (%@): %d images of %@ at cal 0.5: %.2f s wall, %.2f s CPU, %d clusters",
                     solver.rawValue, x.count, what, single, Self.cpuSeconds() - cpuSingle, singles[0].2))
        var rng = SeededGenerator(seed: 4)
        let classes = Labeling((0..<x.count).map { _ in Int(rng.next() % 10) })
        for concurrent in concurrentSolves {
            var solveOptions = options
            solveOptions.threads = max(1, threads / concurrent)
            let clock = Stopwatch()
            let cpu = Self.cpuSeconds()
            let clustering = try MulticutCalibrationClustering(embeddings: x, options: solveOptions, concurrentSolves: concurrent)
            var ablation = CalibrationAblation()
            ablation.concurrentSolves = concurrent
            let report = try ablation.run(train: clustering, trainClasses: classes)
            let total = clock.seconds
            print(String(format: "cal ablation: 9 values on %d images, %d at a time: %.2f s wall (%.2f s CPU) = %.2f single clusterings (target < 3); shared costs %.2f s",
                         x.count, concurrent, total, Self.cpuSeconds() - cpu, total / single, clustering.secondsCosts))
            for r in report.grid {
                print(String(format: "  cal %.1f: %6.2f s, %5d clusters (GAEC %5d), energy %.6g (GAEC %.6g)",
                             r.cal, r.seconds, r.clusters, r.clustersGAEC ?? 0, r.energy ?? .nan, r.energyGAEC ?? .nan))
            }
        }
    }

    /// User + system CPU seconds of this process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func normal(_ rng: inout SeededGenerator) -> Double {
        let u1 = Double(rng.next() >> 11 + 1) / Double(1 << 53)
        let u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
