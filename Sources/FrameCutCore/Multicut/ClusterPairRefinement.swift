import CBLAS

/// The exact pair step of the large-scale local search: for two clusters joined by kNN edges
/// whose union has at most `limit` nodes, the union is solved as a dense sub-problem on its
/// exact pair costs (one SSYRK for the upper triangle of the similarities, the model's cost per
/// pair, vectorised when it depends on the similarity alone), starting from
/// the two clusters, by the dense solver's Kernighan-Lin (``DenseKernighanLin``: move sequences
/// between the two, splits, the join). The result is kept when it lowers the sub-problem's
/// energy. Only pairs inside the union change their cut status (its nodes stay cut from every
/// other node), so the complete graph's energy changes by exactly the sub-problem's change:
/// the step never raises the energy. It corrects what the affine approximation gets wrong on
/// the border between two clusters, where most of the difference to the dense solver lies.
///
/// Only pairs with at least `minEdges` kNN edges between them are solved (the solver asks for
/// `k`: as many as one node's neighbour list; pairs with fewer have hardly a border, and each
/// solve costs O(m² d)), adjacent pairs whose union has at most ``smallUnion`` nodes whatever
/// their edges (small clusters between large ones, where most of the remaining difference to
/// the dense solver lay on Fashion-MNIST; each such solve is cheap), and pairs of clusters of at least 8 nodes whose affine sum attracts
/// (``ClusterAggregates/affine(_:_:)`` > 0) though few or no kNN edges join them: GAEC never
/// joins those, the dense solver does when their exact sum is positive. Pairs are visited in passes: the pairs of adjacent clusters ordered by the number of kNN
/// edges between them (most first, then by cluster ids), solved in rounds of disjoint pairs
/// spread over the threads (each with its own single-threaded GEMM and matrix) and applied in
/// round order, so the labels do not depend on the thread count.
/// Memory: per thread one `limit x limit` float32 matrix and Kernighan-Lin's sums.
enum ClusterPairRefinement {
    /// What one pass did.
    struct Outcome: Equatable {
        /// Pairs whose union was re-partitioned.
        var improved = 0
        /// Pairs solved.
        var solved = 0
        /// The sum of the sub-problems' energy changes (negative).
        var energyChange = 0.0
    }

    /// Clusters of at least this many nodes are also paired when not adjacent but attracting
    /// under the affine sums (at most `attractingMaxClusters` of them, the largest).
    static let attractingMinSize = 8
    static let attractingMaxClusters = 4096
    /// Adjacent pairs whose union has at most this many nodes are solved whatever the number of
    /// kNN edges between them (small clusters have few edges to give; each solve is cheap).
    static let smallUnion = 256

    /// Bytes one worker holds for unions of at most `limit` nodes of dimension `d`.
    static func estimatedBytes(limit: Int, dimension d: Int) -> UInt64 {
        let m = UInt64(Swift.max(0, limit))
        return m * m * 4 + m * UInt64(d) * 4 + DenseKernighanLin.estimatedBytes(nodeCount: Int(m), clusters: 8)
    }

    /// Runs up to `maxPasses` passes (until one improves nothing); `free` holds the empty slots.
    static func run<Model: PairCostModel>(labels: inout [Int32], free: inout [Int32], aggregates: ClusterAggregates?,
                                          graph: KNNGraph, model: Model, scanner: SimilarityScanner, limit: Int,
                                          threads: Int, minEdges: Int = 1, maxPasses: Int = 4,
                                          cancelled: () -> Bool = { false }) throws -> Outcome {
        var total = Outcome()
        var changed: Set<Int32>? = nil
        for _ in 0..<maxPasses {
            let pass = try runPass(labels: &labels, free: &free, aggregates: aggregates, graph: graph, model: model,
                                   scanner: scanner, limit: limit, threads: threads, minEdges: minEdges, only: changed, changed: &changed,
                                   cancelled: cancelled)
            total.improved += pass.improved
            total.solved += pass.solved
            total.energyChange += pass.energyChange
            if pass.improved == 0 { break }
        }
        return total
    }

    /// The pairs of distinct clusters joined by kNN edges, with the number of such edges,
    /// ordered by that number (descending), then by the cluster ids.
    static func adjacentPairs(labels: [Int32], graph: KNNGraph) -> [(p: Int32, q: Int32, edges: Int)] {
        var keys = [UInt64]()
        for i in 0..<graph.nodeCount {
            let p = labels[i]
            for e in graph.offsets[i]..<graph.offsets[i + 1] {
                let j = Int(graph.neighbors[e])
                guard j > i else { continue }
                let q = labels[j]
                guard p != q else { continue }
                let (lo, hi) = p < q ? (p, q) : (q, p)
                keys.append(UInt64(UInt32(lo)) << 32 | UInt64(UInt32(hi)))
            }
        }
        keys.sort()
        var pairs: [(p: Int32, q: Int32, edges: Int)] = []
        var start = 0
        while start < keys.count {
            var end = start + 1
            while end < keys.count, keys[end] == keys[start] { end += 1 }
            pairs.append((Int32(truncatingIfNeeded: keys[start] >> 32), Int32(truncatingIfNeeded: keys[start] & 0xFFFF_FFFF), end - start))
            start = end
        }
        pairs.sort { $0.edges != $1.edges ? $0.edges > $1.edges : ($0.p != $1.p ? $0.p < $1.p : $0.q < $1.q) }
        return pairs
    }

    static func runPass<Model: PairCostModel>(labels: inout [Int32], free: inout [Int32], aggregates: ClusterAggregates?,
                                              graph: KNNGraph, model: Model, scanner: SimilarityScanner, limit: Int,
                                              threads: Int, minEdges: Int, only: Set<Int32>?, changed: inout Set<Int32>?,
                                              cancelled: () -> Bool) throws -> Outcome {
        let n = labels.count
        var members = [[Int32]](repeating: [], count: n)
        for v in 0..<n { members[Int(labels[v])].append(Int32(v)) }
        // After the first pass only pairs touching a cluster the previous pass changed.
        var pending = adjacentPairs(labels: labels, graph: graph).filter { (pair: (p: Int32, q: Int32, edges: Int)) -> Bool in
            let union = members[Int(pair.p)].count + members[Int(pair.q)].count
            guard pair.edges >= minEdges || union <= Swift.min(limit, smallUnion), union <= limit else { return false }
            guard let only else { return true }
            return only.contains(pair.p) || only.contains(pair.q)
        }
        // Pairs without (enough) kNN edges whose affine sum attracts: GAEC never joins clusters
        // without a kNN edge, the dense solver does when their exact sum is positive.
        if let aggregates {
            var large = (0..<n).filter { members[$0].count >= attractingMinSize }
            if large.count > attractingMaxClusters {
                large = Array(large.sorted { members[$0].count != members[$1].count ? members[$0].count > members[$1].count : $0 < $1 }
                    .prefix(attractingMaxClusters)).sorted()
            }
            let listed = Set(pending.map { UInt64(UInt32($0.p)) << 32 | UInt64(UInt32($0.q)) })
            for (x, p) in large.enumerated() {
                for q in large[(x + 1)...] where members[p].count + members[q].count <= limit {
                    let key = UInt64(UInt32(p)) << 32 | UInt64(UInt32(q))
                    guard !listed.contains(key), aggregates.affine(p, q) > 0 else { continue }
                    guard only.map({ $0.contains(Int32(p)) || $0.contains(Int32(q)) }) ?? true else { continue }
                    pending.append((Int32(p), Int32(q), 0))
                }
            }
        }
        var touched = Set<Int32>()
        defer { changed = touched }
        var outcome = Outcome()
        while !pending.isEmpty {
            if cancelled() { throw FrameCutError.cancelled }
            // A round: the first pairs of disjoint clusters (in order); the rest wait.
            var busy = Set<Int32>()
            var round: [(Int32, Int32)] = []
            var rest: [(p: Int32, q: Int32, edges: Int)] = []
            for pair in pending {
                if busy.contains(pair.p) || busy.contains(pair.q) || round.count >= 64 * threads {
                    rest.append(pair)
                    continue
                }
                let a = members[Int(pair.p)], b = members[Int(pair.q)]
                guard !a.isEmpty, !b.isEmpty, a.count + b.count <= limit else { continue }
                busy.insert(pair.p)
                busy.insert(pair.q)
                round.append((pair.p, pair.q))
            }
            pending = rest
            let inputs = round.map { (members[Int($0.0)], members[Int($0.1)]) }
            let results = try solveAll(inputs, model: model, scanner: scanner, threads: threads)
            outcome.solved += round.count
            for (index, result) in results.enumerated() {
                guard let result else { continue }
                let (p, q) = round[index]
                let (a, b) = inputs[index]
                let nodes = result.nodes
                // Slots: the part of A's first node keeps A, then B's part keeps B, others take free slots.
                var slotOfPart = [Int: Int32]()
                var order: [Int] = []
                let partOf = Dictionary(uniqueKeysWithValues: zip(nodes, result.parts))
                for v in [a[0], b[0]] + nodes {
                    let part = partOf[v] ?? 0
                    if slotOfPart[part] == nil { slotOfPart[part] = -1; order.append(part) }
                }
                guard order.count <= 2 + free.count else { continue }
                var available = [p, q]
                for part in order {
                    if let slot = available.first {
                        available.removeFirst()
                        slotOfPart[part] = slot
                    } else if let slot = free.popLast() {
                        slotOfPart[part] = slot
                    }
                }
                for (r, v) in nodes.enumerated() {
                    let target = slotOfPart[result.parts[r]] ?? p
                    let home = labels[Int(v)]
                    guard target != home else { continue }
                    aggregates?.remove(node: Int(v), from: Int(home))
                    aggregates?.add(node: Int(v), to: Int(target))
                    labels[Int(v)] = target
                }
                for slot in available { free.append(slot) }
                members[Int(p)] = []
                members[Int(q)] = []
                for part in order {
                    guard let slot = slotOfPart[part] else { continue }
                    members[Int(slot)] = []
                    touched.insert(slot)
                }
                touched.insert(p)
                touched.insert(q)
                for v in nodes { members[Int(labels[Int(v)])].append(v) }
                outcome.improved += 1
                outcome.energyChange += result.change
            }
        }
        return outcome
    }

    struct PairResult {
        let nodes: [Int32]
        let parts: [Int]
        let change: Double
    }

    /// Solves each union (A's members, B's members) on up to `threads` threads; nil where
    /// nothing improves.
    static func solveAll<Model: PairCostModel>(_ inputs: [([Int32], [Int32])], model: Model, scanner: SimilarityScanner,
                                               threads: Int) throws -> [PairResult?] {
        let count = inputs.count
        let workers = Swift.max(1, Swift.min(threads, count))
        let results = UncheckedSendable(UnsafeMutableBufferPointer<PairResult?>.allocate(capacity: count))
        results.value.initialize(repeating: nil)
        defer { results.value.deallocate() }
        let failures = UncheckedSendable(UnsafeMutableBufferPointer<FrameCutError?>.allocate(capacity: workers))
        failures.value.initialize(repeating: nil)
        defer { failures.value.deallocate() }
        let shared = UncheckedSendable(inputs)
        parallelFor(chunks: workers, threads: workers) { worker in
            var index = worker
            while index < count {
                do {
                    results.value[index] = try solve(a: shared.value[index].0, b: shared.value[index].1, model: model, scanner: scanner)
                } catch let error as FrameCutError {
                    failures.value[worker] = error
                    return
                } catch {
                    failures.value[worker] = .invalidArgument("pair refinement: \(error)")
                    return
                }
                index += workers
            }
        }
        if let failure = failures.value.compactMap({ $0 }).first { throw failure }
        return Array(results.value)
    }

    /// The union of clusters A and B (sorted member lists) solved densely from the partition {A, B}.
    static func solve<Model: PairCostModel>(a: [Int32], b: [Int32], model: Model, scanner: SimilarityScanner) throws -> PairResult? {
        let nodes = (a + b).sorted()
        let m = nodes.count
        guard m >= 2 else { return nil }
        let inA = Set(a)
        // The same exact costs as the group step: SSYRK (half the GEMM's work), the model's costs mirrored.
        let matrix = try ClusterGroupRefinement.exactCosts(nodes: nodes, model: model, scanner: scanner)
        let values = matrix.values
        // The cut's cost, summed in row order (the change is exactly the sub-problem's).
        func cutCost(_ labels: [Int32]) -> Double {
            var total = 0.0
            for r in 0..<m {
                for t in (r + 1)..<m where labels[r] != labels[t] { total += Double(values[r * m + t]) }
            }
            return total
        }
        var labels = nodes.map { inA.contains($0) ? Int32(0) : Int32(1) }
        let before = cutCost(labels)
        try DenseKernighanLin().run(matrix, labels: &labels, threads: 1)
        let after = cutCost(labels)
        guard after < before - 1e-9 * Swift.max(1, Swift.abs(before)) else { return nil }
        return PairResult(nodes: nodes, parts: labels.map { Int($0) }, change: after - before)
    }
}
