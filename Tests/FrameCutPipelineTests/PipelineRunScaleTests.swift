import Foundation
import Testing
import FrameCutCore
import FrameCutIO
@testable import FrameCutPipeline

/// `run` on the large-scale solver: chosen by `scale` (or by the budget), recorded in
/// `run.json` and `summary.json`, the calibration grid on the same solver, and the refusal when
/// even the large-scale estimate exceeds the budget.
@Suite("Pipeline run: dense or large-scale solver by the memory budget")
struct PipelineRunScaleTests {
    static func labels(_ count: Int) -> String {
        var text = "name,class\n"
        for i in 0..<count { text += String(format: "img%02d.bmp,%@\n", i, i % 3 == 0 ? "a" : "b") }
        return text + "chelsea.png,cat\nsub/coffee.png,cup\n"
    }

    @Test("forced large-scale: a valid run folder; solver, choice and figures in run.json and summary.json; the grid on the same solver")
    func largeScaleRun() throws {
        let folder = try PipelineTestSupport.collection(count: 10)
        let work = folder.deletingLastPathComponent()
        let labels = work.appendingPathComponent("labels.csv")
        try Self.labels(10).write(to: labels, atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("run")
        var run = PipelineRun(folder: folder, models: [ModelSpec(model: "efficientnet-lite0", weights: try PipelineTestSupport.weights())],
                              cal: .fixed(0.5), labels: labels, out: out, store: work.appendingPathComponent("s.sqlite"), threads: 2,
                              solver: MulticutOptions(threads: 2, memoryLimit: 1 << 30), commandLine: ["framecut", "run"])
        run.scale = .large
        run.knn = 4
        run.calibrationGrid = [0.3, 0.5, 0.7]
        let stages = StageLog()
        let record = try run.execute { p in stages.add(p); return true }
        let model = try #require(record.models.first)
        #expect(model.solver == "large-scale gaec-kl k=4")
        #expect(model.solverChoice?.hasPrefix("large-scale solver (asked for), k = 4") == true)
        let large = try #require(model.largeScale)
        #expect(large.k == 4 && large.edges >= 12 * 4 / 2 && large.secondsEnergy >= 0)
        #expect(model.energy <= model.energyGAEC + 1e-9)
        #expect(model.clusters >= 1 && model.imagesUsed == 12)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("efficientnet-lite0/summary.json"))) as? [String: Any])
        #expect(summary["solver"] as? String == "large-scale gaec-kl k=4")
        #expect(summary["cal"] as? Double == 0.5)
        let clusters = try String(contentsOf: out.appendingPathComponent("efficientnet-lite0/clusters.csv"), encoding: .utf8)
        #expect(clusters.split(separator: "\n").count == 13)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any])
        let stored = try #require((json["models"] as? [[String: Any]])?.first)
        #expect(stored["solver"] as? String == "large-scale gaec-kl k=4")
        #expect((stored["solver_choice"] as? String)?.contains("asked for") == true)
        #expect((stored["large_scale"] as? [String: Any])?["k"] as? Int == 4)
        let curve = try #require(model.calibration)
        #expect(curve.points.count == 3 && curve.solver == "large-scale gaec-kl k=4" && curve.secondsCosts == 0)
        #expect(curve.points.first(where: { $0.cal == 0.5 })?.clusters == model.clusters, "the grid's 0.5 is the run's clustering")
        #expect(record.summary.contains("solver large-scale gaec-kl k=4 (large-scale solver (asked for)"))
        #expect(stages.details(.cluster).contains { $0.hasPrefix("large-scale solver (asked for)") })
        #expect(stages.details(.cluster).last == "large-scale gaec-kl k=4")

        // The default (auto) with room: the dense solver, and the choice says the matrix fits.
        var dense = run
        dense.force = true
        dense.scale = .auto
        let second = try dense.execute()
        #expect(second.models[0].solver == "gaec-kl" && second.models[0].largeScale == nil)
        #expect(second.models[0].solverChoice?.hasPrefix("dense solver: the cost matrix") == true)
        #expect(second.models[0].calibration?.solver == "gaec-kl")

        // The label-free default on the large-scale solver: k raised to its 15 neighbours (capped at n - 1 = 11).
        var free = run
        free.force = true
        free.cal = .labelFreeDefault
        free.calibrationGrid = nil
        let third = try free.execute()
        #expect(third.models[0].solver == "large-scale gaec-kl k=11" && third.models[0].costs?.model == "fuzzy-modularity")
        #expect(third.models[0].solverChoice?.contains("k = 15") == true)

        // The paper's heuristic on the large-scale solver: cal from the run's similarity distribution.
        var heuristic = free
        heuristic.cal = .heuristic
        let fourth = try heuristic.execute()
        #expect(fourth.models[0].solver == "large-scale gaec-kl k=4" && fourth.models[0].costs?.model == "paper-heuristic")
        #expect(fourth.models[0].costs?.parameters["cal"] == fourth.models[0].cal && fourth.models[0].calSource.hasPrefix("heuristic"))
    }

    @Test("a budget below even the large-scale estimate is refused naming --max-memory, before the similarity pass; no run folder")
    func refusal() throws {
        let folder = try PipelineTestSupport.collection(count: 2, photos: false)
        let work = folder.deletingLastPathComponent()
        let out = work.appendingPathComponent("run")
        var run = PipelineRun(folder: folder, models: [ModelSpec(model: "efficientnet-lite0", weights: try PipelineTestSupport.weights())],
                              cal: .fixed(0.5), out: out, store: work.appendingPathComponent("s.sqlite"), threads: 2,
                              solver: MulticutOptions(threads: 2, memoryLimit: 8 << 20), commandLine: ["framecut", "run"])
        run.scale = .large
        let stages = StageLog()
        do {
            _ = try run.execute { p in stages.add(p); return true }
            Issue.record("a budget of 8 MiB was accepted")
        } catch let PipelineError.invalidOption(flag, reason) {
            #expect(flag == "--max-memory")
            #expect(reason.contains("even the large-scale solver") && reason.contains("raise --max-memory"), "\(reason)")
            #expect(!reason.contains("\n"))
        }
        #expect(!stages.stages.contains(.similarity) && !stages.stages.contains(.cluster))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        run.knn = 0
        #expect(throws: PipelineError.invalidOption(flag: "--knn", reason: "must be at least 1, got 0")) { try run.validate() }
    }

    @Test("ClusteringJob: auto picks the large-scale solver when the dense matrix does not fit the budget, and never exceeds it")
    func autoChoice() throws {
        // 6000 points: the dense solver needs about 150 MB, the large-scale one about 110 MB with one thread.
        let data = try SyntheticEmbeddings.clustered(count: 6000, dimension: 8, classes: 12, seed: 3).embeddings
        let limit: UInt64 = 130 << 20
        let job = ClusteringJob(costs: .paper(cal: 0.5), solver: MulticutOptions(algorithm: .gaec, threads: 1, memoryLimit: limit), k: 8)
        let choice = job.choice(count: data.count, dimension: data.dimension)
        #expect(choice.scale == .large, "\(choice.reason)")
        let outcome = try job.run(data)
        #expect(outcome.solverName == "large-scale gaec k=8" && outcome.largeScale != nil && outcome.cal == 0.5)
        #expect(outcome.solution.labels.count == 6000)
        #expect(outcome.summary(input: "x").solver == "large-scale gaec k=8")
        // Room for the matrix: dense.
        var roomy = job
        roomy.solver.memoryLimit = 1 << 30
        #expect(roomy.choice(count: data.count, dimension: data.dimension).scale == .dense)
        // No room for either: refused before any work.
        var tight = job
        tight.solver.memoryLimit = 16 << 20
        #expect(throws: PipelineError.self) { _ = try tight.run(data) }
    }
}

/// Collects progress reports from any thread.
final class StageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [PipelineProgress] = []

    func add(_ p: PipelineProgress) {
        lock.lock()
        reports.append(p)
        lock.unlock()
    }

    var stages: [PipelineStage] {
        lock.lock()
        defer { lock.unlock() }
        return reports.map(\.stage)
    }

    func details(_ stage: PipelineStage) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return reports.filter { $0.stage == stage }.compactMap(\.detail)
    }
}
