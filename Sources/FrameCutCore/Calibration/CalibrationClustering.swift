/// One item set, prepared once, that can be clustered at any `cal` (the calibration stage's
/// solver). The default, `MulticutCalibrationClustering`, keeps `logit(p)` of every pair and
/// only adds `logit(cal)` per solve; tests use simple stand-ins.
public protocol CalibrationClustering {
    /// Number of items.
    var itemCount: Int { get }
    /// Clusters the items at `cal`.
    func cluster(cal: Double) throws -> CalibrationClusteringOutcome
}

/// The result of clustering at one `cal`.
public struct CalibrationClusteringOutcome: Sendable {
    /// Cluster of each item.
    public let labels: [Int32]
    /// Multicut energy of `labels` (nil when the clusterer has none).
    public let energy: Double?
    /// Energy and number of clusters after GAEC alone (the solver ablation, supplement
    /// Table 4); nil when not applicable.
    public let energyGAEC: Double?
    public let clustersGAEC: Int?
    /// Wall time of this clustering.
    public let seconds: Double

    public init(labels: [Int32], energy: Double?, energyGAEC: Double? = nil, clustersGAEC: Int? = nil, seconds: Double) {
        self.labels = labels
        self.energy = energy
        self.energyGAEC = energyGAEC
        self.clustersGAEC = clustersGAEC
        self.seconds = seconds
    }
}
