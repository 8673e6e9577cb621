/// A Kernighan-Lin move sequence that the patience stopped before it found anything: its
/// list, gains and moves so far, so that a later stage with a longer patience continues it
/// exactly where it stopped (the same sequence as a new start on the same members would run).
struct DenseSuspendedSequence: Sendable {
    /// The patience that stopped it.
    let patience: Int
    /// The list (moved entries masked with side 0 until squeezed out), in list order.
    let nodes: [Int32]
    let rows: [Int32]
    let sides: [Double]
    let gains: [Double]
    /// The moves made, with the side each left.
    let order: [Int32]
    let orderSides: [Double]
    let mergeGain: Double
    let cumulative: Double
    let bestGain: Double
    let bestLength: Int
    let sinceBest: Int
    let unmoved: Int
    /// Matrix row and side of the last move, whose row the gains do not include yet.
    let pendingRow: Int
    let pendingFrom: Double

    /// List entries held (the measure of the suspended sequences' memory).
    var entryCount: Int { nodes.count + order.count }
}
