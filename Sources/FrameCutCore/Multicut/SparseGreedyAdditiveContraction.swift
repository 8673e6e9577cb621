/// Greedy additive edge contraction on a general graph: contract the edge with the largest
/// positive cost, merging parallel edges by adding their costs, until no positive edge is left.
/// A max-heap with lazy deletion holds the candidate edges; adjacency maps hold the current costs.
public struct SparseGreedyAdditiveContraction {
    public init() {}

    public func run(_ graph: SparseGraph) -> [Int32] {
        let n = graph.nodeCount
        var adjacency = [[Int32: Double]](repeating: [:], count: n)
        var heap = EdgeHeap()
        for u in 0..<n {
            for (v, w) in graph.adjacency[u] {
                adjacency[u][v] = w
                if Int(v) > u, w > 0 { heap.push(w, Int32(u), v) }
            }
        }
        var parent = [Int32](0..<Int32(n))
        var alive = [Bool](repeating: true, count: n)
        while let (w, u0, v0) = heap.pop() {
            guard w > 0 else { break }
            let u = Int(u0), v = Int(v0)
            guard alive[u], alive[v], let current = adjacency[u][v0], current == w else { continue }
            // Merge the smaller adjacency into the larger.
            let (keep, drop) = adjacency[u].count >= adjacency[v].count ? (u, v) : (v, u)
            alive[drop] = false
            parent[drop] = Int32(keep)
            adjacency[keep][Int32(drop)] = nil
            for (x, wx) in adjacency[drop] where Int(x) != keep {
                let merged = (adjacency[keep][x] ?? 0) + wx
                adjacency[keep][x] = merged
                adjacency[Int(x)][Int32(drop)] = nil
                adjacency[Int(x)][Int32(keep)] = merged
                if merged > 0 { heap.push(merged, Int32(keep), x) }
            }
            adjacency[drop] = [:]
        }
        // Resolve representatives.
        func find(_ x: Int) -> Int32 {
            var r = x
            while Int(parent[r]) != r { r = Int(parent[r]) }
            var y = x
            while Int(parent[y]) != r { let next = Int(parent[y]); parent[y] = Int32(r); y = next }
            return Int32(r)
        }
        return (0..<n).map { find($0) }
    }
}

/// A binary max-heap of edges keyed by cost (ties: smaller endpoints first, for determinism).
struct EdgeHeap {
    private var items: [(Double, Int32, Int32)] = []

    private static func above(_ a: (Double, Int32, Int32), _ b: (Double, Int32, Int32)) -> Bool {
        if a.0 != b.0 { return a.0 > b.0 }
        if a.1 != b.1 { return a.1 < b.1 }
        return a.2 < b.2
    }

    mutating func push(_ w: Double, _ u: Int32, _ v: Int32) {
        items.append((w, Swift.min(u, v), Swift.max(u, v)))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard Self.above(items[i], items[p]) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (Double, Int32, Int32)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, Self.above(items[l], items[m]) { m = l }
                if r < items.count, Self.above(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
