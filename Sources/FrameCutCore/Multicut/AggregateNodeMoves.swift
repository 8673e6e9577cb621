/// Local search by single-node moves with cluster aggregates: each node in turn goes to the
/// neighbouring cluster (one holding a kNN neighbour of it), or to a new cluster of its own,
/// that lowers the energy most, where the cost of a node to a cluster is exact on its kNN
/// edges plus the affine part for the rest (``ClusterAggregates``). Nodes are visited in
/// index order, so the result is deterministic.
struct AggregateNodeMoves {
    /// One sweep over all nodes; returns the number of moves. `labels` holds cluster slots;
    /// `free` the empty slots (taken from the end for new clusters).
    static func sweep(labels: inout [Int32], free: inout [Int32], aggregates: ClusterAggregates, graph: KNNGraph,
                      residuals: [Double]) -> Int {
        let n = graph.nodeCount
        var position = [Int32](repeating: -1, count: n)
        var clusters = [Int32](), sums = [Double]()
        var moves = 0
        for v in 0..<n {
            let home = Int(labels[v])
            clusters.removeAll(keepingCapacity: true)
            sums.removeAll(keepingCapacity: true)
            for e in graph.offsets[v]..<graph.offsets[v + 1] {
                let c = labels[Int(graph.neighbors[e])]
                if position[Int(c)] < 0 {
                    position[Int(c)] = Int32(clusters.count)
                    clusters.append(c)
                    sums.append(0)
                }
                sums[Int(position[Int(c)])] += residuals[e]
            }
            var stay = aggregates.affine(node: v, cluster: home, member: true)
            if position[home] >= 0 { stay += sums[Int(position[home])] }
            // A new cluster of its own has gain 0 relative to cutting everything.
            var best = aggregates.sizes[home] > 1 ? 0.0 : stay
            var target = aggregates.sizes[home] > 1 ? -1 : home
            for (t, c) in clusters.enumerated() where Int(c) != home {
                let w = sums[t] + aggregates.affine(node: v, cluster: Int(c), member: false)
                if w > best || (w == best && target >= 0 && Int(c) < target) {
                    best = w
                    target = Int(c)
                }
            }
            for c in clusters { position[Int(c)] = -1 }
            guard target != home, best - stay > 1e-9 * Swift.max(1, abs(stay)) else { continue }
            if target < 0 {
                guard let slot = free.popLast() else { continue }
                target = Int(slot)
            }
            aggregates.remove(node: v, from: home)
            aggregates.add(node: v, to: target)
            if aggregates.sizes[home] == 0 { free.append(Int32(home)) }
            labels[v] = Int32(target)
            moves += 1
        }
        return moves
    }
}
