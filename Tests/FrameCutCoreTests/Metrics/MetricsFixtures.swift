import Foundation
import FrameCutCore

/// Reference values written by scripts/reference/metrics_reference.py.
enum MetricsFixtures {
    struct LabellingFile: Decodable { let cases: [LabellingCase] }
    struct LabellingCase: Decodable {
        let name: String
        let a: [Int]
        let b: [Int]
        let reference: LabellingReference
    }
    struct LabellingReference: Decodable {
        let n: Int
        let contingency: [[Int]]
        let entropy_a, entropy_b, joint_entropy, entropy_a_given_b, entropy_b_given_a: Double
        let vi, vi_bits, mutual_information, normalized_vi, joint_normalized_vi, ari: Double
        let purity_a, purity_b: Double
        let stats_a: SizeStatistics
    }
    struct SizeStatistics: Decodable {
        let clusters, min, max: Int
        let mean, median, singleton_share: Double
        let quartiles: [Double]
    }
    struct KDEFile: Decodable { let cases: [KDECase] }
    struct KDECase: Decodable {
        let name: String
        let values: [Double]
        let weights: [Double]?
        let x, density: [Double]
        let factor, covariance, neff: Double
    }
    struct HistogramFile: Decodable { let cases: [HistogramCase] }
    struct HistogramCase: Decodable {
        let name: String
        let values: [Double]
        let bins: Int
        let range: [Double]?
        let counts: [Int]
        let edges: [Double]
    }
    struct SimilarityFile: Decodable { let `case`: SimilarityCase }
    struct SimilarityCase: Decodable {
        let n, d, pairs, raw_histogram_bins: Int
        let embeddings: [Float]
        let min, max, mean, std, mu, normalized_std, kde_bandwidth, cal_heuristic: Double
        let quantile_levels, quantiles, kde_x, kde_density, similarities: [Double]
        let raw_histogram, normalized_histogram: [Int]
        let share_above: [String: Double]
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: "Fixtures/metrics/\(name)", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// `|a - b| <= tolerance * max(1, |b|)`.
func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-10) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}
