import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// What `framecut run` does, as a library call: scan a folder, embed it with one or more
/// models (through the store), choose the costs (label-free by default, or the paper's `cal`), cluster, analyse, and write a run folder.
public struct PipelineRun: Sendable {
    public var folder: URL
    public var models: [ModelSpec]
    public var cal: CalChoice
    public var labels: URL?
    public var out: URL
    public var store: URL
    public var force: Bool
    public var batchSize: Int
    public var threads: Int
    public var includeHidden: Bool
    public var solver: MulticutOptions
    /// Recorded in `run.json`.
    public var commandLine: [String]
    /// With labels: the `cal` grid of each model's calibration curve; nil: none.
    public var calibrationGrid: [Double]? = CalibrationAblation.defaultGrid
    /// The solver by the memory budget (`--solver-scale`): `auto`, `dense` or `large`.
    public var scale: MulticutSolverScale = .auto
    /// Large-scale solver: nearest neighbours per image (`--knn`).
    public var knn: Int = 32

    public init(folder: URL, models: [ModelSpec], cal: CalChoice = .labelFreeDefault, labels: URL? = nil, out: URL,
                store: URL = URL(fileURLWithPath: "framecut.sqlite"), force: Bool = false, batchSize: Int = 16,
                threads: Int = ParallelWork.processorCount, includeHidden: Bool = false,
                solver: MulticutOptions = MulticutOptions(), commandLine: [String] = []) {
        self.folder = folder
        self.models = models
        self.cal = cal
        self.labels = labels
        self.out = out
        self.store = store
        self.force = force
        self.batchSize = batchSize
        self.threads = threads
        self.includeHidden = includeHidden
        self.solver = solver
        self.commandLine = commandLine
    }

    /// Checks flags and output paths before any work: at least one model, no output inside
    /// the image folder, an existing run folder only with `force`.
    public func validate() throws {
        guard !models.isEmpty else { throw PipelineError.invalidOption(flag: "--model", reason: "at least one model is needed") }
        guard batchSize >= 1 else { throw PipelineError.invalidOption(flag: "--batch", reason: "must be at least 1") }
        guard threads >= 1 else { throw PipelineError.invalidOption(flag: "--threads", reason: "must be at least 1") }
        guard knn >= 1 else { throw PipelineError.invalidOption(flag: "--knn", reason: "must be at least 1, got \(knn)") }
        try OutputPaths.check(files: [.init(store, "--store")],
                              inputs: models.map { .init($0.weights, "--weights") } + (labels.map { [.init($0, "--labels")] } ?? []),
                              imageFolders: [.init(folder, "FOLDER")], replaceable: .init(out, "--out"), force: force)
    }

    /// Runs everything and writes the run folder (built beside `out`, then renamed into place).
    public func execute(progress: PipelineProgressHandler? = nil) throws -> RunRecord {
        try validate()
        let total = Stopwatch()
        let resolved = try models.map { try $0.resolve() }
        let classes = try labels.map { url -> NamedLabels in
            do { return try LabelFileReader.read(path: url.path) } catch { throw PipelineError.input(path: url.path, reason: "\(error)") }
        }
        let store = try EmbeddingStore(url: self.store)
        let scanClock = Stopwatch()
        let collection = try CollectionScan(folder: folder, includeHidden: includeHidden, threads: threads).run(store: store, progress: progress)
        let scanSeconds = scanClock.seconds

        var sets: [EmbeddingSet] = []
        for model in resolved {
            sets.append(try EmbeddingJob(model: model, batchSize: batchSize, threads: threads).run(collection, store: store, progress: progress))
        }
        let files = collection.files.count + collection.unreadable.count
        if let empty = sets.first(where: { $0.names.count < 2 }) {
            throw PipelineError.nothingUsable(folder: folder.path + " (\(empty.names.count) usable for \(empty.model.key.name); clustering needs 2)", files: files)
        }

        // Every model's clustering must fit the budget before the first similarity pass.
        for set in sets {
            try ClusteringJob(costs: cal.costModel, solver: solver, scale: scale, k: knn).checkBudget(count: set.names.count, dimension: set.width)
        }

        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        let folders = Self.folderNames(resolved)
        var records: [ModelRunRecord] = [], clusterings: [NamedLabels] = []
        for (k, (model, set)) in zip(resolved, sets).enumerated() {
            let (record, clustering) = try cluster(set, model: model, folderName: folders[k], classes: classes,
                                                  into: staging.appendingPathComponent(folders[k]), progress: progress)
            records.append(record)
            clusterings.append(clustering)
        }

        var comparison: RunRecord.Comparison?
        if clusterings.count >= 2 {
            let analyse = Stopwatch()
            _ = progress?(PipelineProgress(stage: .analyse, done: 0, total: 1, seconds: 0))
            let compare = try CompareReport(clusterings, names: folders, mode: .intersection)
            let compareFolder = staging.appendingPathComponent("compare")
            try AnalysisOutput.write(files: try compare.files(), into: compareFolder.path)
            for i in 0..<clusterings.count {
                for j in (i + 1)..<clusterings.count {
                    let overlap = try OverlapReport(clusterings[i], clusterings[j], mode: .intersection)
                    try AnalysisOutput.write(files: try overlap.files(), into: compareFolder.appendingPathComponent("overlap-\(folders[i])-vs-\(folders[j])").path)
                }
            }
            comparison = RunRecord.Comparison(names: folders, items: compare.items, variationOfInformation: compare.variationOfInformation,
                                              adjustedRandIndex: compare.adjustedRandIndex)
            _ = progress?(PipelineProgress(stage: .analyse, done: 1, total: 1, seconds: analyse.seconds, finished: true))
        }

        var skipped: [SkippedImage] = []
        var seen = Set<String>()
        for set in sets { for s in set.skipped where seen.insert(s.name).inserted { skipped.append(s) } }
        var record = RunRecord(framecutVersion: FrameCutVersion.string, commandLine: commandLine, folder: folder.path, store: self.store.path,
                               labels: labels?.path, files: files, skipped: skipped, models: records, comparison: comparison,
                               seconds: RunRecord.Seconds(scan: scanSeconds, total: 0))
        record.seconds.total = total.seconds
        try AtomicFile.write(try AnalysisOutput.json(record), to: staging.appendingPathComponent("run.json"))
        try Self.moveIntoPlace(staging, out)
        _ = progress?(PipelineProgress(stage: .write, done: 1, total: 1, seconds: 0, finished: true))
        return record
    }

    /// One model: similarity distribution, `cal`, multicut (``ClusteringJob``: the dense or the
    /// large-scale solver by the memory budget), statistics, agreement with labels, calibration curve.
    func cluster(_ set: EmbeddingSet, model: ResolvedModel, folderName: String, classes: NamedLabels?, into folder: URL,
                 progress: PipelineProgressHandler?) throws -> (ModelRunRecord, NamedLabels) {
        let n = set.names.count
        let job = ClusteringJob(costs: cal.costModel, solver: solver, scale: scale, k: knn)
        // Refused before the similarity pass when even the cheapest allowed solver does not fit.
        try job.checkBudget(count: n, dimension: set.width)
        let similarityClock = Stopwatch()
        var distribution: SimilarityDistribution?
        if n >= 3 {
            _ = progress?(PipelineProgress(stage: .similarity, model: folderName, done: 0, total: n, seconds: 0))
            var options = SimilarityDistributionOptions()
            options.threads = threads
            let d = try SimilarityDistribution.compute(embeddings: set.values, count: n, dimension: set.width, options: options)
            distribution = d
            let report = SimilarityReport(embeddings: "\(folderName) (store \(store.lastPathComponent))", distribution: d, seconds: similarityClock.seconds)
            try AnalysisOutput.write(files: try report.files(), into: folder.path)
        }
        let similaritySeconds = similarityClock.seconds
        _ = progress?(PipelineProgress(stage: .similarity, model: folderName, done: n, total: n, seconds: similaritySeconds, finished: true))

        let (costs, calSource) = try cal.costs(distribution: distribution)
        let clusterClock = Stopwatch()
        let choice = job.choice(count: n, dimension: set.width)
        _ = progress?(PipelineProgress(stage: .cluster, model: folderName, done: 0, total: n, seconds: 0, detail: choice.reason))
        let embeddings = try Embeddings(count: n, dimension: set.width, values: set.values)
        let outcome: ClusteringOutcome
        do {
            outcome = try job.run(embeddings, mu: cal == .heuristic ? distribution?.mu : nil) { _ in
                progress?(PipelineProgress(stage: .cluster, model: folderName, done: 0, total: n, seconds: clusterClock.seconds, detail: choice.reason)) ?? true
            }
        } catch FrameCutError.cancelled {
            throw PipelineError.interrupted(stage: .cluster, committed: 0)
        }
        let solution = outcome.solution, fitted = outcome.costs
        let summary = try outcome.write(names: set.names, input: "\(store.path) (\(set.model.key))", to: folder)
        _ = progress?(PipelineProgress(stage: .cluster, model: folderName, done: n, total: n, seconds: clusterClock.seconds, finished: true,
                                       detail: outcome.solverName))

        let clustering = NamedLabels(source: "\(folderName)/clusters.csv", names: set.names, labels: solution.labels.map { String($0) })
        let stats = try StatsReport(clustering: clustering, classes: classes)
        try AnalysisOutput.write(files: try stats.files(), into: folder.path)
        let agreement = stats.agreement.map {
            ModelRunRecord.Agreement(classes: $0.classes, variationOfInformation: $0.variationOfInformation,
                                     adjustedRandIndex: $0.adjustedRandIndex, purity: $0.purity)
        }
        var record = ModelRunRecord(
            folder: folderName, model: model.descriptor.id, embedding: model.variant.name, weights: model.weights.path,
            weightsSHA256: model.weightsSHA256, preprocessing: set.model.preprocessing, embeddingWidth: set.width,
            cal: costs.cal, calSource: calSource, solver: outcome.solverName, solverChoice: outcome.choice.reason,
            energyGAEC: solution.energyGAEC, energy: solution.energy, clustersGAEC: solution.clusterCountGAEC, clusters: solution.clusterCount,
            singletonClusters: summary.singletonClusters, largestClusters: summary.largestClusters,
            imagesUsed: n, imagesComputed: set.computed, imagesReused: set.reused, skipped: set.skipped, warnings: set.warnings,
            agreement: agreement,
            seconds: ModelRunRecord.Seconds(embedding: set.timing, similarity: similaritySeconds, costs: solution.secondsCosts,
                                            gaec: solution.secondsGAEC, kernighanLin: solution.secondsKL),
            costs: fitted, largeScale: outcome.largeScale.map(ModelRunRecord.LargeScale.init))
        record.calibration = try calibrationCurve(set, clustering: clustering, classes: classes, outcome: outcome, cal: costs.cal,
                                                  folderName: folderName, into: folder, progress: progress)
        return (record, clustering)
    }

    /// One subfolder per model: its display name, made unique with -2, -3, ...
    static func folderNames(_ models: [ResolvedModel]) -> [String] {
        var used: [String: Int] = [:]
        return models.map { m in
            let base = m.displayName
            used[base, default: 0] += 1
            return used[base] == 1 ? base : "\(base)-\(used[base] ?? 0)"
        }
    }

    /// Renames the finished staging folder to `out`, replacing an existing one (checked by
    /// `validate`) only after the new one is complete.
    static func moveIntoPlace(_ staging: URL, _ out: URL) throws {
        let fm = FileManager.default
        var old: URL?
        if fm.fileExists(atPath: out.path) {
            let aside = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: aside)
            try fm.moveItem(at: out, to: aside)
            old = aside
        }
        guard rename(staging.path, out.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { try? fm.moveItem(at: old, to: out) }
            throw PipelineError.input(path: out.path, reason: "cannot move the run folder into place: \(reason)")
        }
        if let old { try? fm.removeItem(at: old) }
    }
}
