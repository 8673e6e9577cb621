import Foundation
import FrameCutCore
import Testing

/// A stand-in solver: singletons below cal 0.5, the true classes on [0.5, 0.7), one cluster above.
private struct StepClustering: CalibrationClustering {
    let classes: [Int]
    var itemCount: Int { classes.count }
    func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        let labels: [Int32]
        if cal < 0.5 {
            labels = (0..<classes.count).map { Int32($0) }
        } else if cal < 0.7 {
            labels = classes.map { Int32($0) }
        } else {
            labels = [Int32](repeating: 0, count: classes.count)
        }
        return CalibrationClusteringOutcome(labels: labels, energy: -cal, energyGAEC: -cal / 2, clustersGAEC: 1, seconds: 0)
    }
}

private struct FailingClustering: CalibrationClustering {
    struct Boom: Error {}
    var itemCount: Int { 3 }
    func cluster(cal: Double) throws -> CalibrationClusteringOutcome { throw Boom() }
}

@Suite("Calibration: ablation and splits")
struct CalibrationTests {
    static let classes = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]

    @Test func ablationPicksMinimumVIAndVerifiesOnHeldOut() throws {
        let train = StepClustering(classes: Self.classes)
        let held = StepClustering(classes: [0, 1, 1, 2])
        let report = try CalibrationAblation().run(
            train: train, trainClasses: Labeling(Self.classes),
            heldOut: (held, Labeling([0, 1, 1, 2])), heuristicCal: 0.3)
        #expect(report.grid.map(\.cal) == CalibrationAblation.defaultGrid)
        #expect(report.chosenCal == 0.5)  // 0.5 and 0.6 both give VI 0: the smaller wins
        #expect(report.grid[4].variationOfInformation == 0 && report.grid[5].variationOfInformation == 0)
        // Singletons: H(Class|Cluster) = 0, H(Cluster|Class) > 0; one cluster: the reverse.
        #expect(report.grid[0].classEntropyGivenCluster == 0 && report.grid[0].clusterEntropyGivenClass > 0)
        #expect(report.grid[8].clusterEntropyGivenClass == 0 && report.grid[8].classEntropyGivenCluster > 0)
        #expect(report.grid[0].clusters == 10 && report.grid[8].clusters == 1)
        #expect(report.grid[2].energy == -0.3 && report.grid[2].energyGAEC == -0.15 && report.grid[2].clustersGAEC == 1)
        let heldOut = try #require(report.heldOut)
        #expect(heldOut.cal == 0.5 && heldOut.variationOfInformation == 0 && heldOut.items == 4)
        #expect(report.heuristicCal == 0.3)
        #expect(report.heuristicTrain?.clusters == 10)
        #expect(report.heuristicHeldOut?.clusters == 4)
        #expect(report.selectionRule.contains("minimum VI"))
    }

    @Test func progressCountsAndCancels() throws {
        let train = StepClustering(classes: Self.classes)
        var seen: [Int] = []
        _ = try CalibrationAblation(grid: [0.2, 0.6]).run(train: train, trainClasses: Labeling(Self.classes)) { done, total, _ in
            seen.append(done)
            #expect(total == 2)
            return true
        }
        #expect(seen == [0, 1])
        #expect(throws: MetricsError.cancelled) {
            try CalibrationAblation().run(train: train, trainClasses: Labeling(Self.classes)) { done, _, _ in done < 3 }
        }
    }

    @Test func errors() throws {
        let train = StepClustering(classes: Self.classes)
        #expect(throws: MetricsError.self) { try CalibrationAblation(grid: [0.5, 1.0]).run(train: train, trainClasses: Labeling(Self.classes)) }
        #expect(throws: MetricsError.self) { try CalibrationAblation(grid: []).run(train: train, trainClasses: Labeling(Self.classes)) }
        #expect(throws: MetricsError.countMismatch(what: "train classes", expected: 10, actual: 2)) {
            try CalibrationAblation().run(train: train, trainClasses: Labeling([0, 1]))
        }
        #expect(throws: MetricsError.solverFailed(cal: 0.5, reason: "Boom()")) {
            try CalibrationAblation(grid: [0.5]).run(train: FailingClustering(), trainClasses: Labeling([0, 1, 2]))
        }
    }

    @Test func gridValues() throws {
        #expect(try CalibrationAblation.grid(from: 0.1, through: 0.9, step: 0.1) == CalibrationAblation.defaultGrid)
        #expect(try CalibrationAblation.grid(from: 0.3, through: 0.5, step: 0.05) == [0.3, 0.35, 0.4, 0.45, 0.5])
        #expect(throws: MetricsError.self) { try CalibrationAblation.grid(from: 0.5, through: 0.1, step: 0.1) }
    }

    @Test func stratifiedSplitIsReproducibleDisjointAndProportional() throws {
        let classes = Labeling((0..<1000).map { $0 % 4 == 0 ? 0 : ($0 % 4 == 1 ? 1 : 2) })
        var g1 = SeededGenerator(seed: 42), g2 = SeededGenerator(seed: 42), g3 = SeededGenerator(seed: 43)
        let s1 = try DatasetSplit.stratified(classes: classes, heldOutFraction: 0.3, using: &g1)
        let s2 = try DatasetSplit.stratified(classes: classes, heldOutFraction: 0.3, using: &g2)
        let s3 = try DatasetSplit.stratified(classes: classes, heldOutFraction: 0.3, using: &g3)
        #expect(s1 == s2)
        #expect(s1 != s3)
        #expect(Set(s1.train).isDisjoint(with: s1.heldOut))
        #expect(s1.train.count + s1.heldOut.count == 1000)
        #expect(s1.heldOut.count == 75 + 75 + 150)
        // Per class: 30 % of each class is held out.
        let heldClasses = classes.subset(s1.heldOut)
        #expect(heldClasses.sizes == [75, 75, 150])
        #expect(s1.train == s1.train.sorted())
    }

    @Test func splitErrors() throws {
        var g = SeededGenerator(seed: 1)
        #expect(throws: MetricsError.self) { try DatasetSplit.stratified(classes: Labeling([0, 1]), heldOutFraction: 1, using: &g) }
        #expect(throws: MetricsError.self) { try DatasetSplit(train: [0, 0], heldOut: [], itemCount: 2) }
        #expect(throws: MetricsError.self) { try DatasetSplit(train: [0, 5], heldOut: [], itemCount: 2) }
        #expect(throws: MetricsError.empty(what: "train split")) { try DatasetSplit(trainMask: [false, false]) }
        let s = try DatasetSplit(trainMask: [true, false, true])
        #expect(s.train == [0, 2] && s.heldOut == [1])
    }
}

@Suite("Calibration: concurrent grid solves")
struct CalibrationConcurrencyTests {
    @Test func concurrentGridGivesTheSameReport() throws {
        let classes = [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3]
        let train = StepClusteringForConcurrency(classes: classes)
        let sequential = try CalibrationAblation().run(train: train, trainClasses: Labeling(classes), heuristicCal: 0.55)
        var ablation = CalibrationAblation()
        ablation.concurrentSolves = 3
        let concurrent = try ablation.run(train: train, trainClasses: Labeling(classes), heuristicCal: 0.55)
        #expect(concurrent.grid == sequential.grid)
        #expect(concurrent.chosenCal == sequential.chosenCal && concurrent.heuristicTrain == sequential.heuristicTrain)
        // Cancelling stops the remaining solves.
        #expect(throws: MetricsError.cancelled) {
            try ablation.run(train: train, trainClasses: Labeling(classes)) { done, _, _ in done < 2 }
        }
    }
}

private struct StepClusteringForConcurrency: CalibrationClustering {
    let classes: [Int]
    var itemCount: Int { classes.count }
    func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        let labels: [Int32] = cal < 0.5 ? (0..<classes.count).map { Int32($0) } : (cal < 0.7 ? classes.map { Int32($0) } : [Int32](repeating: 0, count: classes.count))
        return CalibrationClusteringOutcome(labels: labels, energy: -cal, seconds: 0)
    }
}
