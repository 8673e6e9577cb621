import Foundation

/// Generated embedding sets with real cluster structure, for the demo and the benchmarks:
/// classes of unequal sizes around random centres, so that neighbouring classes overlap.
public enum SyntheticEmbeddings {
    /// `count` rows of `dimension` values in `classes` classes. Class sizes follow a skewed
    /// distribution (the largest about ten times the smallest); `spread` is the noise relative
    /// to the distance between centres. Returns the embeddings and each row's class.
    public static func clustered(count: Int, dimension: Int, classes: Int, spread: Double = 0.35, seed: UInt64) throws -> (embeddings: Embeddings, classes: [Int32]) {
        var random = SeededGenerator(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        func gaussian() -> Double {
            let u = Swift.max(uniform(), 1e-300), v = uniform()
            return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
        }
        let scale = 1 / Double(dimension).squareRoot()
        var centres = [Double](repeating: 0, count: classes * dimension)
        for i in 0..<centres.count { centres[i] = gaussian() * scale }
        // Pull consecutive centres together so that neighbouring classes overlap.
        for c in 1..<Swift.max(1, classes) {
            for d in 0..<dimension { centres[c * dimension + d] = 0.6 * centres[c * dimension + d] + 0.4 * centres[(c - 1) * dimension + d] }
        }
        var values = [Float](repeating: 0, count: count * dimension)
        var labels = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let u = uniform()
            let c = Swift.min(classes - 1, Int(Double(classes) * u * u))
            labels[i] = Int32(c)
            for d in 0..<dimension {
                values[i * dimension + d] = Float(centres[c * dimension + d] + spread * scale * gaussian())
            }
        }
        return (try Embeddings(count: count, dimension: dimension, values: values), labels)
    }
}
