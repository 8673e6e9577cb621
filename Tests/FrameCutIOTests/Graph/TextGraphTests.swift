import Foundation
import Testing
import FrameCutCore
import FrameCutIO

@Suite("Authors' text graph format")
struct TextGraphTests {
    func parse(_ text: String, _ kind: TextGraphValues = .normalizedSimilarity) throws -> TextGraph {
        try TextGraphReader.parse(Data(text.utf8), values: kind)
    }

    @Test func readsEdges() throws {
        let graph = try parse("3 2\n0 1 0.25\n1 2 1e-3\n")
        #expect(graph.nodeCount == 3)
        #expect(graph.sources == [0, 1] && graph.targets == [1, 2])
        #expect(graph.values == [0.25, 0.001])
        // Windows line ends, trailing blank lines and spaces are fine.
        let crlf = try parse("3 1\r\n 2 0   0.5 \r\n\r\n")
        #expect(crlf.values == [0.5])
        #expect(try parse("2 1\n0 1 -7.5\n", .rawCost).values == [-7.5])
    }

    @Test("malformed input names the line")
    func errorsNameTheLine() throws {
        #expect(throws: TextGraphError.malformedHeader("three 2")) { try parse("three 2\n0 1 0.5\n") }
        #expect(throws: TextGraphError.nodeOutOfRange(line: 3, node: 3, nodeCount: 3)) { try parse("3 2\n0 1 0.5\n0 3 0.5\n") }
        #expect(throws: TextGraphError.edgeCountMismatch(declared: 3, found: 2)) { try parse("3 3\n0 1 0.5\n1 2 0.5\n") }
        do {
            _ = try parse("3 2\n0 1 0.5\n1 x 0.5\n")
            Issue.record("no error")
        } catch let error as TextGraphError {
            #expect(error.description.hasPrefix("line 3:"))
        }
        do {
            _ = try parse("3 1\n0 1 1.5\n")
            Issue.record("no error")
        } catch let error as TextGraphError {
            #expect(error.description.contains("line 2") && error.description.contains("--raw-costs"))
        }
        #expect(throws: TextGraphError.self) { try parse("3 1\n0 1 nan\n") }
        #expect(throws: TextGraphError.self) { try parse("3 1\n1 1 0.5\n") }
        #expect(throws: TextGraphError.self) { try parse("3 1\n0 1 0.5 9\n") }
    }

    @Test("embedding export and reading back gives the same instance")
    func exportRoundTrip() throws {
        var values = [Float]()
        for i in 0..<24 { values.append(Float(sin(Double(i) * 1.7) + 0.1)) }
        let embeddings = try Embeddings(count: 8, dimension: 3, values: values)
        let source = try EmbeddingCostSource(embeddings)
        let costs = try CostFunction(cal: 0.5)
        let matrix = try SymmetricCostMatrix(nodeCount: 8)
        let fill = try source.fill(matrix, costs: costs, threads: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-graph-\(UUID().uuidString).txt")
        try TextGraphWriter.writeNormalizedSimilarities(of: embeddings, range: try #require(fill.range), to: url)
        let graph = try TextGraphReader.read(contentsOf: url, values: .normalizedSimilarity)
        #expect(graph.nodeCount == 8 && graph.sources.count == 28)
        for e in 0..<28 {
            let w = costs.cost(normalizedSimilarity: graph.values[e])
            #expect(abs(w - Double(matrix[Int(graph.sources[e]), Int(graph.targets[e])])) < 1e-4)
        }
        #expect(graph.values.min() == 0 && graph.values.max() == 1)
    }
}
