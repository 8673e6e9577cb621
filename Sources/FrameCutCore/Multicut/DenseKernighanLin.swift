import CFrameCutKernels

/// Kernighan-Lin local search for the multicut problem on a dense cost matrix, after
/// Keuper et al. (2015) and the `kernighanLin` of bjoern-andres/graph: for pairs of clusters,
/// and for each cluster against a new empty one, move a sequence of nodes between the two
/// (each node at most once, always the move with the largest gain), keep the best prefix,
/// or join the two clusters when that is better; repeat until no pass improves the energy.
///
/// Gains are read in O(1) from per-cluster cost sums `S[c][v] = sum of w(v, u), u in c`
/// (Float64), updated with one row of the cost matrix per committed move. A move sequence
/// stops after `patience` moves without a new best prefix while that converges; then after
/// 1024 such moves, on pairs of clusters that have an attracting pair between them, until that
/// converges too; then passes with unlimited sequences run on those pairs until they find
/// nothing either, so the result is a fixed point of the full search. Within a stage, a pair
/// or split pass that found nothing is not run again until one of its clusters changes.
public struct DenseKernighanLin: Sendable {
    /// Moves without improvement after which a sequence stops.
    public var patience: Int
    /// Smallest energy decrease that counts as an improvement.
    public var epsilon: Double
    /// Upper bound on outer passes.
    public var maxIterations: Int
    /// With two threads: pairs of clusters with at least this many nodes run alone, each long
    /// sequence on both threads (`framecut_kl_team`), lists of at least `teamSplit` entries
    /// split between them. Labels do not depend on either (tests lower them).
    var teamPairSize = 2048
    var teamSplit = 1024
    /// Whether passes that found nothing are not run again on the same members (tests turn it
    /// off to compare with the plain search; the labels are the same).
    var skipsFailedPasses = true
    /// Patience of the middle stage, between the short sequences (`patience`) and the unlimited
    /// ones: it finds the improvements of stage two (all with short best prefixes on the
    /// benchmark instances) at a fraction of the cost, so that the unlimited stage mostly
    /// confirms the fixed point. At most `patience` skips the middle stage.
    var middlePatience = 1024
    /// Whether a middle-stage sequence that the patience stopped without finding anything is
    /// kept and continued by the unlimited stage when its clusters have not changed (the same
    /// sequence, so the same labels, without running its first moves twice; tests turn it off).
    var resumesSequences = true

    public init(patience: Int = 64, epsilon: Double = 1e-7, maxIterations: Int = 100) {
        self.patience = patience
        self.epsilon = epsilon
        self.maxIterations = maxIterations
    }

    /// Up to this many clusters, every pair of clusters is visited in each pass.
    static let everyPairLimit = 256

    /// List entries (24 bytes each) per node that suspended middle-stage sequences may hold.
    static let suspendedEntriesPerNode = 64

    /// Bytes the per-cluster sums need for `clusters` clusters (plus growth room) and `n` nodes,
    /// and the suspended sequences.
    public static func estimatedBytes(nodeCount n: Int, clusters: Int) -> UInt64 {
        UInt64(n) * UInt64(Swift.max(clusters, 1) * 2 + 16) * 8 + UInt64(n) * UInt64(suspendedEntriesPerNode * 24)
    }

    /// Improves `labels` in place on the original costs in `matrix` (diagonal ignored).
    /// Returns the number of outer passes.
    ///
    /// Each pass visits its pairs of clusters in rounds of disjoint pairs (greedily, in order),
    /// run on up to `threads` threads. Passes on disjoint pairs touch disjoint state and
    /// commute, so the result does not depend on the number of threads.
    ///
    /// - Parameter layout: where each node's row and column lie in `matrix` (`layout[v]`; nil: node v
    ///   at row v). Node order, and so every tie and every result, follows the node ids; the layout
    ///   only decides where costs are read, so any layout gives the same labels. Solvers store
    ///   the matrix in cluster order (`SymmetricCostMatrix.permute`), which keeps the costs a
    ///   pass reads close together.
    @discardableResult
    public func run(_ matrix: SymmetricCostMatrix, labels: inout [Int32], threads: Int = 2, layout: [Int32]? = nil,
                    shouldCancel: () -> Bool = { false }) throws -> Int {
        try search(matrix, labels: &labels, threads: threads, layout: layout, shouldCancel: shouldCancel).passes
    }

    /// `run`, returning also how many pair and split passes were skipped because they had found
    /// nothing on the same members, and how many continued a suspended sequence.
    func search(_ matrix: SymmetricCostMatrix, labels: inout [Int32], threads: Int = 2, layout: [Int32]? = nil,
                shouldCancel: () -> Bool = { false }) throws -> (passes: Int, skipped: Int, resumed: Int) {
        let n = matrix.nodeCount
        guard labels.count == n else { throw FrameCutError.labelCountMismatch(expected: n, found: labels.count) }
        let slots = layout ?? (0..<Int32(n)).map { $0 }
        guard slots.count == n else { throw FrameCutError.shapeMismatch("layout has \(slots.count) entries, the matrix \(n) rows") }
        var seen = [Bool](repeating: false, count: n)
        for s in slots {
            guard s >= 0, Int(s) < n, !seen[Int(s)] else { throw FrameCutError.invalidArgument("the layout is not a permutation of 0..<\(n)") }
            seen[Int(s)] = true
        }
        var state = KLState(matrix: matrix, labels: labels, threads: threads, slots: slots)
        state.patience = patience
        state.teamPairSize = teamPairSize
        state.teamSplit = teamSplit
        state.skipsFailedPasses = skipsFailedPasses
        state.resumesSequences = resumesSequences
        var passes = 0
        var changed = [Bool](repeating: true, count: state.clusterCount)
        for _ in 0..<maxIterations {
            passes += 1
            var decrease = 0.0
            var nowChanged = [Bool](repeating: false, count: state.clusterCount)
            let clusterCountAtStart = state.clusterCount
            // With few clusters every pair is visited (in stage two only those that pass
            // `hasAttraction` when their turn comes); with many, only the pairs joined by an
            // attracting edge at the start of the pass: the others cannot beat a split, and
            // there are K^2 of them.
            var pairs = [(Int, Int)]()
            if clusterCountAtStart <= DenseKernighanLin.everyPairLimit {
                for a in 0..<clusterCountAtStart {
                    for b in (a + 1)..<clusterCountAtStart where changed[a] || changed[b] { pairs.append((a, b)) }
                }
            } else {
                pairs = state.attractingPairs().filter { changed[$0.0] || changed[$0.1] }
            }
            for round in KLState.rounds(of: pairs, clusterCount: clusterCountAtStart) {
                if shouldCancel() { throw FrameCutError.cancelled }
                for (a, b, gain) in state.improvePairs(round, epsilon: epsilon) where gain > 0 {
                    decrease += gain
                    nowChanged[a] = true
                    nowChanged[b] = true
                }
            }
            for a in 0..<clusterCountAtStart where changed[a] || nowChanged[a] {
                while !state.members[a].isEmpty {
                    let created = state.clusterCount
                    let gain = state.splitPass(a, epsilon: epsilon)
                    guard gain > 0 else { break }
                    decrease += gain
                    nowChanged[a] = true
                    if state.clusterCount > created { nowChanged.append(true) }
                }
            }
            while nowChanged.count < state.clusterCount { nowChanged.append(true) }
            state.compact(changed: &nowChanged)
            state.dropStaleSuspended()
            changed = nowChanged
            if decrease <= epsilon {
                // Converged with short sequences. Long sequences find the moves of large groups
                // whose running gain dips far below zero first; run them to convergence on the
                // pairs where they can pay off (see `hasAttraction`).
                guard state.patience < Int.max else { break }
                state.longSequences = true
                state.patience = state.patience < middlePatience ? middlePatience : Int.max
                state.forgetAttempts()
                changed = [Bool](repeating: true, count: state.clusterCount)
            }
        }
        labels = state.labels
        return (passes, state.skippedPasses, state.resumedPasses)
    }
}

/// Scratch arrays of one two-set pass (one per worker thread).
final class PairScratch: @unchecked Sendable {
    var local: [Int32] = []
    var sign: [Double] = []
    var gain: [Double] = []
    var order: [Int32] = []
    var orderSign: [Double] = []
    /// Matrix row of each entry of `local`.
    var slots: [Int32] = []
}

/// What a pair pass reads and writes, as raw pointers. Passes on disjoint clusters write
/// disjoint rows of `sums` and disjoint entries of `labels`.
struct PairPassContext: @unchecked Sendable {
    let matrix: UnsafeMutablePointer<Float>
    let n: Int
    /// `sums[c * n + s]`: indexed by matrix row `s`.
    let sums: UnsafeMutablePointer<Double>
    let labels: UnsafeMutablePointer<Int32>
    /// Matrix row of each node.
    let slots: UnsafePointer<Int32>
    let patience: Int
    let longSequences: Bool
    let epsilon: Double
    /// Whether a long sequence may take a second thread (`framecut_kl_team`): only when the
    /// pass runs alone.
    var team = false
    /// Gain lists of at least this many entries are split between the two threads.
    var teamSplit = 1024

    /// Adds (sign +1) or removes (-1) row `v` to the sums of cluster `c`.
    @inline(__always)
    func addRow(_ v: Int32, to c: Int, sign: Double) {
        let row = matrix + Int(slots[Int(v)]) * n
        let target = sums + c * n
        for x in 0..<n { target[x] += sign * Double(row[x]) }
    }
}

/// The working state of Kernighan-Lin: labels, members, and the per-cluster sums.
struct KLState {
    let matrix: SymmetricCostMatrix
    let n: Int
    let threads: Int
    var labels: [Int32]
    var members: [[Int32]]
    /// `sums[c * n + slots[v]]` = sum of costs from v to the members of c (v excluded).
    var sums: [Double]
    /// Matrix row (and column) of each node.
    let slots: [Int32]
    /// Node of each matrix row (the inverse of `slots`).
    let nodeAt: [Int32]
    var clusterCount: Int { members.count }
    /// Moves without improvement after which a sequence stops (the current stage's).
    var patience = 64
    /// Second stage: sequences run to the end, on pairs of clusters with some attraction.
    var longSequences = false
    let scratch: [PairScratch]
    /// Pairs of clusters with at least this many nodes run alone, their sequences on two threads.
    var teamPairSize = 2048
    /// Gain lists of at least this many entries are split between the two threads.
    var teamSplit = 1024
    /// A sequence takes its second thread after this many moves (short ones are not worth a thread).
    static let teamAfterMoves = 32
    /// A version of each cluster: a new number whenever its members change (a pass's outcome
    /// depends only on the members of its clusters, and their sums only on the members).
    var version: [Int]
    var nextVersion: Int
    /// Pair passes (versions of both clusters, lower index first) and split passes (version)
    /// that found nothing: run again on the same members they would find nothing again, so they
    /// are skipped (same labels, less work). The value says whether the sequence ran to its end
    /// (not stopped by the patience): such a failure holds in the later stages too (a longer
    /// patience runs the same sequence), the others are forgotten when the stage changes.
    var failedPairs = [PairKey: Bool]()
    var failedSplits = [Int: Bool]()
    /// Pair and split passes skipped because they had found nothing on the same members.
    var skippedPasses = 0
    var skipsFailedPasses = true
    /// Middle-stage sequences that the patience stopped without finding anything, by pair
    /// (versions) or split (version, `high` -1): continued, not restarted, by a later stage
    /// with a longer patience while their clusters keep their members.
    var suspended = [PairKey: DenseSuspendedSequence]()
    var resumesSequences = true
    /// Passes that continued a suspended sequence.
    var resumedPasses = 0
    /// List entries the suspended sequences hold together (at most `suspendedLimit`).
    var suspendedEntries = 0
    var suspendedLimit: Int { DenseKernighanLin.suspendedEntriesPerNode * n }

    struct PairKey: Hashable {
        let low: Int
        let high: Int
    }

    /// Gives cluster `c` a new version (its members changed).
    mutating func touch(_ c: Int) {
        version[c] = nextVersion
        nextVersion += 1
    }

    /// Keeps a suspended sequence for a later stage when it is worth it and fits the limit.
    mutating func keep(_ sequence: DenseSuspendedSequence?, for key: PairKey) {
        guard resumesSequences, let sequence, patience < Int.max,
              suspendedEntries + sequence.entryCount <= suspendedLimit else { return }
        if let old = suspended[key] { suspendedEntries -= old.entryCount }
        suspended[key] = sequence
        suspendedEntries += sequence.entryCount
    }

    /// Takes the suspended sequence of `key` if the current stage runs it further.
    mutating func takeSuspended(_ key: PairKey) -> DenseSuspendedSequence? {
        guard let sequence = suspended[key], sequence.patience < patience else { return nil }
        suspended[key] = nil
        suspendedEntries -= sequence.entryCount
        resumedPasses += 1
        return sequence
    }

    /// Drops the suspended sequences of clusters whose members changed.
    mutating func dropStaleSuspended() {
        guard !suspended.isEmpty else { return }
        let current = Set(version)
        for (key, sequence) in suspended where !current.contains(key.low) || (key.high >= 0 && !current.contains(key.high)) {
            suspended[key] = nil
            suspendedEntries -= sequence.entryCount
        }
    }

    /// Forgets the failed attempts whose sequences the patience stopped (the next stage's run
    /// further).
    mutating func forgetAttempts() {
        failedPairs = failedPairs.filter { $0.value }
        failedSplits = failedSplits.filter { $0.value }
    }

    init(matrix: SymmetricCostMatrix, labels: [Int32], threads: Int, slots: [Int32]) {
        self.matrix = matrix
        n = matrix.nodeCount
        self.threads = threads
        self.slots = slots
        var nodeAt = [Int32](repeating: 0, count: slots.count)
        for (v, s) in slots.enumerated() { nodeAt[Int(s)] = Int32(v) }
        self.nodeAt = nodeAt
        scratch = (0..<Swift.max(1, threads)).map { _ in PairScratch() }
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
        version = Array(0..<members.count)
        nextVersion = members.count
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
                    let row = m.base + Int(slots[Int(v)]) * n
                    for x in 0..<n { target[x] += Double(row[x]) }
                }
                // The diagonal is 0, so each member's own entry is already excluded.
            }
        }
    }

    /// Whether some pair across two member lists attracts. Without one, moving nodes between
    /// the clusters can never beat moving the same nodes into a new cluster, which the split pass tries.
    static func hasAttraction(_ x: [Int32], _ y: [Int32], matrix m: UnsafeMutablePointer<Float>, n: Int, slots: UnsafePointer<Int32>) -> Bool {
        let (small, large) = x.count <= y.count ? (x, y) : (y, x)
        return large.withUnsafeBufferPointer { others in
            for v in small {
                let row = m + Int(slots[Int(v)]) * n
                for u in others where row[Int(slots[Int(u)])] > 0 { return true }
            }
            return false
        }
    }

    /// Splits `pairs` into rounds of pairwise disjoint pairs, greedily in order.
    static func rounds(of pairs: [(Int, Int)], clusterCount: Int) -> [[(Int, Int)]] {
        var rounds = [[(Int, Int)]]()
        var remaining = pairs
        var usedIn = [Int](repeating: -1, count: clusterCount)
        while !remaining.isEmpty {
            let r = rounds.count
            var round = [(Int, Int)]()
            var rest = [(Int, Int)]()
            for (a, b) in remaining {
                if usedIn[a] != r, usedIn[b] != r {
                    usedIn[a] = r
                    usedIn[b] = r
                    round.append((a, b))
                } else {
                    rest.append((a, b))
                }
            }
            rounds.append(round)
            remaining = rest
        }
        return rounds
    }

    /// Runs one pass on each pair of a round (pairwise disjoint), in parallel; returns each
    /// pair with the decrease it applied.
    mutating func improvePairs(_ round: [(Int, Int)], epsilon: Double) -> [(Int, Int, Double)] {
        let snapshot = members
        // Pairs that found nothing on these members before are skipped (their outcome would be
        // `.unchanged` again); the rounds stay those of the whole list, so the order is the same.
        let keys = round.map { PairKey(low: version[$0.0], high: version[$0.1]) }
        let known = round.indices.map { skipsFailedPasses && failedPairs[keys[$0]] != nil }
        skippedPasses += known.filter { $0 }.count
        // With two threads, the pairs of at least `teamPairSize` nodes run first, one at a time,
        // each sequence on both threads; then the others, spread over the threads. The pairs of a
        // round are disjoint, so the order does not change the result.
        let open = round.indices.filter { !known[$0] }
        let large = threads >= 2 ? open.filter { snapshot[round[$0].0].count + snapshot[round[$0].1].count >= teamPairSize } : []
        let small = large.isEmpty ? open : open.filter { snapshot[round[$0].0].count + snapshot[round[$0].1].count < teamPairSize }
        let workers = Swift.min(scratch.count, small.count)
        var outcomes = [PairOutcome](repeating: .unchanged(complete: false, suspended: nil), count: round.count)
        var resumes = [DenseSuspendedSequence?](repeating: nil, count: round.count)
        for k in open { resumes[k] = takeSuspended(keys[k]) }
        let n = self.n, patience = self.patience, longSequences = self.longSequences
        let matrix = self.matrix.values, scratch = self.scratch
        let teamSplit = self.teamSplit
        sums.withUnsafeMutableBufferPointer { s in
            labels.withUnsafeMutableBufferPointer { l in
                outcomes.withUnsafeMutableBufferPointer { o in
                  slots.withUnsafeBufferPointer { slotBuffer in
                    var context = PairPassContext(matrix: matrix, n: n, sums: s.baseAddress!, labels: l.baseAddress!,
                                                  slots: slotBuffer.baseAddress!,
                                                  patience: patience, longSequences: longSequences, epsilon: epsilon)
                    let out = SendablePointer(base: o.baseAddress!)
                    if !large.isEmpty {
                        var teamContext = context
                        teamContext.team = true
                        teamContext.teamSplit = teamSplit
                        for k in large {
                            let (a, b) = round[k]
                            if snapshot[a].isEmpty || snapshot[b].isEmpty { continue }
                            out.base[k] = KLState.pairPass(teamContext, a: a, b: b, membersA: snapshot[a], membersB: snapshot[b],
                                                           newCluster: false, resume: resumes[k], scratch: scratch[0])
                        }
                    }
                    context.team = false
                    let shared = context
                    let resumed = resumes
                    parallelFor(chunks: workers, threads: workers) { w in
                        var t = w
                        while t < small.count {
                            let k = small[t]
                            let (a, b) = round[k]
                            if !snapshot[a].isEmpty, !snapshot[b].isEmpty {
                                out.base[k] = KLState.pairPass(shared, a: a, b: b, membersA: snapshot[a], membersB: snapshot[b],
                                                               newCluster: false, resume: resumed[k], scratch: scratch[w])
                            }
                            t += workers
                        }
                    }
                  }
                }
            }
        }
        var applied = [(Int, Int, Double)]()
        for (k, outcome) in outcomes.enumerated() {
            if case .changed(let decrease, let newA, let newB) = outcome {
                let (a, b) = round[k]
                members[a] = newA
                members[b] = newB
                touch(a)
                touch(b)
                applied.append((a, b, decrease))
            } else if case .unchanged(let complete, let sequence) = outcome, !known[k], !snapshot[round[k].0].isEmpty, !snapshot[round[k].1].isEmpty {
                failedPairs[keys[k]] = complete
                keep(sequence, for: keys[k])
            }
        }
        return applied
    }

    /// One pass of cluster a against a new empty cluster; returns the decrease applied.
    mutating func splitPass(_ a: Int, epsilon: Double) -> Double {
        if skipsFailedPasses, failedSplits[version[a]] != nil {
            skippedPasses += 1
            return 0
        }
        let target = members.count
        members.append([])
        sums.append(contentsOf: repeatElement(0, count: n))
        let membersA = members[a]
        let n = self.n, patience = self.patience, longSequences = self.longSequences, matrix = self.matrix.values
        let teamSplit = self.teamSplit, threads = self.threads
        let key = PairKey(low: version[a], high: -1)
        let resume = takeSuspended(key)
        let outcome = sums.withUnsafeMutableBufferPointer { s in
            labels.withUnsafeMutableBufferPointer { l in
                slots.withUnsafeBufferPointer { slotBuffer in
                    var context = PairPassContext(matrix: matrix, n: n, sums: s.baseAddress!, labels: l.baseAddress!,
                                                  slots: slotBuffer.baseAddress!,
                                                  patience: patience, longSequences: longSequences, epsilon: epsilon)
                    context.team = threads >= 2
                    context.teamSplit = teamSplit
                    return KLState.pairPass(context, a: a, b: target, membersA: membersA, membersB: [], newCluster: true,
                                            resume: resume, scratch: scratch[0])
                }
            }
        }
        guard case .changed(let decrease, let newA, let newB) = outcome else {
            members.removeLast()
            sums.removeLast(n)
            if case .unchanged(let complete, let sequence) = outcome {
                failedSplits[version[a]] = complete
                keep(sequence, for: key)
            }
            return 0
        }
        members[a] = newA
        members[target] = newB
        touch(a)
        version.append(nextVersion)
        nextVersion += 1
        return decrease
    }

    /// The pairs of clusters `(a, b)`, `a < b`, with at least one attracting edge between them,
    /// in increasing order: one scan of the upper triangle.
    func attractingPairs() -> [(Int, Int)] {
        let k = clusterCount
        var keys = Set<Int>()
        let m = matrix.values
        // Labels by matrix row; the set of pairs found does not depend on the layout.
        let rowLabels = nodeAt.map { labels[Int($0)] }
        rowLabels.withUnsafeBufferPointer { label in
            for i in 0..<n {
                let row = m + i * n
                let li = Int(label[i])
                var j = i + 1
                while j < n {
                    if row[j] > 0 {
                        let lj = Int(label[j])
                        if lj != li { keys.insert(Swift.min(li, lj) * k + Swift.max(li, lj)) }
                    }
                    j += 1
                }
            }
        }
        return keys.sorted().map { ($0 / k, $0 % k) }
    }

    /// The outcome of a pair pass: unchanged (and whether its sequence ran to the end, or
    /// the clusters do not attract), or the decrease and both clusters' new members.
    enum PairOutcome {
        /// `suspended`: a sequence that the patience stopped, to be continued by a later stage.
        case unchanged(complete: Bool, suspended: DenseSuspendedSequence?)
        case changed(decrease: Double, membersA: [Int32], membersB: [Int32])
    }

    /// One Kernighan-Lin pass between clusters a and b (with `newCluster`, b is a new empty
    /// cluster whose sums row is zero). Applies the best change found to the sums and labels
    /// and returns both clusters' new members.
    ///
    /// The pass keeps its nodes in increasing order, so that reading a moved node's costs to
    /// them walks its matrix row forwards (the hardware prefetches it); moved nodes are masked
    /// and squeezed out once they are half of the list.
    static func pairPass(_ context: PairPassContext, a: Int, b: Int, membersA: [Int32], membersB: [Int32],
                         newCluster: Bool, resume: DenseSuspendedSequence? = nil, scratch: PairScratch) -> PairOutcome {
        let n = context.n
        if resume == nil, !newCluster, context.longSequences,
           !hasAttraction(membersA, membersB, matrix: context.matrix, n: n, slots: context.slots) {
            return .unchanged(complete: true, suspended: nil)
        }
        scratch.local.removeAll(keepingCapacity: true)
        scratch.sign.removeAll(keepingCapacity: true)
        scratch.slots.removeAll(keepingCapacity: true)
        scratch.gain.removeAll(keepingCapacity: true)
        scratch.order.removeAll(keepingCapacity: true)
        scratch.orderSign.removeAll(keepingCapacity: true)
        var mergeGain = -Double.infinity
        var cumulative = 0.0
        var bestGain = 0.0
        var bestLength = 0
        var sinceBest = 0
        var unmoved = 0
        // The move whose row is still to be added to the gains (-1: none; a new sequence
        // starts with a pick instead).
        var pendingRow = -1
        var pendingFrom = 0.0
        if let resume {
            // Continue a sequence that an earlier stage stopped: the same list, gains and moves.
            scratch.local.append(contentsOf: resume.nodes)
            scratch.slots.append(contentsOf: resume.rows)
            scratch.sign.append(contentsOf: resume.sides)
            scratch.gain.append(contentsOf: resume.gains)
            scratch.order.append(contentsOf: resume.order)
            scratch.orderSign.append(contentsOf: resume.orderSides)
            mergeGain = resume.mergeGain
            cumulative = resume.cumulative
            bestGain = resume.bestGain
            bestLength = resume.bestLength
            sinceBest = resume.sinceBest
            unmoved = resume.unmoved
            pendingRow = resume.pendingRow
            pendingFrom = resume.pendingFrom
        } else {
            // Members are kept sorted; merge them into one sorted list with +1 for a, -1 for b.
            var ia = 0, ib = 0
            while ia < membersA.count || ib < membersB.count {
                if ib == membersB.count || (ia < membersA.count && membersA[ia] < membersB[ib]) {
                    scratch.local.append(membersA[ia]); scratch.sign.append(1); ia += 1
                } else {
                    scratch.local.append(membersB[ib]); scratch.sign.append(-1); ib += 1
                }
                scratch.slots.append(context.slots[Int(scratch.local[scratch.local.count - 1])])
            }
            scratch.gain.append(contentsOf: repeatElement(0, count: scratch.local.count))
            unmoved = scratch.local.count
        }
        var live = scratch.local.count  // entries in the list (moved ones included until squeezed out)
        var truncated = false
        let m = context.matrix
        let patience = context.patience
        let sa = context.sums + a * n
        let sb = context.sums + b * n
        scratch.local.withUnsafeMutableBufferPointer { nodes in
          scratch.slots.withUnsafeMutableBufferPointer { rows in
            scratch.sign.withUnsafeMutableBufferPointer { sides in
                scratch.gain.withUnsafeMutableBufferPointer { gains in
                    var pick = -1
                    var pickGain = -Double.infinity
                    if resume == nil {
                        var between = 0.0
                        for i in 0..<live {
                            let v = Int(rows[i])
                            let toB = sb[v]
                            if sides[i] > 0 {
                                gains[i] = toB - sa[v]
                                between += toB
                            } else {
                                gains[i] = sa[v] - toB
                            }
                        }
                        if !newCluster { mergeGain = between }
                        (pick, pickGain) = KLState.largest(gains.baseAddress!, live)
                    }
                    var team: OpaquePointer? = nil
                    defer { framecut_kl_team_stop(team) }
                    while true {
                        if pendingRow >= 0 {
                            if unmoved * 2 < live {
                                live = KLState.squeeze(nodes.baseAddress!, rows.baseAddress!, sides.baseAddress!, gains.baseAddress!, live)
                            }
                            if team == nil, context.team, scratch.order.count >= KLState.teamAfterMoves,
                               live >= 2 * context.teamSplit {
                                team = framecut_kl_team_start()
                            }
                            var best = -Double.infinity
                            pick = framecut_kl_team_update_gains(team, gains.baseAddress!, sides.baseAddress!, rows.baseAddress!,
                                                                 m + pendingRow * n, 2 * pendingFrom, live, context.teamSplit, &best)
                            pickGain = best
                            pendingRow = -1
                        }
                        guard pick >= 0, unmoved > 0 else { break }
                        let v = nodes[pick]
                        let from = sides[pick]
                        pendingRow = Int(rows[pick])
                        pendingFrom = from
                        scratch.order.append(v)
                        scratch.orderSign.append(from)
                        cumulative += pickGain
                        // Mask the moved node: side 0 keeps its gain at -infinity.
                        sides[pick] = 0
                        gains[pick] = -.infinity
                        unmoved -= 1
                        if cumulative > bestGain + 1e-12 {
                            bestGain = cumulative
                            bestLength = scratch.order.count
                            sinceBest = 0
                        } else {
                            sinceBest += 1
                            if sinceBest >= patience {
                                truncated = unmoved > 0
                                break
                            }
                        }
                        if unmoved == 0 { break }
                    }
                }
            }
          }
        }
        if !newCluster, mergeGain > bestGain, mergeGain > context.epsilon {
            // Join b into a.
            for x in 0..<n {
                sa[x] += sb[x]
                sb[x] = 0
            }
            for v in membersB { context.labels[Int(v)] = Int32(a) }
            return .changed(decrease: mergeGain, membersA: mergeSorted(membersA, membersB), membersB: [])
        }
        guard bestGain > context.epsilon else {
            // A long sequence that the patience stopped: kept, so that a stage with a longer
            // patience continues it instead of running its first moves again.
            let suspended = truncated && context.longSequences
                ? DenseSuspendedSequence(patience: patience, nodes: Array(scratch.local[0..<live]), rows: Array(scratch.slots[0..<live]),
                                    sides: Array(scratch.sign[0..<live]), gains: Array(scratch.gain[0..<live]),
                                    order: scratch.order, orderSides: scratch.orderSign, mergeGain: mergeGain,
                                    cumulative: cumulative, bestGain: bestGain, bestLength: bestLength, sinceBest: sinceBest,
                                    unmoved: unmoved, pendingRow: pendingRow, pendingFrom: pendingFrom)
                : nil
            return .unchanged(complete: !truncated, suspended: suspended)
        }
        for t in 0..<bestLength {
            let v = scratch.order[t]
            let (fromCluster, toCluster) = scratch.orderSign[t] > 0 ? (a, b) : (b, a)
            context.addRow(v, to: fromCluster, sign: -1)
            context.addRow(v, to: toCluster, sign: 1)
            context.labels[Int(v)] = Int32(toCluster)
        }
        let union = mergeSorted(membersA, membersB)
        return .changed(decrease: bestGain, membersA: union.filter { context.labels[Int($0)] == Int32(a) },
                        membersB: union.filter { context.labels[Int($0)] == Int32(b) })
    }

    /// Adds `twice * side * w(v, node)` to every gain (row = v's costs, `nodes` = matrix columns)
    /// and returns the largest gain and its first position.
    /// One C kernel for the CPU found at run time (`CFrameCutKernels`), bit for bit the same on all.
    @inline(__always)
    static func updateGains(_ gains: UnsafeMutablePointer<Double>, _ sides: UnsafeMutablePointer<Double>,
                            _ nodes: UnsafeMutablePointer<Int32>, _ row: UnsafeMutablePointer<Float>,
                            _ twice: Double, _ count: Int) -> (Int, Double) {
        var best = -Double.infinity
        let position = framecut_kl_update_gains(gains, sides, nodes, row, twice, count, &best)
        return (position, best)
    }

    /// The largest value and its first position (-1 when all are -infinity).
    @inline(__always)
    static func largest(_ values: UnsafeMutablePointer<Double>, _ count: Int) -> (Int, Double) {
        var m0 = -Double.infinity, m1 = -Double.infinity, m2 = -Double.infinity, m3 = -Double.infinity
        var i = 0
        while i + 4 <= count {
            m0 = Swift.max(m0, values[i])
            m1 = Swift.max(m1, values[i + 1])
            m2 = Swift.max(m2, values[i + 2])
            m3 = Swift.max(m3, values[i + 3])
            i += 4
        }
        while i < count {
            m0 = Swift.max(m0, values[i])
            i += 1
        }
        let best = Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
        guard best > -.infinity else { return (-1, best) }
        for k in 0..<count where values[k] == best { return (k, best) }
        return (-1, best)
    }

    /// Removes masked (moved) entries, keeping the order; returns the new length.
    static func squeeze(_ nodes: UnsafeMutablePointer<Int32>, _ rows: UnsafeMutablePointer<Int32>, _ sides: UnsafeMutablePointer<Double>,
                        _ gains: UnsafeMutablePointer<Double>, _ count: Int) -> Int {
        var kept = 0
        for i in 0..<count where sides[i] != 0 {
            nodes[kept] = nodes[i]
            rows[kept] = rows[i]
            sides[kept] = sides[i]
            gains[kept] = gains[i]
            kept += 1
        }
        return kept
    }

    /// The union of two increasing lists, increasing.
    static func mergeSorted(_ x: [Int32], _ y: [Int32]) -> [Int32] {
        var out = [Int32]()
        out.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if j == y.count || (i < x.count && x[i] < y[j]) { out.append(x[i]); i += 1 } else { out.append(y[j]); j += 1 }
        }
        return out
    }

    /// Drops empty clusters, renumbering the rest (and their `changed` flags) in order.
    mutating func compact(changed: inout [Bool]) {
        guard members.contains(where: { $0.isEmpty }) else { return }
        var newMembers = [[Int32]]()
        var newChanged = [Bool]()
        var newVersion = [Int]()
        var newSums = [Double]()
        newSums.reserveCapacity(sums.count)
        for c in 0..<members.count where !members[c].isEmpty {
            let id = Int32(newMembers.count)
            for v in members[c] { labels[Int(v)] = id }
            newMembers.append(members[c])
            newChanged.append(changed[c])
            newVersion.append(version[c])
            newSums.append(contentsOf: sums[(c * n)..<((c + 1) * n)])
        }
        members = newMembers
        version = newVersion
        changed = newChanged
        sums = newSums
    }
}
