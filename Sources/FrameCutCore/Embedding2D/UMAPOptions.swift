import Foundation

/// Settings of `UMAP`, named and defaulted as in umap-learn 0.5.
public struct UMAPOptions: Sendable, Equatable {
    /// Distance between input rows.
    public enum Metric: String, Sendable, Equatable, CaseIterable {
        /// `1 - cos(x, y)` (embeddings).
        case cosine
        /// `|x - y|`.
        case euclidean
    }

    /// How the layout starts.
    public enum Initialization: String, Sendable, Equatable, CaseIterable {
        /// umap-learn's default: eigenvectors of the fuzzy graph's normalised Laplacian
        /// (`SpectralLayout`); PCA when the eigenvector solve does not converge.
        case spectral
        /// The first two principal components of the input.
        case pca
    }

    /// Neighbours per point in the fuzzy graph, the point itself included (umap-learn's `n_neighbors`).
    public var neighbors = 15
    /// Smallest distance of close points in the layout (`min_dist`).
    public var minDist = 0.1
    /// Scale of the layout (`spread`).
    public var spread = 1.0
    /// Layout epochs; nil: 500 up to 10,000 points, else 200 (umap-learn's default).
    public var epochs: Int?
    public var learningRate = 1.0
    /// Negative samples per positive one (`negative_sample_rate`).
    public var negativeSampleRate = 5
    /// Weight of the repulsion (`repulsion_strength`, gamma).
    public var repulsionStrength = 1.0
    public var metric: Metric = .cosine
    /// The initial layout (umap-learn's `init`).
    public var initialization: Initialization = .spectral
    /// Seed of the initial noise and the negative sampling: the same seed gives the same layout.
    public var seed: UInt64 = 42
    /// Worker threads for the neighbour search.
    public var threads = ParallelWork.processorCount

    public init() {}

    func validate() throws {
        guard neighbors >= 2 else { throw MetricsError.invalidParameter(name: "neighbors", value: Double(neighbors), reason: "must be at least 2") }
        guard minDist >= 0, minDist.isFinite else { throw MetricsError.invalidParameter(name: "minDist", value: minDist, reason: "must be finite and >= 0") }
        guard spread > 0, spread.isFinite, minDist <= spread else {
            throw MetricsError.invalidParameter(name: "spread", value: spread, reason: "must be positive, finite and at least minDist")
        }
        if let epochs, epochs < 1 || epochs > 100_000 {
            throw MetricsError.invalidParameter(name: "epochs", value: Double(epochs), reason: "must lie in 1...100000")
        }
        guard learningRate > 0, learningRate.isFinite else { throw MetricsError.invalidParameter(name: "learningRate", value: learningRate, reason: "must be positive") }
        guard negativeSampleRate >= 0 else { throw MetricsError.invalidParameter(name: "negativeSampleRate", value: Double(negativeSampleRate), reason: "must be >= 0") }
        guard repulsionStrength >= 0, repulsionStrength.isFinite else {
            throw MetricsError.invalidParameter(name: "repulsionStrength", value: repulsionStrength, reason: "must be >= 0")
        }
    }
}
