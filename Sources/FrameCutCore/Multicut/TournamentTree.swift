/// A complete binary tree over `count` keyed leaves whose root names the leaf with the largest
/// key (ties go to the lower index). Updating one key costs O(log n); reading the top O(1).
struct TournamentTree {
    private var winners: [Int32]
    private let leafBase: Int
    let keys: UnsafeMutablePointer<Float>

    /// `keys` must stay valid and hold `count` values; the tree reads them, the caller writes them.
    init(keys: UnsafeMutablePointer<Float>, count: Int) {
        var base = 1
        while base < count { base <<= 1 }
        leafBase = base
        self.keys = keys
        winners = [Int32](repeating: -1, count: 2 * base)
        for i in 0..<count { winners[base + i] = Int32(i) }
        if base > 1 {
            for node in stride(from: base - 1, through: 1, by: -1) { winners[node] = better(winners[2 * node], winners[2 * node + 1]) }
        } else {
            winners[0] = winners[1]
        }
    }

    @inline(__always)
    private func better(_ a: Int32, _ b: Int32) -> Int32 {
        if a < 0 { return b }
        if b < 0 { return a }
        let ka = keys[Int(a)], kb = keys[Int(b)]
        if ka > kb { return a }
        if kb > ka { return b }
        return a < b ? a : b
    }

    /// The leaf with the largest key.
    var top: Int { Int(leafBase > 1 ? winners[1] : winners[leafBase]) }

    /// Call after changing `keys[i]`.
    @inline(__always)
    mutating func update(_ i: Int) {
        var node = (leafBase + i) >> 1
        while node >= 1 {
            let w = better(winners[2 * node], winners[2 * node + 1])
            winners[node] = w
            node >>= 1
        }
    }
}
