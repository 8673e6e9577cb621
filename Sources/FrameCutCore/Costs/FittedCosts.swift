/// What a cost model fitted on one embedding set: its name and every parameter it used or
/// estimated, for the outputs (`summary.json` key `costs`).
public struct FittedCosts: Sendable, Equatable, Codable {
    /// `paper`, `paper-heuristic` or `fuzzy-modularity`.
    public let model: String
    /// Parameters by name (written with sorted keys, so outputs are deterministic).
    public let parameters: [String: Double]

    public init(model: String, parameters: [String: Double]) {
        self.model = model
        self.parameters = parameters
    }
}
