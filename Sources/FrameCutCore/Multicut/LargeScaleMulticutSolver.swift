import Foundation

/// Options of the large-scale solver.
public struct LargeScaleOptions: Sendable {
    /// Nearest neighbours per node whose costs are exact.
    public var k: Int
    /// GAEC alone, or GAEC followed by local search (node moves, then joins, repeated).
    public var algorithm: MulticutAlgorithm
    public var threads: Int
    public var memoryLimit: UInt64
    /// Rounds of (node-move sweeps, joins) at most.
    public var maxRounds: Int
    /// Node-move sweeps per round at most.
    public var maxSweeps: Int
    /// Clusters of at most this many nodes are re-solved densely and split when that lowers the
    /// energy (``ClusterSplit``); 0 turns the split step off.
    public var splitLimit: Int
    /// Pairs of adjacent clusters whose union has at most this many nodes are re-solved densely
    /// on their exact costs by Kernighan-Lin (``ClusterPairRefinement``); 0 turns the pair step off.
    public var pairLimit: Int
    /// The pair step solves only pairs of clusters with at least this many kNN edges between
    /// them; nil (the default): `k`.
    public var pairMinEdges: Int?

    public init(k: Int = 32, algorithm: MulticutAlgorithm = .gaecKL, threads: Int = 2,
                memoryLimit: UInt64 = MemoryBudget.defaultLimit, maxRounds: Int = 8, maxSweeps: Int = 16, splitLimit: Int = 0,
                pairLimit: Int = LargeScaleOptions.defaultPairLimit, pairMinEdges: Int? = nil) {
        self.pairMinEdges = pairMinEdges.map { Swift.max(1, $0) }
        self.splitLimit = Swift.max(0, splitLimit)
        self.pairLimit = Swift.max(0, pairLimit)
        self.k = k
        self.algorithm = algorithm
        self.threads = Swift.max(1, threads)
        self.memoryLimit = memoryLimit
        self.maxRounds = maxRounds
        self.maxSweeps = maxSweeps
    }
}

extension LargeScaleOptions {
    /// The split step's cluster size bound for the label-free costs: 4096 nodes, two 64 MiB
    /// matrices. Modularity's GAEC leaves coarse clusters that only a split can refine.
    public static let labelFreeSplitLimit = 4096
    /// The pair step's bound on the union of two clusters: 8192 nodes, one 256 MiB matrix per
    /// thread. On Fashion-MNIST 10k at cal 0.6 a 4096 bound left a 969-node part of one cluster
    /// joined to the largest (energy 0.65% above the dense solver's, VI 0.48); 8192 re-solves
    /// that pair (2.7e-7 above, VI 0.010) for 2.5x the CPU time; at cal 0.5 and on the
    /// generated sets, where no union exceeds 4096, nothing changes.
    public static let defaultPairLimit = 8192
    /// The bound used instead of a larger one whose matrices do not fit the memory limit:
    /// 4096 nodes, one 64 MiB matrix per thread.
    public static let reducedPairLimit = 4096
    /// The exact-move step's bound on the nodes it tracks (``ExactSmallClusterMoves``).
    public static let defaultTrackedLimit = 4096
}

/// What a large-scale solve found, with the figures of its stages.
public struct LargeScaleSolution: Sendable {
    /// The clustering; its `energy`, `energyGAEC` and `totalCost` are exact (streamed over all pairs).
    public let solution: MulticutSolution
    /// Neighbours per node (after capping at n - 1) and undirected kNN edges.
    public let k: Int
    public let edgeCount: Int
    /// The affine approximation of the non-neighbour costs.
    public let fit: AffineCostFit
    public let secondsPrepare: Double
    public let secondsKNN: Double
    public let secondsEnergy: Double
    /// Node moves made by the local search.
    public let moves: Int
    /// Pairs of clusters the exact pair step re-partitioned, and the energy change it made.
    public let pairsImproved: Int
    public let pairEnergyChange: Double
    /// Every stage with its wall and CPU seconds, in order.
    public let stages: [LargeScaleStageTiming]
    /// Streamed passes over all `n^2` similarities the solver made (a pass over the upper
    /// triangle counts one half, over full rows one): the kNN pass (with the paper costs' range
    /// or the label-free costs' neighbour lists, both over the upper triangle) and the exact
    /// energy pass, 1 in all. A model's `prepare` may add its own.
    public let streamedPasses: Double
}

/// The minimum cost multicut of the complete graph without storing it: exact costs on the
/// symmetrised k-nearest-neighbour graph, every other pair through an affine approximation
/// summed over clusters in O(d) (``ClusterAggregates``), GAEC and node-move local search on
/// that, and the exact energy of the result by a streamed pass over all pairs.
/// Memory O(nk + nd): see ``estimatedBytes(count:dimension:k:threads:)``.
public struct LargeScaleMulticutSolver {
    public var options: LargeScaleOptions

    public init(options: LargeScaleOptions = LargeScaleOptions()) {
        self.options = options
    }

    /// Bytes needed beyond the input embeddings: prepared vectors (4nd), summed cluster
    /// vectors (8nd), the kNN graph and its residuals, the contraction's per-cluster maps and
    /// heap (about 150 bytes per adjacency entry), per-node arrays, the scan blocks.
    public static func estimatedBytes(count n: Int, dimension d: Int, k: Int, threads: Int) -> UInt64 {
        let nd = UInt64(n) * UInt64(d)
        let entries = UInt64(n) * UInt64(2 * Swift.max(1, Swift.min(k, n - 1)))
        return nd * 4 + ClusterAggregates.estimatedBytes(count: n, dimension: d)
            + KNNGraph.estimatedBytes(count: n, k: k, threads: threads) + entries * (8 + 150)
            + UInt64(n) * 64 + (64 << 20)
    }

    /// ``estimatedBytes(count:dimension:k:threads:)`` plus the split step's two `splitLimit²`
    /// matrices and the pair step's one `pairLimit²` matrix (with Kernighan-Lin's sums) per thread.
    public static func estimatedBytes(count n: Int, dimension d: Int, k: Int, threads: Int, splitLimit: Int,
                                      pairLimit: Int = 0, trackedLimit: Int = LargeScaleOptions.defaultTrackedLimit) -> UInt64 {
        let m = UInt64(Swift.min(n, splitLimit))
        let pair = ClusterPairRefinement.estimatedBytes(limit: Swift.min(n, pairLimit), dimension: d) * UInt64(Swift.max(1, threads))
            + (pairLimit >= 2 ? ClusterGroupRefinement.estimatedBytes(dimension: d) : 0)
        return estimatedBytes(count: n, dimension: d, k: k, threads: threads) + m * m * 8 + m * UInt64(d) * 4 + pair
            + ExactSmallClusterMoves.estimatedBytes(count: n, threads: threads, limit: trackedLimit)
    }

    /// Clusters `embeddings` under `model`.
    /// - Parameter progress: called at the start of each stage and now and then during it; return false to cancel.
    public func solve<Model: PairCostModel>(_ embeddings: Embeddings, model: Model,
                                            progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> LargeScaleSolution {
        var prepared = model
        return try solve(embeddings, model: model, progress: progress, prepared: &prepared)
    }

    /// The bounds this solve uses, chosen to fit `options.memoryLimit`: the pair step's union
    /// bound (0 without local search; `options.pairLimit`, or ``LargeScaleOptions/reducedPairLimit``
    /// when the requested bound's matrices do not fit), then the exact-move step's tracked nodes
    /// (``ExactSmallClusterMoves``: 4096, halved down to 256 until it fits, else 0: the step is
    /// off). When even the smallest do not fit, the memory check of `solve` refuses the run.
    public func effectiveLimits(count n: Int, dimension d: Int) -> (pair: Int, tracked: Int) {
        func fits(_ pair: Int, _ tracked: Int) -> Bool {
            Self.estimatedBytes(count: n, dimension: d, k: options.k, threads: options.threads, splitLimit: options.splitLimit,
                                pairLimit: pair, trackedLimit: tracked) <= options.memoryLimit
        }
        let requested = options.algorithm == .gaecKL ? options.pairLimit : 0
        let pair = requested > LargeScaleOptions.reducedPairLimit && !fits(requested, ExactSmallClusterMoves.trackedLimit)
            ? LargeScaleOptions.reducedPairLimit : requested
        var tracked = ExactSmallClusterMoves.trackedLimit
        while tracked > ExactSmallClusterMoves.minimumTrackedLimit && !fits(pair, tracked) { tracked /= 2 }
        return (pair, fits(pair, tracked) ? tracked : 0)
    }

    /// Clusters `embeddings` under `model` and hands back the model as prepared (its fitted parameters).
    public func solve<Model: PairCostModel>(_ embeddings: Embeddings, model: Model,
                                            progress: @escaping (MulticutStage) -> Bool = { _ in true },
                                            prepared: inout Model) throws -> LargeScaleSolution {
        try embeddings.validate()
        let n = embeddings.count, d = embeddings.dimension
        let (pairLimit, trackedLimit) = effectiveLimits(count: n, dimension: d)
        try MemoryBudget.check(Self.estimatedBytes(count: n, dimension: d, k: options.k, threads: options.threads,
                                                   splitLimit: options.splitLimit, pairLimit: pairLimit, trackedLimit: trackedLimit),
                               limit: options.memoryLimit, what: "the large-scale solver on \(n) nodes of dimension \(d) with k = \(options.k)")
        var stages = LargeScaleStageTiming.Recorder()
        var passes = 0.0
        guard progress(.costs) else { throw FrameCutError.cancelled }
        var model = model
        let unitScanner = try SimilarityScanner(vectors: embeddings.normalizedFloat32(), count: n, dimension: d, threads: options.threads)
        // The paper's costs need only the cosine range, the label-free costs each row's nearest
        // neighbours: both come from the kNN pass (half a pass: the upper triangle).
        var early: KNNGraph?
        let listLength = model.nearestNeighbourCount
        if model.needsCosineRange || listLength != nil {
            let ranged = model.needsCosineRange
            let (graph, lists) = try KNNGraph.withRowNeighbours(scanner: unitScanner, k: Swift.max(options.k, listLength ?? 0),
                                                                collectExtremes: ranged)
            passes += 0.5
            if ranged {
                model.setCosineRange(try unitScanner.exactRange(embeddings, rowExtremes: SimilarityScanner.RowExtremes(minimum: lists.low, maximum: lists.high)))
            }
            if listLength != nil { try model.setNearestNeighbours(lists) }
            early = graph
        }
        let vectors = try model.prepare(embeddings, scanner: unitScanner)
        let scanner = vectors == unitScanner.vectors ? unitScanner
            : try SimilarityScanner(vectors: vectors, count: n, dimension: d, threads: options.threads)
        prepared = model
        let secondsPrepare: Double
        let graph: KNNGraph
        if let early, scanner.vectors == unitScanner.vectors {
            graph = early
            secondsPrepare = 0
            stages.lap("range + kNN")
        } else {
            secondsPrepare = stages.lap("prepare")
            guard progress(.costs) else { throw FrameCutError.cancelled }
            graph = try KNNGraph(scanner: scanner, k: options.k)
            passes += 0.5
            stages.lap("kNN")
        }
        let features = model.nodeFeature(0) == nil ? [] : (0..<n).map { model.nodeFeature($0) ?? 0 }
        let fit = model.exactFarCost ?? AffineCostFit.fit(model: model, vectors: vectors, dimension: d, graph: graph)
        var residuals = [Double](repeating: 0, count: graph.neighbors.count)
        for i in 0..<n {
            for e in graph.offsets[i]..<graph.offsets[i + 1] {
                let j = Int(graph.neighbors[e])
                let s = graph.similarities[e]
                let ui = features.isEmpty ? 0 : features[i], uj = features.isEmpty ? 0 : features[j]
                let (lo, hi) = i < j ? (i, j) : (j, i)
                residuals[e] = model.cost(similarity: s, i: lo, j: hi) - fit.value(similarity: s, featureI: ui, featureJ: uj)
            }
        }
        stages.lap("fit + residuals")
        let secondsKNN = stages.seconds("range + kNN", "kNN", "fit + residuals")

        guard progress(.gaec) else { throw FrameCutError.cancelled }
        var cancelled = false
        let isCancelled: () -> Bool = {
            if !cancelled, !progress(.gaec) { cancelled = true }
            return cancelled
        }
        var labels = (0..<n).map { Int32($0) }
        var moves = 0
        var pairOutcome = ClusterPairRefinement.Outcome()
        let gaecLabels: [Int32] = try vectors.withUnsafeBufferPointer { v in
            let aggregates = ClusterAggregates(labels: labels, vectors: v, dimension: d, nodeFeatures: features, fit: fit)
            _ = try AggregateContraction.run(labels: &labels, aggregates: aggregates, graph: graph, residuals: residuals, cancelled: isCancelled)
            let afterGAEC = labels
            stages.lap("GAEC")
            guard options.algorithm == .gaecKL else { return afterGAEC }
            guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
            var free = (0..<n).filter { aggregates.sizes[$0] == 0 }.reversed().map { Int32($0) }
            for pass in 0..<4 {
                if pass > 0 {
                    // Split clusters where a dense solve of each lowers the energy, then search again.
                    guard options.splitLimit > 0, progress(.kernighanLin) else { break }
                    let split = try ClusterSplit.run(labels: &labels, free: &free, aggregates: aggregates, model: model, scanner: scanner,
                                                     limit: options.splitLimit, threads: options.threads, memoryLimit: options.memoryLimit)
                    moves += split
                    if split == 0 { break }
                }
                for _ in 0..<options.maxRounds {
                    var roundMoves = 0
                    for _ in 0..<options.maxSweeps {
                        guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
                        let m = AggregateNodeMoves.sweep(labels: &labels, free: &free, aggregates: aggregates, graph: graph, residuals: residuals)
                        roundMoves += m
                        if m == 0 { break }
                    }
                    moves += roundMoves
                    let joins = try AggregateContraction.run(labels: &labels, aggregates: aggregates, graph: graph,
                                                             residuals: residuals, cancelled: isCancelled)
                    if joins > 0 { free = (0..<n).filter { aggregates.sizes[$0] == 0 }.reversed().map { Int32($0) } }
                    if roundMoves == 0 && joins == 0 { break }
                }
            }
            stages.lap("local search")
            /// The group step (``ClusterGroupRefinement``), counted with the pair step's figures;
            /// returns the groups it improved.
            func groupStep() throws -> Int {
                let groups = try ClusterGroupRefinement.run(labels: &labels, free: &free, aggregates: aggregates, graph: graph, model: model,
                                                            scanner: scanner, threads: options.threads, memoryLimit: options.memoryLimit,
                                                            cancelled: { !progress(.kernighanLin) })
                moves += groups.improved
                pairOutcome.improved += groups.improved
                pairOutcome.energyChange += groups.energyChange
                stages.lap("group refinement")
                return groups.improved
            }
            if pairLimit >= 2 {
                guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
                pairOutcome = try ClusterPairRefinement.run(labels: &labels, free: &free, aggregates: aggregates, graph: graph, model: model,
                                                            scanner: scanner, limit: pairLimit, threads: options.threads,
                                                            minEdges: options.pairMinEdges ?? graph.k,
                                                            cancelled: { !progress(.kernighanLin) })
                moves += pairOutcome.improved
                stages.lap("pair refinement")
                guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
                _ = try groupStep()
            }
            // Exact moves for the small clusters' nodes and the border's, then the group step
            // again on what they changed, while either changes something (at most 3 rounds).
            for _ in 0..<3 {
                guard progress(.kernighanLin) else { throw FrameCutError.cancelled }
                let exactMoves = ExactSmallClusterMoves.run(labels: &labels, free: &free, aggregates: aggregates, graph: graph,
                                                            model: model, scanner: scanner, threads: options.threads,
                                                            limit: trackedLimit)
                moves += exactMoves
                stages.lap("exact moves")
                guard exactMoves > 0, pairLimit >= 2 else { break }
                if try groupStep() == 0 { break }
            }
            return afterGAEC
        }
        if options.algorithm == .gaecKL {
            moves += ExactSingletonRejoin.run(labels: &labels, model: model, scanner: scanner)
            stages.lap("singleton rejoin")
        }
        let secondsGAEC = stages.seconds("GAEC")
        let secondsKL = stages.seconds("local search", "pair refinement", "group refinement", "exact moves", "singleton rejoin")

        guard progress(.energy) else { throw FrameCutError.cancelled }
        let canonicalGAEC = Partition.canonicalLabels(gaecLabels)
        let canonical = Partition.canonicalLabels(labels)
        let exact = try StreamedEnergy.energies(of: [canonicalGAEC, canonical], model: model, scanner: scanner)
        passes += 0.5
        let secondsEnergy = stages.lap("exact energy")
        let solution = MulticutSolution(labels: canonical, clusterCount: Partition.clusterCount(canonical), energy: exact.energies[1],
                                        energyGAEC: exact.energies[0], clusterCountGAEC: Partition.clusterCount(canonicalGAEC),
                                        secondsCosts: secondsPrepare + secondsKNN, secondsGAEC: secondsGAEC, secondsKL: secondsKL,
                                        range: (model as? PaperPairCostModel)?.range, totalCost: exact.totalCost,
                                        kernighanLinPasses: moves)
        return LargeScaleSolution(solution: solution, k: graph.k, edgeCount: graph.edgeCount, fit: fit,
                                  secondsPrepare: secondsPrepare, secondsKNN: secondsKNN, secondsEnergy: secondsEnergy, moves: moves,
                                  pairsImproved: pairOutcome.improved, pairEnergyChange: pairOutcome.energyChange,
                                  stages: stages.stages, streamedPasses: passes)
    }
}
