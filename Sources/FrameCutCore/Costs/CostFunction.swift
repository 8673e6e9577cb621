import Foundation

/// The cost of an edge from a normalised similarity, as in the paper:
/// `w = logit(clip(p)) + logit(clip(cal))` with `clip` to `[1e-5, 1 - 1e-5]`.
/// Positive costs attract (the pair wants to share a cluster), negative costs repel.
public struct CostFunction: Sendable, Equatable, Codable {
    /// Bounds of the clip applied to `p` and to `cal`.
    public static let clipEpsilon = 1e-5

    /// The calibration: larger values give fewer, larger clusters. Strictly between 0 and 1.
    public let cal: Double
    /// `logit(clip(cal))`, added to every edge.
    public let offset: Double

    public init(cal: Double) throws {
        guard cal > 0, cal < 1, cal.isFinite else { throw FrameCutError.calOutOfRange(cal) }
        self.cal = cal
        self.offset = CostFunction.logit(CostFunction.clip(cal))
    }

    @inline(__always)
    public static func clip(_ p: Double) -> Double {
        Swift.min(Swift.max(p, clipEpsilon), 1 - clipEpsilon)
    }

    @inline(__always)
    public static func logit(_ p: Double) -> Double {
        Foundation.log(p / (1 - p))
    }

    /// The cost of a pair with normalised similarity `p`.
    @inline(__always)
    public func cost(normalizedSimilarity p: Double) -> Double {
        CostFunction.logit(CostFunction.clip(p)) + offset
    }
}

/// The minimum and maximum cosine similarity over all pairs `i < j`, used for min-max
/// normalisation `p = (s - min) / (max - min)`.
public struct SimilarityRange: Sendable, Equatable, Codable {
    public let min: Double
    public let max: Double

    public init(min: Double, max: Double) {
        self.min = min
        self.max = max
    }

    /// Throws when all pairwise similarities are equal (`min == max`, e.g. identical rows):
    /// min-max normalisation is then undefined, and every command that normalises refuses
    /// (`cluster`, `similarity`, `calibrate`: one check for all).
    public func requireSpread() throws {
        guard max > min else {
            throw FrameCutError.invalidArgument("all pairwise cosine similarities are equal (\(min)): the embeddings are identical up to scale, so min-max normalisation is undefined")
        }
    }

    /// `(s - min) / (max - min)`; 0.5 for every pair when all similarities are equal.
    @inline(__always)
    public func normalize(_ s: Double) -> Double {
        let range = max - min
        return range > 0 ? (s - min) / range : 0.5
    }
}
