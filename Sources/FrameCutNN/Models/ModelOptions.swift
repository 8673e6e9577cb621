/// Options that change what a model returns.
public struct ModelOptions: Sendable, Equatable {
    /// The name of one of the model's `ModelDescriptor.embeddings`; nil for its default.
    public var embedding: String?

    public init(embedding: String? = nil) {
        self.embedding = embedding
    }
}
