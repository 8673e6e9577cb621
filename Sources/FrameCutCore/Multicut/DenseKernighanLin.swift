/// Kernighan-Lin local search for the multicut problem on a dense cost matrix, after
/// Keuper et al. (2015) and the `kernighanLin` of bjoern-andres/graph: for pairs of clusters,
/// and for each cluster against a new empty one, move a sequence of nodes between the two
/// (each node at most once, always the move with the largest gain), keep the best prefix,
/// or join the two clusters when that is better; repeat until no pass improves the energy.
///
/// Gains are read in O(1) from per-cluster cost sums `S[c][v] = sum of w(v, u), u in c`
/// (Float64), updated with one row of the cost matrix per committed move. A move sequence
/// stops after `patience` moves without a new best prefix while that converges; then passes
/// with unlimited sequences run, on pairs of clusters that have an attracting pair between them,
/// until they find nothing either.
public struct DenseKernighanLin: Sendable {
    /// Moves without improvement after which a sequence stops.
    public var patience: Int
    /// Smallest energy decrease that counts as an improvement.
    public var epsilon: Double
    /// Upper bound on outer passes.
    public var maxIterations: Int

    public init(patience: Int = 64, epsilon: Double = 1e-7, maxIterations: Int = 100) {
        self.patience = patience
        self.epsilon = epsilon
        self.maxIterations = maxIterations
    }

    /// Bytes the per-cluster sums need for `clusters` clusters (plus growth room) and `n` nodes.
    public static func estimatedBytes(nodeCount n: Int, clusters: Int) -> UInt64 {
        UInt64(n) * UInt64(Swift.max(clusters, 1) * 2 + 16) * 8
    }

    /// Improves `labels` in place on the original costs in `matrix` (diagonal ignored).
    /// Returns the number of outer passes.
    @discardableResult
    public func run(_ matrix: SymmetricCostMatrix, labels: inout [Int32], threads: Int = 2, shouldCancel: () -> Bool = { false }) throws -> Int {
        var state = KLState(matrix: matrix, labels: labels, threads: threads)
        state.patience = patience
        var passes = 0
        var changed = [Bool](repeating: true, count: state.clusterCount)
        for _ in 0..<maxIterations {
            passes += 1
            var decrease = 0.0
            var nowChanged = [Bool](repeating: false, count: state.clusterCount)
            let clusterCountAtStart = state.clusterCount
            for a in 0..<clusterCountAtStart {
                if shouldCancel() { throw FrameCutError.cancelled }
                for b in (a + 1)..<clusterCountAtStart where changed[a] || changed[b] {
                    if state.members[a].isEmpty { break }
                    if state.members[b].isEmpty { continue }
                    let gain = state.improvePair(a, b, epsilon: epsilon)
                    if gain > 0 {
                        decrease += gain
                        nowChanged[a] = true
                        nowChanged[b] = true
                    }
                }
            }
            for a in 0..<clusterCountAtStart where changed[a] || nowChanged[a] {
                while !state.members[a].isEmpty {
                    let created = state.clusterCount
                    let gain = state.improvePair(a, nil, epsilon: epsilon)
                    guard gain > 0 else { break }
                    decrease += gain
                    nowChanged[a] = true
                    if state.clusterCount > created { nowChanged.append(true) }
                }
            }
            while nowChanged.count < state.clusterCount { nowChanged.append(true) }
            state.compact(changed: &nowChanged)
            changed = nowChanged
            if decrease <= epsilon {
                // Converged with short sequences on all pairs. Long sequences find the moves of
                // large groups whose running gain dips far below zero first; run them to
                // convergence on the pairs where they can pay off (see `hasAttraction`).
                guard !state.longSequences else { break }
                state.longSequences = true
                state.patience = Int.max
                changed = [Bool](repeating: true, count: state.clusterCount)
            }
        }
        labels = state.labels
        return passes
    }
}

/// The working state of Kernighan-Lin: labels, members, and the per-cluster sums.
struct KLState {
    let matrix: SymmetricCostMatrix
    let n: Int
    let threads: Int
    var labels: [Int32]
    var members: [[Int32]]
    /// `sums[c * n + v]` = sum of costs from v to the members of c (v excluded).
    var sums: [Double]
    var clusterCount: Int { members.count }

    // Scratch for one two-set pass.
    var local: [Int32] = []
    var sign: [Double] = []
    var gain: [Double] = []
    var order: [Int32] = []
    var orderSign: [Double] = []
    /// Moves without improvement after which a sequence stops (the current stage's).
    var patience = 64
    /// Second stage: sequences run to the end, on pairs of clusters with some attraction.
    var longSequences = false

    init(matrix: SymmetricCostMatrix, labels: [Int32], threads: Int) {
        self.matrix = matrix
        n = matrix.nodeCount
        self.threads = threads
        var relabel = [Int32: Int32]()
        var compact = [Int32](repeating: 0, count: labels.count)
        var members = [[Int32]]()
        for (v, l) in labels.enumerated() {
            if let c = relabel[l] {
                compact[v] = c
                members[Int(c)].append(Int32(v))
            } else {
                let c = Int32(members.count)
                relabel[l] = c
                compact[v] = c
                members.append([Int32(v)])
            }
        }
        self.labels = compact
        self.members = members
        sums = [Double](repeating: 0, count: members.count * matrix.nodeCount)
        let n = matrix.nodeCount
        let m = SendablePointer(base: matrix.values)
        let clusterCount = members.count
        let memberLists = members
        sums.withUnsafeMutableBufferPointer { s in
            let sp = SendablePointer(base: s.baseAddress!)
            parallelFor(chunks: clusterCount, threads: threads) { c in
                let target = sp.base + c * n
                for v in memberLists[c] {
                    let row = m.base + Int(v) * n
                    for x in 0..<n { target[x] += Double(row[x]) }
                }
                // The diagonal is 0, so each member's own entry is already excluded.
            }
        }
    }

    /// Adds (sign +1) or removes (-1) row `v` to the sums of cluster `c`.
    @inline(__always)
    mutating func addRow(_ v: Int32, to c: Int, sign: Double) {
        let row = matrix.values + Int(v) * n
        let n = self.n
        sums.withUnsafeMutableBufferPointer { s in
            let target = s.baseAddress! + c * n
            for x in 0..<n { target[x] += sign * Double(row[x]) }
        }
    }

    /// Whether some pair across clusters a and b attracts. Without one, moving nodes between
    /// them can never beat moving the same nodes into a new cluster, which the split pass tries.
    func hasAttraction(_ a: Int, _ b: Int) -> Bool {
        let (small, large) = members[a].count <= members[b].count ? (members[a], members[b]) : (members[b], members[a])
        let m = matrix.values
        return large.withUnsafeBufferPointer { others in
            for v in small {
                let row = m + Int(v) * n
                for u in others where row[Int(u)] > 0 { return true }
            }
            return false
        }
    }

    /// One Kernighan-Lin pass between clusters a and b (b nil: a new empty cluster).
    /// Applies the best change found and returns its energy decrease (0 when none).
    mutating func improvePair(_ a: Int, _ b: Int?, epsilon: Double) -> Double {
        if let b, longSequences, !hasAttraction(a, b) { return 0 }
        let n = self.n
        let countA = members[a].count
        let count = countA + (b.map { members[$0].count } ?? 0)
        local.removeAll(keepingCapacity: true)
        local.append(contentsOf: members[a])
        if let b { local.append(contentsOf: members[b]) }
        sign.removeAll(keepingCapacity: true)
        sign.append(contentsOf: repeatElement(1, count: countA))
        sign.append(contentsOf: repeatElement(-1, count: count - countA))
        gain.removeAll(keepingCapacity: true)
        gain.append(contentsOf: repeatElement(0, count: count))
        order.removeAll(keepingCapacity: true)
        orderSign.removeAll(keepingCapacity: true)

        var mergeGain = -Double.infinity
        var cumulative = 0.0
        var bestGain = 0.0
        var bestLength = 0
        let m = matrix.values
        sums.withUnsafeBufferPointer { s in
            local.withUnsafeMutableBufferPointer { nodes in
                sign.withUnsafeMutableBufferPointer { sides in
                    gain.withUnsafeMutableBufferPointer { gains in
                        let sa = s.baseAddress! + a * n
                        let sb: UnsafePointer<Double>? = b.map { s.baseAddress! + $0 * n }
                        var pick = -1
                        var pickGain = -Double.infinity
                        var between = 0.0
                        for i in 0..<count {
                            let v = Int(nodes[i])
                            let toB = sb?[v] ?? 0
                            let g: Double
                            if i < countA {
                                g = toB - sa[v]
                                between += toB
                            } else {
                                g = sa[v] - toB
                            }
                            gains[i] = g
                            if g > pickGain { pickGain = g; pick = i }
                        }
                        if sb != nil { mergeGain = between }
                        var active = count
                        var sinceBest = 0
                        while pick >= 0 {
                            let v = nodes[pick]
                            let from = sides[pick]
                            order.append(v)
                            orderSign.append(from)
                            cumulative += pickGain
                            active -= 1
                            nodes[pick] = nodes[active]
                            sides[pick] = sides[active]
                            gains[pick] = gains[active]
                            if cumulative > bestGain + 1e-12 {
                                bestGain = cumulative
                                bestLength = order.count
                                sinceBest = 0
                            } else {
                                sinceBest += 1
                                if sinceBest >= patience { break }
                            }
                            let row = m + Int(v) * n
                            let twice = 2 * from
                            pick = -1
                            pickGain = -Double.infinity
                            for i in 0..<active {
                                let g = gains[i] + twice * sides[i] * Double(row[Int(nodes[i])])
                                gains[i] = g
                                if g > pickGain { pickGain = g; pick = i }
                            }
                        }
                    }
                }
            }
        }

        if let b, mergeGain > bestGain, mergeGain > epsilon {
            // Join b into a.
            sums.withUnsafeMutableBufferPointer { s in
                let sa = s.baseAddress! + a * n, sb = s.baseAddress! + b * n
                for x in 0..<n {
                    sa[x] += sb[x]
                    sb[x] = 0
                }
            }
            for v in members[b] { labels[Int(v)] = Int32(a) }
            members[a].append(contentsOf: members[b])
            members[b].removeAll()
            return mergeGain
        }
        guard bestGain > epsilon else { return 0 }
        let target: Int
        if let b {
            target = b
        } else {
            target = members.count
            members.append([])
            sums.append(contentsOf: repeatElement(0, count: n))
        }
        for t in 0..<bestLength {
            let v = order[t]
            let (fromCluster, toCluster) = orderSign[t] > 0 ? (a, target) : (target, a)
            addRow(v, to: fromCluster, sign: -1)
            addRow(v, to: toCluster, sign: 1)
            labels[Int(v)] = Int32(toCluster)
        }
        let before = members[a] + members[target]
        members[a] = before.filter { labels[Int($0)] == Int32(a) }
        members[target] = before.filter { labels[Int($0)] == Int32(target) }
        return bestGain
    }

    /// Drops empty clusters, renumbering the rest (and their `changed` flags) in order.
    mutating func compact(changed: inout [Bool]) {
        guard members.contains(where: { $0.isEmpty }) else { return }
        var newMembers = [[Int32]]()
        var newChanged = [Bool]()
        var newSums = [Double]()
        newSums.reserveCapacity(sums.count)
        for c in 0..<members.count where !members[c].isEmpty {
            let id = Int32(newMembers.count)
            for v in members[c] { labels[Int(v)] = id }
            newMembers.append(members[c])
            newChanged.append(changed[c])
            newSums.append(contentsOf: sums[(c * n)..<((c + 1) * n)])
        }
        members = newMembers
        changed = newChanged
        sums = newSums
    }
}
