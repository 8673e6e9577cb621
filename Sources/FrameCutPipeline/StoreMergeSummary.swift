import Foundation
import FrameCutIO

/// What `framecut merge` wrote.
public struct StoreMergeSummary: Sendable {
    /// Embeddings of one model in the merged store.
    public struct ModelCount: Sendable {
        /// The model key (name, embedding, weights SHA-256).
        public let model: StoredModelKey
        /// Distinct contents with an embedding of this model.
        public let embeddings: Int
    }

    /// The merged store.
    public let output: URL
    /// Shard stores merged (all shares of one split).
    public let shards: Int
    /// Image rows (one per file of the collection).
    public let images: Int
    public let embeddings: [ModelCount]
    /// Embeddings found in more than one shard (the same content at paths of different
    /// shares), bit-identical, stored once.
    public let duplicates: Int
    /// Wall-clock time of the merge.
    public let seconds: Double
}
