import Foundation
import Testing

/// The analysis tests' helpers: the shared `CLIHarness`, plus golden files under Golden/analysis.
enum AnalysisCLI {
    typealias Result = CLIHarness.Result

    static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        try CLIHarness.run(arguments, in: directory)
    }

    static func tempDir() throws -> String { try CLIHarness.temporaryFolder() }

    static func write(_ text: String, _ path: String) throws { try CLIHarness.write(text, path) }

    static func writeNPY(_ values: [Float], rows: Int, columns: Int, to path: String) throws {
        try CLIHarness.writeNPY(values, rows: rows, columns: columns, to: path)
    }

    /// Golden text files under Golden/analysis; FRAMECUT_UPDATE_GOLDEN=1 rewrites them.
    static func golden(_ name: String) -> String? {
        guard let url = Bundle.module.url(forResource: "Golden/analysis/\(name)", withExtension: nil) else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    static func updateGolden(_ name: String, _ text: String) throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden/analysis")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }
}
