/// More effort after GAEC+KL: rounds of Kernighan-Lin from perturbed starts, each result fused
/// with the best labelling so far.
///
/// Kernighan-Lin is a local search: it stops where no sequence of single-node moves between
/// two clusters pays. Each round perturbs the best labelling (the first and every other round
/// split random clusters in random halves, the others join random pairs of clusters), runs
/// Kernighan-Lin from there,
/// and fuses the result with the best labelling (a fusion move): the nodes are grouped into the
/// fragments on which both labellings agree, the costs are summed over fragments, and
/// Kernighan-Lin on that small instance, started from either labelling, moves whole fragments.
/// The better of the two is kept, so the energy never rises. With a fixed seed the result does
/// not depend on the thread count.
public struct DenseFusionSearch: Sendable {
    /// Perturbed rounds.
    public var rounds: Int
    /// Seed of the perturbations.
    public var seed: UInt64
    public var kernighanLin: DenseKernighanLin

    public init(rounds: Int, seed: UInt64 = 1, kernighanLin: DenseKernighanLin = DenseKernighanLin()) {
        self.rounds = rounds
        self.seed = seed
        self.kernighanLin = kernighanLin
    }

    /// Improves `labels` (any labelling of the matrix's nodes) in place and returns how many rounds lowered the energy.
    /// - Parameter layout: where each node's row lies in `matrix`, as for `DenseKernighanLin.run`.
    @discardableResult
    public func improve(_ matrix: SymmetricCostMatrix, labels: inout [Int32], layout: [Int32]? = nil, threads: Int = 2,
                        shouldCancel: () -> Bool = { false }) throws -> Int {
        let n = matrix.nodeCount
        guard labels.count == n else { throw FrameCutError.labelCountMismatch(expected: n, found: labels.count) }
        let slots = layout ?? (0..<Int32(n)).map { $0 }
        var nodeAt = [Int32](repeating: 0, count: n)
        for (v, s) in slots.enumerated() { nodeAt[Int(s)] = Int32(v) }
        let energy = { (l: [Int32]) in DenseEnergy.energy(matrix, labels: nodeAt.map { l[Int($0)] }, threads: threads) }
        var best = Partition.canonicalLabels(labels)
        var bestEnergy = energy(best)
        var generator = SeededGenerator(seed: seed)
        var improvements = 0
        for round in 0..<rounds {
            if shouldCancel() { throw FrameCutError.cancelled }
            var candidate = Self.perturb(best, split: round % 2 == 0, generator: &generator)
            try kernighanLin.run(matrix, labels: &candidate, threads: threads, layout: slots, shouldCancel: shouldCancel)
            let fused = try fuse(matrix, nodeAt: nodeAt, best, candidate, threads: threads)
            let fusedEnergy = energy(fused)
            if fusedEnergy < bestEnergy - kernighanLin.epsilon {
                best = Partition.canonicalLabels(fused)
                bestEnergy = fusedEnergy
                improvements += 1
            }
        }
        labels = best
        return improvements
    }

    /// Splits about half the clusters into random halves, or joins about half of them to another random cluster.
    static func perturb(_ labels: [Int32], split: Bool, generator: inout SeededGenerator) -> [Int32] {
        let clusters = Int(labels.max() ?? 0) + 1
        var out = labels
        if split {
            var chosen = [Bool](repeating: false, count: clusters)
            for c in 0..<clusters { chosen[c] = Bool.random(using: &generator) }
            for v in out.indices where chosen[Int(out[v])] && Bool.random(using: &generator) {
                out[v] += Int32(clusters)
            }
        } else if clusters > 1 {
            var target = [Int32](0..<Int32(clusters))
            for c in 0..<clusters where Bool.random(using: &generator) {
                target[c] = Int32(Int.random(in: 0..<clusters, using: &generator))
            }
            for v in out.indices { out[v] = target[Int(out[v])] }
        }
        return out
    }

    /// The fusion of two labellings: the better of Kernighan-Lin on the fragment instance started
    /// from each of them (never worse than the better input).
    func fuse(_ matrix: SymmetricCostMatrix, nodeAt: [Int32], _ first: [Int32], _ second: [Int32], threads: Int) throws -> [Int32] {
        let n = matrix.nodeCount
        var fragmentOf = [Int: Int32]()
        var fragment = [Int32](repeating: 0, count: n)
        var firstOf = [Int32](), secondOf = [Int32]()
        let width = Int(second.max() ?? 0) + 1
        for v in 0..<n {
            let key = Int(first[v]) * width + Int(second[v])
            if let f = fragmentOf[key] {
                fragment[v] = f
            } else {
                let f = Int32(firstOf.count)
                fragmentOf[key] = f
                fragment[v] = f
                firstOf.append(first[v])
                secondOf.append(second[v])
            }
        }
        let f = firstOf.count
        guard f >= 2 else { return first }
        // Summed costs between fragments (Float64, then float32 for the solver).
        var sums = [Double](repeating: 0, count: f * f)
        let fragmentAt = nodeAt.map { Int(fragment[Int($0)]) }
        let m = matrix.values
        sums.withUnsafeMutableBufferPointer { total in
            fragmentAt.withUnsafeBufferPointer { at in
                for s in 0..<n {
                    let row = m + s * n
                    let target = total.baseAddress! + at[s] * f
                    for t in 0..<n { target[at[t]] += Double(row[t]) }
                }
            }
        }
        let reduced = try SymmetricCostMatrix(nodeCount: f)
        for a in 0..<f {
            for b in 0..<f { reduced[a, b] = a == b ? 0 : Float(sums[a * f + b]) }
        }
        var bestLabels = first, bestEnergy = Double.infinity
        for start in [firstOf, secondOf] {
            var l = start
            try kernighanLin.run(reduced, labels: &l, threads: threads)
            let e = DenseEnergy.energy(reduced, labels: l, threads: threads)
            if e < bestEnergy {
                bestEnergy = e
                bestLabels = fragment.map { l[Int($0)] }
            }
        }
        return bestLabels
    }
}
