extension Embeddings {
    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) throws -> Embeddings {
        var out = [Float]()
        out.reserveCapacity(indices.count * dimension)
        for i in indices {
            guard i >= 0 && i < count else { throw FrameCutError.nodeOutOfRange(node: i, nodeCount: count) }
            out.append(contentsOf: values[(i * dimension)..<((i + 1) * dimension)])
        }
        return try Embeddings(count: indices.count, dimension: dimension, values: out)
    }
}
