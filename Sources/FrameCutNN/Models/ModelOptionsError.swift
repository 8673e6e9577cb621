/// A `ModelOptions` value that does not fit the model it is used with.
public enum ModelOptionsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `name` is not one of the model's embeddings.
    case unknownEmbedding(model: String, name: String, available: [String])

    public var description: String {
        switch self {
        case .unknownEmbedding(let model, let name, let available):
            return "\(model) has no embedding '\(name)'; it has: \(available.joined(separator: ", "))"
        }
    }
}
