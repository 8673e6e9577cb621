/// Which multicut algorithm to run.
public enum MulticutAlgorithm: String, CaseIterable, Sendable, Codable {
    /// Greedy additive edge contraction alone.
    case gaec
    /// GAEC followed by Kernighan-Lin local search (what the paper uses).
    case gaecKL = "gaec-kl"
}

/// Options of a multicut solve.
public struct MulticutOptions: Sendable {
    public var algorithm: MulticutAlgorithm
    /// Threads for the cost computation and the parallel scans.
    public var threads: Int
    /// Refuse to start when the estimated memory exceeds this many bytes.
    public var memoryLimit: UInt64
    /// Kernighan-Lin settings.
    public var kernighanLin: DenseKernighanLin
    /// Rounds of `DenseFusionSearch` after GAEC+KL (0: plain GAEC+KL). Each costs about one
    /// Kernighan-Lin run; the energy never rises.
    public var effort: Int
    /// Seed of the perturbations of those rounds.
    public var seed: UInt64

    public init(algorithm: MulticutAlgorithm = .gaecKL, threads: Int = 2, memoryLimit: UInt64 = MemoryBudget.defaultLimit,
                kernighanLin: DenseKernighanLin = DenseKernighanLin(), effort: Int = 0, seed: UInt64 = 1) {
        self.algorithm = algorithm
        self.threads = Swift.max(1, threads)
        self.memoryLimit = memoryLimit
        self.kernighanLin = kernighanLin
        self.effort = Swift.max(0, effort)
        self.seed = seed
    }

    /// The dense solver as summaries record it: the algorithm, and with `--effort` its rounds
    /// and seed (e.g. `gaec-kl effort=8 seed=1`), so a result says how to reproduce it.
    public var solverName: String {
        algorithm == .gaecKL && effort > 0 ? "\(algorithm.rawValue) effort=\(effort) seed=\(seed)" : algorithm.rawValue
    }
}

/// The stages a solve reports through its progress callback.
public enum MulticutStage: String, Sendable {
    case costs, gaec, kernighanLin = "kl", energy
}

/// A clustering with the figures that describe how it was found.
public struct MulticutSolution: Sendable {
    /// Cluster of each node, numbered by decreasing cluster size.
    public let labels: [Int32]
    public let clusterCount: Int
    /// Energy of `labels` (Float64 sum of the costs of cut pairs).
    public let energy: Double
    public let energyGAEC: Double
    public let clusterCountGAEC: Int
    public let secondsCosts: Double
    public let secondsGAEC: Double
    public let secondsKL: Double
    /// The similarity range used to normalise (nil for costs given directly).
    public let range: SimilarityRange?
    /// Sum of all pair costs (the energy of the all-singletons labelling).
    public let totalCost: Double
    public let kernighanLinPasses: Int

    /// Cluster sizes, largest first.
    public var clusterSizes: [Int] { Partition.sizes(ofCanonical: labels) }
}

/// Solves the minimum cost multicut problem on a complete graph held as a dense matrix.
public struct DenseMulticutSolver {
    public var options: MulticutOptions

    public init(options: MulticutOptions = MulticutOptions()) {
        self.options = options
    }

    /// Bytes needed beyond the input: the matrix plus per-node bookkeeping.
    public static func estimatedBytes(nodeCount n: Int) -> UInt64 {
        MemoryBudget.sum(SymmetricCostMatrix.byteCount(nodeCount: n), MemoryBudget.product([n, 64]) ?? .max, 64 << 20)
    }

    /// Clusters the nodes of `source` with the costs of `costs`.
    /// - Parameter progress: called at the start of each stage; return false to cancel.
    public func solve(_ source: CostMatrixSource, costs: CostFunction,
                      progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> MulticutSolution {
        let n = source.nodeCount
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        try MemoryBudget.check(Self.estimatedBytes(nodeCount: n), limit: options.memoryLimit,
                               what: "the dense cost matrix of \(n) nodes")
        var clock = Stopwatch()
        guard progress(.costs) else { throw FrameCutError.cancelled }
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        let fill = try source.fill(matrix, costs: costs, threads: options.threads)
        let secondsCosts = clock.seconds

        clock.restart()
        guard progress(.gaec) else { throw FrameCutError.cancelled }
        var cancelled = false
        // The saved rows are held only until they are restored (one reference, dropped below).
        var (representatives, original): ([Int32], DenseOriginalCosts?) = try {
            let outcome = try DenseGreedyAdditiveContraction(savedRowLimit: Self.savedRowLimit(nodeCount: n, memoryLimit: options.memoryLimit)).run(matrix) {
                if !cancelled, !progress(.gaec) { cancelled = true }
                return cancelled
            }
            return (outcome.representatives, outcome.original)
        }()
        let gaecLabels = Partition.canonicalLabels(representatives)
        representatives = []
        let secondsGAEC = clock.seconds

        // GAEC overwrote the matrix; restore the original costs for the energy and KL: from
        // the rows GAEC saved (bit for bit the same), or by filling the matrix again.
        clock.restart()
        if let saved = original {
            try saved.restore(matrix, threads: options.threads)
            original = nil
        } else {
            _ = try source.fill(matrix, costs: costs, threads: options.threads)
        }
        let energyGAEC = DenseEnergy.energy(matrix, labels: gaecLabels, threads: options.threads)
        var labels = gaecLabels
        var passes = 0
        var energy = energyGAEC
        if options.algorithm == .gaecKL {
            let clusters = Partition.clusterCount(gaecLabels)
            try MemoryBudget.check(MemoryBudget.sum(Self.estimatedBytes(nodeCount: n), DenseKernighanLin.estimatedBytes(nodeCount: n, clusters: clusters)),
                                   limit: options.memoryLimit,
                                   what: "Kernighan-Lin on \(clusters) clusters of \(n) nodes (try --solver gaec)")
            guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
            // Store the matrix in GAEC's cluster order: a pass then reads each moved node's costs
            // to its two clusters from a few contiguous runs. The labels do not change with it.
            let order = Self.clusterOrder(gaecLabels)
            try matrix.permute(order, threads: options.threads)
            var layout = [Int32](repeating: 0, count: n)
            for (s, v) in order.enumerated() { layout[Int(v)] = Int32(s) }
            passes = try options.kernighanLin.run(matrix, labels: &labels, threads: options.threads, layout: layout) {
                if !cancelled, !progress(.kernighanLin) { cancelled = true }
                return cancelled
            }
            if options.effort > 0 {
                try DenseFusionSearch(rounds: options.effort, seed: options.seed, kernighanLin: options.kernighanLin)
                    .improve(matrix, labels: &labels, layout: layout, threads: options.threads) {
                        if !cancelled, !progress(.kernighanLin) { cancelled = true }
                        return cancelled
                    }
            }
            labels = Partition.canonicalLabels(labels)
            energy = DenseEnergy.energy(matrix, labels: order.map { labels[Int($0)] }, threads: options.threads)
        }
        let secondsKL = options.algorithm == .gaecKL ? clock.seconds : 0
        return MulticutSolution(labels: labels, clusterCount: Partition.clusterCount(labels), energy: energy,
                                energyGAEC: energyGAEC, clusterCountGAEC: Partition.clusterCount(gaecLabels),
                                secondsCosts: secondsCosts, secondsGAEC: secondsGAEC, secondsKL: secondsKL,
                                range: fill.range, totalCost: fill.totalCost, kernighanLinPasses: passes)
    }

    /// How many rows GAEC may save to restore the costs without filling the matrix again: at
    /// most half the rows, and what the memory limit leaves beside the matrix.
    static func savedRowLimit(nodeCount n: Int, memoryLimit: UInt64) -> Int {
        let needed = estimatedBytes(nodeCount: n)
        guard memoryLimit > needed, n > 0 else { return 0 }
        let spare = (memoryLimit - needed) / UInt64(4 * n)
        return Int(Swift.min(UInt64(n / 2), spare))
    }

    /// The nodes ordered by cluster (clusters by label), each cluster's nodes in increasing order.
    static func clusterOrder(_ labels: [Int32]) -> [Int32] {
        var start = [Int](repeating: 0, count: Int(labels.max() ?? 0) + 2)
        for l in labels { start[Int(l) + 1] += 1 }
        for c in 1..<start.count { start[c] += start[c - 1] }
        var order = [Int32](repeating: 0, count: labels.count)
        for (v, l) in labels.enumerated() {
            order[start[Int(l)]] = Int32(v)
            start[Int(l)] += 1
        }
        return order
    }

    /// The energy of any labelling under the costs of `source`.
    public func energy(of labels: [Int32], source: CostMatrixSource, costs: CostFunction) throws -> Double {
        let n = source.nodeCount
        guard labels.count == n else { throw FrameCutError.labelCountMismatch(expected: n, found: labels.count) }
        try MemoryBudget.check(Self.estimatedBytes(nodeCount: n), limit: options.memoryLimit, what: "the dense cost matrix of \(n) nodes")
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        _ = try source.fill(matrix, costs: costs, threads: options.threads)
        return DenseEnergy.energy(matrix, labels: labels, threads: options.threads)
    }
}
