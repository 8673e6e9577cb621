import Foundation
import FrameCutCore

/// One model's part of `run.json`.
public struct ModelRunRecord: Codable, Sendable {
    /// The subfolder of the run folder with this model's outputs.
    public var folder: String
    public var model: String
    public var embedding: String
    public var weights: String
    public var weightsSHA256: String
    /// The preprocessing recipe (JSON text, as stored).
    public var preprocessing: String
    public var embeddingWidth: Int
    /// The paper's `cal`: the one in use for the paper's costs; for the label-free costs the
    /// paper's heuristic `cal`, for reference only (``calSource`` says so, ``costs`` has the model).
    public var cal: Double
    /// How `cal` was chosen: given, the heuristic with its `mu`, or "not used" (label-free costs).
    public var calSource: String
    /// The solver as summaries record it: `gaec-kl` (dense) or `large-scale gaec-kl k=32`.
    public var solver: String
    /// Why that solver ran (dense or large-scale, with the memory figures); absent in run
    /// folders written before the choice.
    public var solverChoice: String? = nil
    public var energyGAEC: Double
    public var energy: Double
    public var clustersGAEC: Int
    public var clusters: Int
    public var singletonClusters: Int
    public var largestClusters: [Int]
    /// Images clustered; of them, embedded by this run and taken from the store.
    public var imagesUsed: Int
    public var imagesComputed: Int
    public var imagesReused: Int
    public var skipped: [SkippedImage]
    public var warnings: [SkippedImage]
    public var agreement: Agreement?
    /// With labels: the calibration curve (`calibration.csv`), nil without.
    public var calibration: CalibrationCurve?
    public var seconds: Seconds
    /// The cost model that produced the clustering and every parameter it used or fitted
    /// (`paper`, `paper-heuristic` or `fuzzy-modularity`); absent in run folders written before it.
    public var costs: FittedCosts? = nil
    /// The large-scale solver's figures; nil when the dense solver ran.
    public var largeScale: LargeScale? = nil

    /// What the large-scale solver reports. It has no Kernighan-Lin: under it
    /// ``Seconds/costs`` holds the preparation and the kNN graph with the affine fit,
    /// ``Seconds/gaec`` the cluster-aggregate GAEC and ``Seconds/kernighanLin`` the node-move
    /// local search (with the split step of the label-free costs); the exact energy pass is
    /// ``secondsEnergy``.
    public struct LargeScale: Codable, Sendable, Equatable {
        /// Neighbours per image and undirected kNN edges.
        public var k: Int
        public var edges: Int
        /// Node moves made by the local search.
        public var moves: Int
        public var secondsPrepare: Double
        public var secondsKNN: Double
        /// The streamed pass over all pairs that computes the exact energies.
        public var secondsEnergy: Double

        public init(_ solution: LargeScaleSolution) {
            k = solution.k
            edges = solution.edgeCount
            moves = solution.moves
            secondsPrepare = solution.secondsPrepare
            secondsKNN = solution.secondsKNN
            secondsEnergy = solution.secondsEnergy
        }
    }

    /// Agreement with the class labels of `--labels`.
    public struct Agreement: Codable, Sendable, Equatable {
        public var classes: Int
        public var variationOfInformation: Double
        public var adjustedRandIndex: Double
        public var purity: Double
    }

    public struct Seconds: Codable, Sendable, Equatable {
        public var embedding: EmbeddingTiming
        public var similarity: Double
        public var costs: Double
        public var gaec: Double
        public var kernighanLin: Double
    }
}
