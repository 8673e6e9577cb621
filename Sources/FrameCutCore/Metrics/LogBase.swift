/// The base of the logarithm in entropies and the variation of information.
public enum LogBase: String, Sendable, CaseIterable, Codable {
    /// Natural logarithm (nats); the default, as in the paper and scikit-learn.
    case natural
    /// Base 2 (bits).
    case bits

    /// Converts a value in nats to this base.
    @inlinable public func fromNats(_ nats: Double) -> Double {
        switch self {
        case .natural: return nats
        case .bits: return nats / 0.6931471805599453 // ln 2
        }
    }
}
