import Foundation
import Testing
import FrameCutCore
import FrameCutIO
@testable import FrameCutPipeline

@Suite("Pipeline run: run folder, cal choice, output guard")
struct PipelineRunTests {
    @Test("a folder with broken files completes; run.json lists every skipped file with its reason; per-model outputs")
    func runFolder() throws {
        let folder = try PipelineTestSupport.collection(count: 1, broken: true)
        let work = folder.deletingLastPathComponent()
        let labels = work.appendingPathComponent("labels.csv")
        try "name,class\nimg00.bmp,a\nchelsea.png,b\nsub/coffee.png,c\n".write(to: labels, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("run")
        let run = PipelineRun(folder: folder, models: [ModelSpec(model: "efficientnet-lite0", weights: try PipelineTestSupport.weights())],
                              cal: .heuristic, labels: labels, out: out, store: work.appendingPathComponent("s.sqlite"), threads: 2,
                              commandLine: ["framecut", "run"])
        let record = try run.execute()
        #expect(record.skipped.map(\.name).sorted() == ["broken.jpg", "sub/empty.png"])
        let model = try #require(record.models.first)
        #expect(model.imagesUsed == 3 && model.imagesComputed == 3)
        #expect(model.calSource.hasPrefix("heuristic"))
        #expect(model.weightsSHA256 == "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
        #expect(model.agreement != nil)
        #expect(model.energy <= model.energyGAEC + 1e-9)
        for file in ["run.json", "efficientnet-lite0/clusters.csv", "efficientnet-lite0/labels.npy", "efficientnet-lite0/summary.json",
                     "efficientnet-lite0/stats.json", "efficientnet-lite0/similarity.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any])
        let skipped = try #require(json["skipped"] as? [[String: String]])
        #expect(skipped.contains { $0["name"] == "sub/empty.png" && $0["reason"] == "zero-byte file" })
        #expect(skipped.contains { $0["name"] == "broken.jpg" && !($0["reason"] ?? "").isEmpty })

        // An existing folder is refused without force, replaced with it; a fixed cal is recorded as given.
        #expect(throws: PipelineError.outputExists(path: out.path)) { _ = try run.execute() }
        var again = run
        again.force = true
        again.cal = .fixed(0.5)
        let second = try again.execute()
        #expect(second.models[0].imagesComputed == 0 && second.models[0].cal == 0.5)
        #expect(second.models[0].costs == FittedCosts(model: "paper", parameters: second.models[0].costs?.parameters ?? [:]))
        #expect(second.models[0].costs?.parameters["cal"] == 0.5)
        #expect(record.models[0].costs?.model == "paper-heuristic" && record.models[0].costs?.parameters["cal"] == record.models[0].cal)

        // The label-free default: its model and fitted parameters in run.json and summary.json, no cal in the summary.
        var free = run
        free.force = true
        free.cal = .labelFreeDefault
        let third = try free.execute()
        let costs = try #require(third.models[0].costs)
        #expect(costs.model == "fuzzy-modularity" && costs.parameters["neighbours"] == 15 && costs.parameters["resolution"] == 1)
        #expect((costs.parameters["edges"] ?? 0) > 0 && (costs.parameters["total_degree"] ?? 0) > 0)
        #expect(third.models[0].calSource.hasPrefix("not used: label-free costs"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("efficientnet-lite0/summary.json"))) as? [String: Any])
        #expect(summary["cal"] == nil && (summary["costs"] as? [String: Any])?["model"] as? String == "fuzzy-modularity")
        #expect(third.summary.contains("costs fuzzy-modularity (edges"))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent(".run.tmp-\(ProcessInfo.processInfo.processIdentifier)").path))
    }

    @Test("outputs inside the image folder are refused before any work")
    func outputGuard() throws {
        let folder = try PipelineTestSupport.collection(count: 1, photos: false)
        let weights = try PipelineTestSupport.weights()
        let inside = PipelineRun(folder: folder, models: [ModelSpec(model: "efficientnet-lite0", weights: weights)], out: folder.appendingPathComponent("run"),
                                 store: folder.deletingLastPathComponent().appendingPathComponent("s.sqlite"))
        #expect(throws: PipelineError.outputInsideImages(path: inside.out.path, folder: folder.path)) { try inside.validate() }
        var storeInside = inside
        storeInside.out = folder.deletingLastPathComponent().appendingPathComponent("run")
        storeInside.store = folder.appendingPathComponent("sub/framecut.sqlite")
        #expect(throws: PipelineError.self) { try storeInside.validate() }
        #expect(!FileManager.default.fileExists(atPath: storeInside.store.path))
    }

    @Test("--cal parses a number in (0,1) or auto; the heuristic is 0.94 - 0.98 mu")
    func calChoice() throws {
        #expect(try CalChoice(argument: "auto") == .heuristic)
        #expect(try CalChoice(argument: "0.25") == .fixed(0.25))
        #expect(throws: PipelineError.self) { _ = try CalChoice(argument: "1.5") }
        #expect(throws: PipelineError.self) { _ = try CalChoice(argument: "x") }
        #expect(CalChoice.labelFreeDefault.costModel == .auto && CalChoice.heuristic.costModel == .paperHeuristic)
        #expect(CalChoice.fixed(0.3).costModel == .paper(cal: 0.3))
        #expect(PipelineRun(folder: URL(fileURLWithPath: "/x"), models: [], out: URL(fileURLWithPath: "/y")).cal == .labelFreeDefault)
        var values: [Float] = []
        for i in 0..<12 { values += [Float(i % 3) + 0.1, Float(i % 4) * 0.5 + 0.2, Float(i) * 0.01 + 0.3] }
        let d = try SimilarityDistribution.compute(embeddings: values, count: 12, dimension: 3)
        let (costs, source) = try CalChoice.heuristic.costs(distribution: d)
        #expect(abs(costs.cal - CalHeuristic.cal(mu: d.mu)) < 1e-12)
        #expect(source.contains("mu = "))
    }

    @Test("path order matches the collection walker's")
    func pathOrder() {
        let paths = ["a/x.png", "a-b/x.png", "a.png", "b.png"]
        #expect(paths.sorted(by: PathOrder.precedes) == ["a/x.png", "a-b/x.png", "a.png", "b.png"])
    }
}
