/// Kernighan-Lin local search on a general graph: the same moves as `DenseKernighanLin`
/// (pairs of adjacent clusters, and each cluster against a new one; best prefix or join),
/// with gains summed over each node's edges, and the same two stages (short sequences, then
/// unlimited sequences on attracting pairs).
public struct SparseKernighanLin: Sendable {
    public var patience: Int
    public var epsilon: Double
    public var maxIterations: Int

    public init(patience: Int = 64, epsilon: Double = 1e-7, maxIterations: Int = 100) {
        self.patience = patience
        self.epsilon = epsilon
        self.maxIterations = maxIterations
    }

    public func run(_ graph: SparseGraph, labels: inout [Int32]) {
        let n = graph.nodeCount
        var label = Partition.canonicalLabels(labels).map(Int.init)
        var members = [[Int32]](repeating: [], count: (label.max() ?? -1) + 1)
        for v in 0..<n { members[label[v]].append(Int32(v)) }
        var changed = [Bool](repeating: true, count: members.count)
        var localIndex = [Int](repeating: -1, count: n)
        var patience = self.patience
        var longSequences = false

        // Whether an edge between clusters a and b attracts (see DenseKernighanLin).
        func hasAttraction(_ a: Int, _ b: Int) -> Bool {
            let small = members[a].count <= members[b].count ? a : b
            let other = small == a ? b : a
            for v in members[small] {
                for (u, w) in graph.adjacency[Int(v)] where w > 0 && label[Int(u)] == other { return true }
            }
            return false
        }

        // One two-set pass; returns the decrease applied.
        func improve(_ a: Int, _ b: Int?) -> Double {
            if let b, longSequences, !hasAttraction(a, b) { return 0 }
            var local = members[a]
            var side = [UInt8](repeating: 0, count: local.count)
            if let b {
                local += members[b]
                side += [UInt8](repeating: 1, count: members[b].count)
            }
            for (i, v) in local.enumerated() { localIndex[Int(v)] = i }
            defer { for v in local { localIndex[Int(v)] = -1 } }
            var gain = [Double](repeating: 0, count: local.count)
            var between = 0.0
            for (i, v) in local.enumerated() {
                for (u, w) in graph.adjacency[Int(v)] {
                    let j = localIndex[Int(u)]
                    guard j >= 0 else { continue }
                    if side[j] == side[i] { gain[i] -= w } else { gain[i] += w; if side[i] == 0 { between += w } }
                }
            }
            var moved = [Bool](repeating: false, count: local.count)
            var order = [Int]()
            var cumulative = 0.0, bestGain = 0.0, bestLength = 0, sinceBest = 0
            for _ in 0..<local.count {
                var pick = -1
                var pickGain = -Double.infinity
                for i in 0..<local.count where !moved[i] && gain[i] > pickGain { pick = i; pickGain = gain[i] }
                if pick < 0 { break }
                moved[pick] = true
                order.append(pick)
                let from = side[pick]
                for (u, w) in graph.adjacency[Int(local[pick])] {
                    let j = localIndex[Int(u)]
                    guard j >= 0, !moved[j] else { continue }
                    if side[j] == from { gain[j] += 2 * w } else { gain[j] -= 2 * w }
                }
                side[pick] = 1 - from
                cumulative += pickGain
                if cumulative > bestGain + 1e-12 {
                    bestGain = cumulative; bestLength = order.count; sinceBest = 0
                } else {
                    sinceBest += 1
                    if sinceBest >= patience { break }
                }
            }
            if let b, between > bestGain, between > epsilon {
                for v in members[b] { label[Int(v)] = a }
                members[a] += members[b]
                members[b] = []
                return between
            }
            guard bestGain > epsilon else { return 0 }
            let target: Int
            if let b { target = b } else { target = members.count; members.append([]); changed.append(true) }
            for t in 0..<bestLength {
                let v = Int(local[order[t]])
                label[v] = label[v] == a ? target : a
            }
            members[a] = local.filter { label[Int($0)] == a }
            members[target] = local.filter { label[Int($0)] == target }
            return bestGain
        }

        for _ in 0..<maxIterations {
            var decrease = 0.0
            var pairs = Set<Int>()
            let k = members.count
            for e in 0..<graph.edgeCount {
                let a = label[Int(graph.sources[e])], b = label[Int(graph.targets[e])]
                if a != b { pairs.insert(Swift.min(a, b) * k + Swift.max(a, b)) }
            }
            var nowChanged = [Bool](repeating: false, count: k)
            for key in pairs.sorted() {
                let a = key / k, b = key % k
                guard changed[a] || changed[b], !members[a].isEmpty, !members[b].isEmpty else { continue }
                let g = improve(a, b)
                if g > 0 { decrease += g; nowChanged[a] = true; nowChanged[b] = true }
            }
            for a in 0..<k where (changed[a] || nowChanged[a]) {
                while !members[a].isEmpty {
                    let g = improve(a, nil)
                    guard g > 0 else { break }
                    decrease += g
                    nowChanged[a] = true
                }
            }
            while nowChanged.count < members.count { nowChanged.append(true) }
            // Drop empty clusters.
            var newMembers = [[Int32]](), newChanged = [Bool]()
            for c in 0..<members.count where !members[c].isEmpty {
                for v in members[c] { label[Int(v)] = newMembers.count }
                newMembers.append(members[c])
                newChanged.append(nowChanged[c])
            }
            members = newMembers
            changed = newChanged
            if decrease <= epsilon {
                guard !longSequences else { break }
                longSequences = true
                patience = Int.max
                changed = [Bool](repeating: true, count: members.count)
            }
        }
        labels = label.map { Int32($0) }
    }
}

/// Solves the multicut problem of a general graph with sparse GAEC and, optionally, Kernighan-Lin.
public struct SparseMulticutSolver {
    public var algorithm: MulticutAlgorithm
    public var kernighanLin: SparseKernighanLin

    public init(algorithm: MulticutAlgorithm = .gaecKL, kernighanLin: SparseKernighanLin = SparseKernighanLin()) {
        self.algorithm = algorithm
        self.kernighanLin = kernighanLin
    }

    public func solve(_ graph: SparseGraph) throws -> MulticutSolution {
        var clock = Stopwatch()
        let gaecLabels = Partition.canonicalLabels(SparseGreedyAdditiveContraction().run(graph))
        let secondsGAEC = clock.seconds
        let energyGAEC = try graph.energy(of: gaecLabels)
        clock.restart()
        var labels = gaecLabels
        if algorithm == .gaecKL {
            kernighanLin.run(graph, labels: &labels)
            labels = Partition.canonicalLabels(labels)
        }
        let secondsKL = algorithm == .gaecKL ? clock.seconds : 0
        return MulticutSolution(labels: labels, clusterCount: Partition.clusterCount(labels), energy: try graph.energy(of: labels),
                                energyGAEC: energyGAEC, clusterCountGAEC: Partition.clusterCount(gaecLabels),
                                secondsCosts: 0, secondsGAEC: secondsGAEC, secondsKL: secondsKL, range: nil,
                                totalCost: graph.weights.reduce(0, +), kernighanLinPasses: 0)
    }
}
