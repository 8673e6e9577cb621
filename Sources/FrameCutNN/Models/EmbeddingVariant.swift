/// One embedding a model can return, e.g. VGG19-BN's 4096-d fc7 feature or its 25088-d pooled
/// features; chosen with `ModelOptions.embedding` (`framecut embed --embedding NAME`).
public struct EmbeddingVariant: Sendable, Equatable {
    /// The name used on the command line and in outputs.
    public let name: String
    public let width: Int
    /// What the embedding is, in a few words.
    public let summary: String

    public init(name: String, width: Int, summary: String) {
        self.name = name
        self.width = width
        self.summary = summary
    }
}
