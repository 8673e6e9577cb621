import Foundation
import FrameCutCore
import FrameCutIO
import Testing

@Suite("Clusterings: analysis reports and writers")
struct ClusteringsReportTests {
    // Clusters 0 = {a,a,a} clean, 1 = {b,b} clean, 2 = {a,c,c} mixed, 3 = {d} clean.
    static let names = (1...9).map { "img\($0).jpg" }
    static let clusters = NamedLabels(source: "run/clusters.csv", names: names, labels: ["0", "0", "0", "1", "1", "2", "2", "2", "3"])
    static let classes = NamedLabels(source: "classes.csv", names: names.reversed(), labels: ["d", "c", "c", "a", "b", "b", "a", "a", "a"])

    @Test func statsWithLabels() throws {
        let r = try StatsReport(clustering: Self.clusters, classes: Self.classes, top: 2)
        #expect(r.items == 9 && r.clusters == 4 && r.maxSize == 3 && r.minSize == 1)
        #expect(r.largest.map(\.cluster) == ["0", "2"])
        let a = try #require(r.agreement)
        #expect(a.cleanClusters == 3 && a.classesNeverMixed == ["b", "d"])
        #expect(a.mixedClusters.first?.cluster == "2")
        #expect(a.mixedClusters.first?.composition.map(\.className) == ["c", "a"])
        #expect(a.mixingPairs.first?.classA == "a" && a.mixingPairs.first?.classB == "c")
        #expect(r.sizesTable.header == ["cluster", "size", "classes", "majority_class", "majority_count", "clean"])
        #expect(r.sizesTable.rows.first == ["0", "3", "1", "a", "3", "1"])
        #expect(r.contingencyTable?.rows.contains(["2", "c", "2"]) == true)
        let json = try #require(String(data: try AnalysisOutput.json(r), encoding: .utf8))
        #expect(json.contains("\"class_entropy_given_cluster\"") && json.contains("\"singleton_share\""))
        #expect(!json.contains("sizes_table"))
        #expect(r.summary.contains("4 clusters") && r.summary.contains("clean clusters: 3 of 4"))
        #expect(try r.files().map(\.name) == ["stats.json", "cluster_sizes.csv", "contingency.csv"])
    }

    @Test func statsWithoutLabels() throws {
        let r = try StatsReport(clustering: Self.clusters)
        #expect(r.agreement == nil && r.sizesTable.header == ["cluster", "size"])
        #expect(try r.files().map(\.name) == ["stats.json", "cluster_sizes.csv"])
    }

    @Test func compareReport() throws {
        let other = NamedLabels(source: "other/clusters.csv", names: Self.names, labels: ["0", "0", "0", "0", "0", "1", "1", "1", "1"])
        let r = try CompareReport([Self.clusters, other, Self.classes])
        #expect(r.names == ["run", "other", "classes"])
        #expect(r.variationOfInformation[0][0] == 0 && r.variationOfInformation[0][1] == r.variationOfInformation[1][0])
        #expect(r.vi(0, 1) > 0)
        #expect(r.matrixTable(r.variationOfInformation).header == ["", "run", "other", "classes"])
        #expect(r.pairsTable.rows.count == 3)
        #expect(r.summary.contains("VI (nats)"))
        let named = try CompareReport([Self.clusters, other], names: ["ConvNeXt", "DINOv2"], base: .bits)
        #expect(named.names == ["ConvNeXt", "DINOv2"] && named.summary.contains("bits"))
        #expect(throws: ClusteringFileError.self) { try CompareReport([Self.clusters, other], names: ["one"]) }
    }

    @Test func overlapReport() throws {
        let other = NamedLabels(source: "b.csv", names: Self.names, labels: ["7", "7", "7", "7", "8", "8", "8", "8", "9"])
        let r = try OverlapReport(Self.clusters, other, threshold: 0.75)
        let first = try #require(r.matches.first)
        #expect(first.clusterA == "0" && first.clusterB == "7" && first.intersection == 3 && first.alike)
        #expect(first.shared == ["img1.jpg", "img2.jpg", "img3.jpg"] && first.onlyB == ["img4.jpg"])
        #expect(r.matchesTable.rows.count == 4)
        #expect(r.membersTable.rows.contains(["0", "7", "img4.jpg", "only_b"]))
        #expect(r.summary().contains("alike pairs"))
    }

    @Test func calibrationTable() throws {
        struct Fixed: CalibrationClustering {
            var itemCount: Int { 4 }
            func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
                CalibrationClusteringOutcome(labels: cal < 0.5 ? [0, 1, 2, 3] : [0, 0, 1, 1], energy: -1, energyGAEC: -0.5, clustersGAEC: 3, seconds: 0.1)
            }
        }
        let ablation = try CalibrationAblation(grid: [0.3, 0.6]).run(
            train: Fixed(), trainClasses: Labeling([0, 0, 1, 1]), heldOut: (Fixed(), Labeling([0, 0, 1, 1])), heuristicCal: 0.4)
        let file = CalibrationReportFile(embeddings: "x.npy", labels: "c.csv", solver: "gaec-kl",
                                         split: .init(method: "random", trainItems: 4, heldOutItems: 4, heldOutFraction: 0.5, seed: 1),
                                         mu: 0.55, ablation: ablation, seconds: 1)
        #expect(file.table.rows.map { $0[0] } == ["train", "train_chosen", "held_out_chosen", "train_heuristic", "held_out_heuristic"])
        #expect(file.table.rows[1][1] == "0.6" && file.table.rows[1][6] == "0")
        #expect(file.summary.contains("chosen cal: 0.6"))
        let json = try #require(String(data: try AnalysisOutput.json(file), encoding: .utf8))
        #expect(json.contains("\"chosen_cal\" : 0.6"))
    }

    @Test func csvQuotingAndNumbers() throws {
        var t = AnalysisCSV(header: ["a", "b"])
        t.append(["x,y", "say \"hi\""])
        #expect(t.text == "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n")
        #expect(AnalysisOutput.number(3.0) == "3" && AnalysisOutput.number(0.25) == "0.25" && AnalysisOutput.number(Double.nan) == "nan")
        #expect(AnalysisOutput.number(nil as Double?) == "")
        // Round trip through the reader (the header "a,b" is not a label header, so it is a row).
        let back = try LabelFileReader.parseCSV(t.text, source: "t.csv")
        #expect(back.names?.first == "a")
        t.header = ["name", "class"]
        let back2 = try LabelFileReader.parseCSV(t.text, source: "t.csv")
        #expect(back2.names == ["x,y"] && back2.labels == ["say \"hi\""])
    }

    @Test func writesFilesIntoAFolder() throws {
        let dir = try clusteringsTempDir() + "/nested/out"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AnalysisOutput.write(files: try StatsReport(clustering: Self.clusters).files(), into: dir)
        #expect(FileManager.default.fileExists(atPath: dir + "/stats.json"))
        let csv = try String(contentsOfFile: dir + "/cluster_sizes.csv", encoding: .utf8)
        #expect(csv.hasPrefix("cluster,size\n0,3\n"))
    }
}

extension CompareReport {
    func vi(_ i: Int, _ j: Int) -> Double { variationOfInformation[i][j] }
}
