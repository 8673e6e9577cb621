/// What can go wrong in FrameCut's core computations. Each case carries the context a user
/// needs to fix the input.
public enum FrameCutError: Error, Equatable, CustomStringConvertible {
    case tooFewNodes(Int)
    case nonFiniteValue(row: Int, column: Int)
    case zeroNormRow(Int)
    case calOutOfRange(Double)
    case shapeMismatch(String)
    case labelCountMismatch(expected: Int, found: Int)
    case nodeOutOfRange(node: Int, nodeCount: Int)
    case memoryLimitExceeded(needed: UInt64, limit: UInt64, what: String)
    case allocationFailed(bytes: UInt64, what: String)
    case invalidArgument(String)
    case cancelled

    public var description: String {
        switch self {
        case .tooFewNodes(let n): return "need at least 2 nodes to cluster, got \(n)"
        case .nonFiniteValue(let row, let column): return "embedding row \(row) has a NaN or infinite value (column \(column))"
        case .zeroNormRow(let row): return "embedding row \(row) is all zeros: its cosine similarity is undefined"
        case .calOutOfRange(let cal): return "cal must lie strictly between 0 and 1, got \(cal)"
        case .shapeMismatch(let why): return why
        case .labelCountMismatch(let expected, let found): return "expected \(expected) labels (one per node), found \(found)"
        case .nodeOutOfRange(let node, let count): return "node id \(node) is out of range for \(count) nodes"
        case .memoryLimitExceeded(let needed, let limit, let what):
            return "\(what) needs \(MemoryBudget.format(needed)), more than the limit of \(MemoryBudget.format(limit)); use fewer images, or raise --max-memory if the machine has the memory"
        case .allocationFailed(let bytes, let what): return "cannot allocate \(MemoryBudget.format(bytes)) for \(what)"
        case .invalidArgument(let why): return why
        case .cancelled: return "cancelled"
        }
    }
}
