import Foundation
import FrameCutCore
import FrameCutIO
import Testing

/// A fresh temporary folder per test.
func clusteringsTempDir() throws -> String {
    let path = NSTemporaryDirectory() + "framecut-clusterings-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeText(_ text: String, _ path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

@Suite("Clusterings: reading label files")
struct ClusteringsReaderTests {
    @Test func csvWithHeaderQuotesAndCRLF() throws {
        let text = "name,cluster\r\na.jpg,0\r\n\"b, the second.jpg\",1\r\n\"say \"\"hi\"\".png\",0\r\n\r\n"
        let l = try LabelFileReader.parseCSV(text, source: "c.csv")
        #expect(l.names == ["a.jpg", "b, the second.jpg", "say \"hi\".png"])
        #expect(l.labels == ["0", "1", "0"])
        #expect(l.labeling().labeling.labels == [0, 1, 0])
    }

    @Test func headerlessCSVAndClassNames() throws {
        let l = try LabelFileReader.parseCSV("x/1.jpg,dog\nx/2.jpg,cat\nx/3.jpg,dog", source: "classes.csv")
        #expect(l.count == 3)
        let (labeling, raw) = l.labeling()
        #expect(raw == ["cat", "dog"] && labeling.labels == [1, 0, 1])
        // Numeric labels keep numeric order, so cluster 10 sorts after 9.
        let n = try LabelFileReader.parseCSV("a,10\nb,9\nc,10", source: "n.csv").labeling()
        #expect(n.rawValues == ["9", "10"])
    }

    @Test func csvErrorsNameTheLine() throws {
        #expect(throws: ClusteringFileError.malformedLine(path: "e.csv", line: 3, reason: "expected 'name,label', found 1 field(s)")) {
            try LabelFileReader.parseCSV("name,class\na,1\nb\n", source: "e.csv")
        }
        #expect(throws: ClusteringFileError.duplicateName(path: "e.csv", name: "a", firstLine: 1, line: 3)) {
            try LabelFileReader.parseCSV("a,1\nb,2\na,3\n", source: "e.csv")
        }
        #expect(throws: ClusteringFileError.empty(path: "e.csv")) { try LabelFileReader.parseCSV("name,cluster\n", source: "e.csv") }
        #expect(throws: ClusteringFileError.empty(path: "e.csv")) { try LabelFileReader.parseCSV("", source: "e.csv") }
        #expect(throws: ClusteringFileError.malformedLine(path: "e.csv", line: 2, reason: "unterminated quoted field")) {
            try LabelFileReader.parseCSV("a,1\n\"b,2\n", source: "e.csv")
        }
        #expect(throws: ClusteringFileError.malformedLine(path: "e.csv", line: 1, reason: "empty label for 'a'")) {
            try LabelFileReader.parseCSV("a,\n", source: "e.csv")
        }
        let message = String(describing: ClusteringFileError.malformedLine(path: "e.csv", line: 3, reason: "x"))
        #expect(message == "e.csv:3: x")
    }

    @Test func filesFoldersAndNPY() throws {
        let dir = try clusteringsTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A `framecut cluster` output folder: clusters.csv wins over labels.npy.
        try writeText("name,cluster\np,1\nq,0\n", dir + "/clusters.csv")
        let folder = try LabelFileReader.read(path: dir)
        #expect(folder.names == ["p", "q"] && folder.source.hasSuffix("clusters.csv"))
        // labels.npy, unnamed and named.
        let npy = dir + "/only/labels.npy"
        try FileManager.default.createDirectory(atPath: dir + "/only", withIntermediateDirectories: true)
        try NPYFile.write(try NPYArray(shape: [3], values: .int64([5, 5, 7])), to: URL(fileURLWithPath: npy))
        let unnamed = try LabelFileReader.read(path: dir + "/only")
        #expect(unnamed.names == nil && unnamed.labels == ["5", "5", "7"])
        try writeText("a.jpg\nb.jpg\nc.jpg\n", dir + "/names.txt")
        let named = try LabelFileReader.read(path: npy, namesFile: dir + "/names.txt")
        #expect(named.names == ["a.jpg", "b.jpg", "c.jpg"])
        try writeText("a.jpg\nb.jpg\n", dir + "/short.txt")
        #expect(throws: ClusteringFileError.namesCountMismatch(namesPath: dir + "/short.txt", names: 2, path: npy, rows: 3)) {
            try LabelFileReader.read(path: npy, namesFile: dir + "/short.txt")
        }
        // Float arrays and 2-D arrays are not labels.
        try NPYFile.write(try NPYArray(shape: [2], values: .float32([0, 1])), to: URL(fileURLWithPath: dir + "/f.npy"))
        #expect(throws: ClusteringFileError.self) { try LabelFileReader.read(path: dir + "/f.npy") }
        try NPYFile.write(try NPYArray(shape: [2, 2], values: .int32([0, 1, 0, 1])), to: URL(fileURLWithPath: dir + "/m.npy"))
        #expect(throws: ClusteringFileError.self) { try LabelFileReader.read(path: dir + "/m.npy") }
        #expect(throws: ClusteringFileError.unreadable(path: dir + "/nope.csv", reason: "no such file or folder")) {
            try LabelFileReader.read(path: dir + "/nope.csv")
        }
        try FileManager.default.createDirectory(atPath: dir + "/emptydir", withIntermediateDirectories: true)
        #expect(throws: ClusteringFileError.notAClustering(path: dir + "/emptydir", reason: "folder has neither clusters.csv nor labels.npy")) {
            try LabelFileReader.read(path: dir + "/emptydir")
        }
    }
}

@Suite("Clusterings: matching items across files")
struct ClusteringsAlignmentTests {
    static let a = NamedLabels(source: "a.csv", names: ["x", "y", "z", "w"], labels: ["0", "0", "1", "1"])

    @Test func alignsByName() throws {
        let b = NamedLabels(source: "b.csv", names: ["w", "z", "y", "x"], labels: ["3", "3", "4", "4"])
        let aligned = try LabelAlignment.align([Self.a, b])
        #expect(aligned.names == ["x", "y", "z", "w"])
        #expect(aligned.labelings[1].labels == [1, 1, 0, 0])
        #expect(aligned.rawValues[1] == ["3", "4"])
        #expect(try ClusteringComparison(aligned.labelings[0], aligned.labelings[1]).variationOfInformation == 0)
    }

    @Test func mismatchedNamesSayHowManyAndShowSome() throws {
        let names = (0..<20).map { "img\($0).jpg" }
        let c1 = NamedLabels(source: "c1.csv", names: names, labels: names.map { _ in "0" })
        let c2 = NamedLabels(source: "c2.csv", names: Array(names.dropFirst(8)) + ["new.jpg"], labels: (0..<13).map { _ in "0" })
        do {
            _ = try LabelAlignment.align([c1, c2])
            Issue.record("expected a mismatch")
        } catch let error as ClusteringFileError {
            guard case .namesMismatch(let path, let reference, let missing, let examples, let extra, let extraExamples) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(path == "c2.csv" && reference == "c1.csv" && missing == 8 && extra == 1)
            #expect(examples == ["img0.jpg", "img1.jpg", "img2.jpg", "img3.jpg", "img4.jpg"])
            #expect(extraExamples == ["new.jpg"])
            let text = error.description
            #expect(text.contains("8 name(s) of c1.csv are missing") && text.contains("'img0.jpg'") && text.contains("..."))
            #expect(text.contains("--intersection"))
        }
        let shared = try LabelAlignment.align([c1, c2], mode: .intersection)
        #expect(shared.count == 12 && shared.dropped == [8, 1])
    }

    @Test func unnamedInputsMatchByPosition() throws {
        let u = NamedLabels(source: "l.npy", names: nil, labels: ["1", "1", "2", "2"])
        let aligned = try LabelAlignment.align([Self.a, u])
        #expect(aligned.names == ["x", "y", "z", "w"] && aligned.labelings[1].labels == [0, 0, 1, 1])
        let short = NamedLabels(source: "s.npy", names: nil, labels: ["1"])
        #expect(throws: ClusteringFileError.countMismatch(path: "s.npy", count: 1, reference: "a.csv", referenceCount: 4)) {
            try LabelAlignment.align([Self.a, short])
        }
    }

    @Test func classesMayCoverMoreButNotFewerItems() throws {
        let classes = NamedLabels(source: "classes.csv", names: ["q", "w", "z", "y", "x"], labels: ["c", "b", "b", "a", "a"])
        let matched = try LabelAlignment.classes(classes, for: Self.a)
        #expect(matched.names == ["x", "y", "z", "w"] && matched.labels == ["a", "a", "b", "b"])
        let partial = NamedLabels(source: "few.csv", names: ["x"], labels: ["a"])
        #expect(throws: ClusteringFileError.labelsMissingImages(labels: "few.csv", clustering: "a.csv", missing: 3, examples: ["y", "z", "w"])) {
            try LabelAlignment.classes(partial, for: Self.a)
        }
    }
}
