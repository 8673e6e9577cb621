/// A vision model that turns a batch of preprocessed images into embeddings.
public protocol ImageEmbeddingModel: Sendable {
    /// Stable identifier, e.g. "resnet50".
    var name: String { get }
    /// Width of one embedding.
    var embeddingWidth: Int { get }
    /// `N x 3 x H x W` in, `N x embeddingWidth` out.
    func embed(_ images: Tensor, context: ComputeContext) -> Tensor
    /// Class logits (`N x classes`), when the weights include the classifier head.
    func classify(_ images: Tensor, context: ComputeContext) -> Tensor?
}
