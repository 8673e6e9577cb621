/// Greedy additive edge contraction on the k-nearest-neighbour graph with cluster
/// aggregates: the gain of joining clusters A and B is their exact residual cost on kNN
/// edges plus the affine part over all their pairs (``ClusterAggregates``); the pair at the
/// top of a queue is joined while its gain is positive. Gains of pairs a join leaves outdated
/// are re-evaluated lazily when they reach the top (so the order is greedy up to that), and the
/// contraction ends only when a full scan finds no attracting adjacent pair.
///
/// Candidates are the pairs of clusters joined by at least one kNN edge. Two clusters with
/// no kNN edge between them could in principle have a positive affine sum (for the paper's
/// costs `b > 0`, so two large clusters with aligned summed vectors); they are never joined
/// here, an approximation documented in docs/scale.md (their nodes are by construction not
/// among each other's nearest neighbours).
struct AggregateContraction {
    /// Joins clusters of `labels` (cluster slots in `0..<n`) in place; returns the joins made.
    /// `residuals[e]` is the exact cost minus its affine part of adjacency entry `e`.
    static func run(labels: inout [Int32], aggregates: ClusterAggregates, graph: KNNGraph, residuals: [Double],
                    cancelled: () -> Bool) throws -> Int {
        let n = graph.nodeCount
        var adjacency = [[Int32: Double]](repeating: [:], count: n)
        for i in 0..<n {
            let p = labels[i]
            for e in graph.offsets[i]..<graph.offsets[i + 1] {
                let j = Int(graph.neighbors[e])
                guard j > i else { continue }
                let q = labels[j]
                guard p != q else { continue }
                adjacency[Int(p)][q, default: 0] += residuals[e]
                adjacency[Int(q)][p, default: 0] += residuals[e]
            }
        }
        var stamps = [UInt32](repeating: 0, count: n)
        var heap = CandidateHeap()
        for p in 0..<n {
            for (q, r) in adjacency[p] where Int(q) > p {
                let gain = r + aggregates.affine(p, Int(q))
                if gain > 0 { heap.push(.init(gain: gain, p: Int32(p), q: q, stampP: 0, stampQ: 0)) }
            }
        }
        var redirect = [Int32](repeating: -1, count: n)
        var joins = 0
        while true {
            while let top = heap.pop() {
                let p = Int(top.p), q = Int(top.q)
                guard redirect[p] < 0, redirect[q] < 0 else { continue }
                if joins & 1023 == 0, cancelled() { throw FrameCutError.cancelled }
                guard stamps[p] == top.stampP, stamps[q] == top.stampQ else {
                    // Outdated by a join of p or q: re-evaluate now, queue again if it still attracts.
                    let gain = (adjacency[p][Int32(q)] ?? 0) + aggregates.affine(p, q)
                    if gain > 0 { heap.push(.init(gain: gain, p: top.p, q: top.q, stampP: stamps[p], stampQ: stamps[q])) }
                    continue
                }
                // Keep the cluster with more neighbours (fewer dictionary moves); ties keep the smaller id.
                let keep = adjacency[p].count >= adjacency[q].count ? p : q
                let gone = keep == p ? q : p
                aggregates.merge(gone, into: keep)
                redirect[gone] = Int32(keep)
                stamps[keep] &+= 1
                adjacency[keep][Int32(gone)] = nil
                let moved = adjacency[gone]
                adjacency[gone] = [:]
                for (other, r) in moved where Int(other) != keep {
                    adjacency[keep][other, default: 0] += r
                    adjacency[Int(other)][Int32(gone)] = nil
                    adjacency[Int(other)][Int32(keep), default: 0] += r
                }
                joins += 1
                // Re-evaluate the pairs the joined cluster inherited (O(d) each); the pairs it
                // already had are outdated in the queue and re-evaluated when they surface, and
                // a final scan below catches those that turned attracting.
                for (other, _) in moved where Int(other) != keep {
                    let o = Int(other)
                    let gain = (adjacency[keep][other] ?? 0) + aggregates.affine(keep, o)
                    guard gain > 0 else { continue }
                    let (lo, hi) = keep < o ? (keep, o) : (o, keep)
                    heap.push(.init(gain: gain, p: Int32(lo), q: Int32(hi), stampP: stamps[lo], stampQ: stamps[hi]))
                }
            }
            // Every adjacent pair once more: done when none attracts.
            for p in 0..<n where redirect[p] < 0 {
                for (q, r) in adjacency[p] where Int(q) > p {
                    let gain = r + aggregates.affine(p, Int(q))
                    if gain > 0 { heap.push(.init(gain: gain, p: Int32(p), q: q, stampP: stamps[p], stampQ: stamps[Int(q)])) }
                }
            }
            if heap.isEmpty { break }
        }
        for v in 0..<n {
            var c = Int(labels[v])
            while redirect[c] >= 0 { c = Int(redirect[c]) }
            labels[v] = Int32(c)
        }
        return joins
    }
}
