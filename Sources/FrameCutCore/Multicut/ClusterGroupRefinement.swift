import CBLAS

/// The exact group step of the large-scale local search, after the pair step: each small
/// cluster (at most ``smallCluster`` nodes) together with every small cluster adjacent to it in
/// the kNN graph (while the union has at most ``groupLimit`` nodes) is re-solved from scratch
/// as a dense sub-problem on its exact costs by the dense solver (GAEC, then Kernighan-Lin),
/// and the result is kept when it lowers the sub-problem's energy. As in the pair step, the
/// union's nodes stay cut from every other node, so the complete graph's energy changes by
/// exactly the sub-problem's change (never up). It reassembles what a step over two clusters
/// cannot: small clusters between large ones pieced together from parts of several others.
/// Groups are visited in order of their seed cluster's id, one after another (each solve's
/// GEMM and Kernighan-Lin on `threads`): the labels do not depend on the thread count.
/// Memory: one `groupLimit²` float32 matrix and the dense solver's state for it.
enum ClusterGroupRefinement {
    /// Clusters of at most this many nodes seed and join groups.
    static let smallCluster = 256
    /// The union of a group has at most this many nodes.
    static let groupLimit = 1024

    /// Bytes the step holds at its peak for vectors of dimension `d`.
    static func estimatedBytes(dimension d: Int) -> UInt64 {
        ClusterPairRefinement.estimatedBytes(limit: groupLimit, dimension: d) * 2
    }

    static func run<Model: PairCostModel>(labels: inout [Int32], free: inout [Int32], aggregates: ClusterAggregates?,
                                          graph: KNNGraph, model: Model, scanner: SimilarityScanner, threads: Int,
                                          memoryLimit: UInt64, cancelled: () -> Bool = { false }) throws -> ClusterPairRefinement.Outcome {
        let n = labels.count
        var members = [[Int32]](repeating: [], count: n)
        for v in 0..<n { members[Int(labels[v])].append(Int32(v)) }
        let solver = DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL, threads: threads, memoryLimit: memoryLimit))
        let unused = try CostFunction(cal: 0.5)  // precomputed costs do not depend on cal
        var outcome = ClusterPairRefinement.Outcome()
        for seed in 0..<n {
            let size = members[seed].count
            guard size >= 1, size <= smallCluster else { continue }
            if cancelled() { throw FrameCutError.cancelled }
            // The seed's adjacent small clusters, by id, while the union stays within the limit.
            var adjacent = Set<Int32>()
            for v in members[seed] {
                for e in graph.offsets[Int(v)]..<graph.offsets[Int(v) + 1] {
                    let c = labels[Int(graph.neighbors[e])]
                    if Int(c) != seed, members[Int(c)].count <= smallCluster { adjacent.insert(c) }
                }
            }
            var group: [Int] = [seed]
            var total = size
            for c in adjacent.sorted() where total + members[Int(c)].count <= groupLimit {
                group.append(Int(c))
                total += members[Int(c)].count
            }
            guard group.count >= 2 else { continue }
            let nodes = group.flatMap { members[$0] }.sorted()
            var groupOf = [Int32: Int32]()
            for (g, c) in group.enumerated() { for v in members[c] { groupOf[v] = Int32(g) } }
            let current = nodes.map { groupOf[$0] ?? 0 }
            let matrix = try exactCosts(nodes: nodes, model: model, scanner: scanner)
            let source = PrecomputedCostSource(base: matrix, range: nil, baseOffset: nil)
            let sub = try solver.solve(source, costs: unused)
            let before = try solver.energy(of: current, source: source, costs: unused)
            outcome.solved += 1
            guard sub.energy < before - 1e-9 * Swift.max(1, Swift.abs(before)) else { continue }
            // Slots: each group cluster's slot goes to the part of its first node (in group order)
            // when that part has none yet; other parts take the remaining group slots, then free ones.
            let parts = sub.labels.map { Int($0) }
            var partOf = [Int32: Int]()
            for (r, v) in nodes.enumerated() { partOf[v] = parts[r] }
            var slot = [Int: Int32]()
            var spare: [Int32] = []
            for c in group {
                let part = partOf[members[c][0]] ?? 0
                if slot[part] == nil { slot[part] = Int32(c) } else { spare.append(Int32(c)) }
            }
            let partCount = (parts.max() ?? 0) + 1
            guard partCount - slot.count <= spare.count + free.count else { continue }
            for part in 0..<partCount where slot[part] == nil {
                if let s = spare.first { spare.removeFirst(); slot[part] = s } else if let s = free.popLast() { slot[part] = s }
            }
            for c in group { members[c] = [] }
            for (r, v) in nodes.enumerated() {
                let target = slot[parts[r]] ?? Int32(group[0])
                let home = labels[Int(v)]
                if target != home {
                    aggregates?.remove(node: Int(v), from: Int(home))
                    aggregates?.add(node: Int(v), to: Int(target))
                    labels[Int(v)] = target
                }
                members[Int(target)].append(v)
            }
            free.append(contentsOf: spare)
            outcome.improved += 1
            outcome.energyChange += sub.energy - before
        }
        return outcome
    }

    /// The exact cost matrix of `nodes` (sorted): SSYRK for the similarities, the model's costs.
    static func exactCosts<Model: PairCostModel>(nodes: [Int32], model: Model, scanner: SimilarityScanner) throws -> SymmetricCostMatrix {
        let m = nodes.count, d = scanner.dimension
        var gathered = [Float](repeating: 0, count: m * d)
        scanner.vectors.withUnsafeBufferPointer { v in
            for (r, node) in nodes.enumerated() {
                for t in 0..<d { gathered[r * d + t] = v[Int(node) * d + t] }
            }
        }
        let matrix = try SymmetricCostMatrix(nodeCount: m)
        BLASThreads.run(threads: 1) {
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(m), Int32(d), 1, gathered, Int32(d), 0, matrix.values, Int32(m))
        }
        let values = matrix.values
        let vectorised = model.costDependsOnSimilarityOnly
        for r in 0..<m {
            values[r * m + r] = 0
            if vectorised, r + 1 < m {
                model.transformRow(UnsafeMutableBufferPointer(start: values + r * m + r + 1, count: m - r - 1), row: Int(nodes[r]),
                                   firstColumn: Int(nodes[r + 1]))
            }
            for t in (r + 1)..<m {
                let w = vectorised ? values[r * m + t] : Float(model.cost(similarity: Double(values[r * m + t]), i: Int(nodes[r]), j: Int(nodes[t])))
                values[r * m + t] = w
                values[t * m + r] = w
            }
        }
        return matrix
    }
}
