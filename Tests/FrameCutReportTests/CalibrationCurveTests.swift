import Foundation
import Testing
import FrameCutCore
import FrameCutIO
import FrameCutPipeline
import FrameCutReport

/// The calibration curve of `framecut run --labels` and its drawing in the report.
@Suite("Report calibration curve")
struct CalibrationCurveTests {
    /// 12 unit vectors on an arc in three groups of four (classes 0, 1, 2): 5 degrees apart
    /// within a group, 35 degrees between groups, so small `cal` keeps the groups apart and
    /// large `cal` merges them.
    static func groups() throws -> (Embeddings, [Int]) {
        var values: [Float] = [], classes: [Int] = []
        for g in 0..<3 {
            for k in 0..<4 {
                let angle = Double(g * 50 + k * 5 + (k == 3 ? g : 0)) * Double.pi / 180
                values += [Float(cos(angle)), Float(sin(angle))]
                classes.append(g)
            }
        }
        return (try Embeddings(count: 12, dimension: 2, values: values), classes)
    }

    /// H(A|B) in nats from two labelings, written out from the counts.
    static func conditionalEntropy(_ a: [Int], given b: [Int]) -> Double {
        let n = Double(a.count)
        var joint: [[Int]: Double] = [:], marginal: [Int: Double] = [:]
        for (x, y) in zip(a, b) { joint[[x, y], default: 0] += 1; marginal[y, default: 0] += 1 }
        var h = 0.0
        for (key, c) in joint { h -= c / n * log(c / (marginal[key[1]] ?? 1)) }
        return h
    }

    @Test("every grid point equals a separate solve at that cal scored by hand; the chosen point is the run's clustering")
    func numbersMatchIndependentComputation() throws {
        let (embeddings, classes) = try Self.groups()
        let grid = [0.1, 0.5, 0.9]
        var options = MulticutOptions()
        options.threads = 1
        let runLabels = try DenseMulticutSolver(options: options).solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: 0.35))
        let curve = try CalibrationCurve.compute(embeddings: embeddings, classes: Labeling(classes), grid: grid,
                                                 chosen: (0.35, runLabels.labels, runLabels.energy), solver: options)
        #expect(curve.points.map(\.cal) == grid)
        var distinct = Set<Int>()
        for p in curve.points {
            let solution = try DenseMulticutSolver(options: options).solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: p.cal))
            let labels = solution.labels.map(Int.init)
            distinct.insert(Set(labels).count)
            #expect(p.clusters == Set(labels).count)
            #expect(abs(p.clusterEntropyGivenClass - Self.conditionalEntropy(labels, given: classes)) < 1e-9)
            #expect(abs(p.classEntropyGivenCluster - Self.conditionalEntropy(classes, given: labels)) < 1e-9)
            #expect(abs(p.variationOfInformation - p.clusterEntropyGivenClass - p.classEntropyGivenCluster) < 1e-9)
            #expect(abs((p.energy ?? .nan) - solution.energy) < 1e-6 * max(1, abs(solution.energy)))
        }
        #expect(distinct.count >= 2, "the grid should give different clusterings: \(curve.points.map(\.clusters))")
        let runInts = runLabels.labels.map(Int.init)
        #expect(curve.chosen.cal == 0.35)
        #expect(abs(curve.chosen.classEntropyGivenCluster - Self.conditionalEntropy(classes, given: runInts)) < 1e-9)
        #expect(abs(curve.chosen.clusterEntropyGivenClass - Self.conditionalEntropy(runInts, given: classes)) < 1e-9)
        let best = curve.points.min { ($0.variationOfInformation, $0.cal) < ($1.variationOfInformation, $1.cal) }
        #expect(curve.minimumVariationOfInformationCal == best?.cal)
        let csv = curve.csv.split(separator: "\n")
        #expect(csv.count == 1 + grid.count + 1)
        #expect(csv.last?.hasPrefix("chosen,0.35,") == true)
    }

    @Test("grid option: ranges, lists and none parse; anything else is one error naming the flag")
    func gridValidation() throws {
        #expect(try CalibrationGrid.parse("0.1:0.9:0.1") == CalibrationAblation.defaultGrid)
        #expect(try CalibrationGrid.parse("0.25, 0.5,0.75") == [0.25, 0.5, 0.75])
        #expect(try CalibrationGrid.parse("0.3:0.3:0.1") == [0.3])
        #expect(try CalibrationGrid.parse("none") == nil)
        #expect(try CalibrationGrid.parse("NONE") == nil)
        for bad in ["", "0:0.5:0.1", "0.1:1:0.1", "0.9:0.1:0.1", "0.1:0.9:0", "0.1:0.9:-0.1", "0.1:0.9", "0.1:0.9:0.1:0.2",
                    "0.5,0.5", "0.2,,0.4", "abc", "nan", "inf", "0.1:0.9:0.0001", "1e-3x", "0x1p-3", "-0.2", "1.5"] {
            #expect(throws: PipelineError.self, "\(bad)") { _ = try CalibrationGrid.parse(bad) }
            do { _ = try CalibrationGrid.parse(bad) } catch { #expect("\(error)".contains("--calibration-grid"), "\(error)") }
        }
        #expect(throws: PipelineError.self) { try CalibrationGrid.validate([]) }
    }

    @Test("a labelled run stores the curve (run.json, MODEL/calibration.csv); the model page draws one point per cal and marks the run's cal")
    func runAndReport() throws {
        let run = try ReportTestSupport.run()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.folder.appendingPathComponent("run.json"))) as? [String: Any])
        let report = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        _ = try RunReport.write(runFolder: run.folder, out: report, options: { var o = ReportOptions(); o.threads = 1; o.map = false; o.thumbnails = false; return o }())
        for m in try #require(json["models"] as? [[String: Any]]) {
            let folder = try #require(m["folder"] as? String)
            let curve = try #require(m["calibration"] as? [String: Any])
            let points = try #require(curve["points"] as? [[String: Any]])
            let chosen = try #require(curve["chosen"] as? [String: Any])
            #expect(points.compactMap { $0["cal"] as? Double } == CalibrationAblation.defaultGrid)
            #expect(chosen["cal"] as? Double == m["cal"] as? Double)
            #expect(chosen["clusters"] as? Int == m["clusters"] as? Int)
            let agreement = try #require(m["agreement"] as? [String: Any])
            #expect(abs((chosen["variation_of_information"] as? Double ?? .nan) - (agreement["variation_of_information"] as? Double ?? .nan)) < 1e-9)
            let csv = try String(contentsOf: run.folder.appendingPathComponent(folder).appendingPathComponent("calibration.csv"), encoding: .utf8)
            let rows = csv.split(separator: "\n")
            #expect(rows.count == 1 + points.count + 1)
            #expect(rows.last?.hasPrefix("chosen,") == true)
            #expect(try String(contentsOf: report.appendingPathComponent("calibration-\(folder).csv"), encoding: .utf8) == csv)
            let page = try String(contentsOf: report.appendingPathComponent("m-\(folder).html"), encoding: .utf8)
            let svgStart = try #require(page.range(of: "<svg id=\"calibration-curve\""))
            let rest = page[svgStart.lowerBound...]
            let body = String(rest[..<(rest.range(of: "</svg>")?.upperBound ?? rest.endIndex)])
            #expect(body.components(separatedBy: "class=\"cal-point\"").count - 1 == points.count)
            #expect(body.components(separatedBy: "class=\"cal-chosen\"").count - 1 == 1)
            #expect(body.contains("H(Cluster|Class), nats") && body.contains("H(Class|Cluster), nats"))
            for (k, p) in points.enumerated() {
                #expect(ReportTestSupport.value("cal\(k)VI", in: page).map { abs($0 - (p["variation_of_information"] as? Double ?? .nan)) < 1e-9 } == true)
            }
        }
    }
}
