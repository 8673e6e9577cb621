/// Errors of the analysis code in FrameCutCore (metrics, similarity distributions, calibration).
/// Every case carries the context a user needs to fix the input.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A labelling, embedding set or value list has no items.
    case empty(what: String)
    /// Two inputs that must describe the same items have different lengths.
    case countMismatch(what: String, expected: Int, actual: Int)
    /// A dense label is outside `0..<clusterCount` (or negative).
    case labelOutOfRange(index: Int, label: Int, clusterCount: Int)
    /// A numeric parameter is outside its valid range.
    case invalidParameter(name: String, value: Double, reason: String)
    /// A value is NaN or infinite.
    case nonFinite(what: String, index: Int)
    /// An embedding row has zero norm, so its cosine similarity is undefined.
    case zeroNormRow(index: Int)
    /// Fewer items than an analysis needs.
    case tooFewItems(what: String, needed: Int, actual: Int)
    /// The ablation's solver reported a failure.
    case solverFailed(cal: Double, reason: String)
    /// The caller's progress callback asked to stop.
    case cancelled

    public var description: String {
        switch self {
        case .empty(let what):
            return "\(what) is empty"
        case .countMismatch(let what, let expected, let actual):
            return "\(what): expected \(expected) items, got \(actual)"
        case .labelOutOfRange(let index, let label, let clusterCount):
            return "label \(label) at item \(index) is outside 0..<\(clusterCount)"
        case .invalidParameter(let name, let value, let reason):
            return "\(name) = \(value): \(reason)"
        case .nonFinite(let what, let index):
            return "\(what): value at index \(index) is NaN or infinite"
        case .zeroNormRow(let index):
            return "embedding row \(index) has zero norm (cosine similarity undefined)"
        case .tooFewItems(let what, let needed, let actual):
            return "\(what) needs at least \(needed) items, got \(actual)"
        case .solverFailed(let cal, let reason):
            return "solving at cal \(cal) failed: \(reason)"
        case .cancelled:
            return "cancelled"
        }
    }
}
