import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

extension LogBase: ExpressibleByArgument {}
extension SimilarityPrecision: ExpressibleByArgument {}

/// Output options shared by the analysis commands.
struct AnalysisOutputOptions: ParsableArguments {
    @Option(name: .customLong("out"), help: ArgumentHelp("Write the JSON and CSV results into this folder.", valueName: "dir"))
    var out: String?

    @Flag(name: .customLong("json"), help: "Print the JSON result on stdout instead of the readable summary.")
    var json = false

    /// Checks, before any work, that `--out` can be a folder and that `inputs` are intact.
    func check(_ inputs: OutputGuard) throws {
        var paths = inputs
        paths.outputFolder(out, flag: "--out", files: [])
        try paths.check()
    }

    /// Writes the files (if `--out`) and prints the JSON or the summary. No file of `inputs`
    /// is ever written over (see ``OutputGuard``).
    func emit(files: [(name: String, data: Data)], inputs: OutputGuard, summary: @autoclosure () -> String) throws {
        if let out {
            var paths = inputs
            paths.outputFolder(out, flag: "--out", files: files.map(\.name))
            try paths.check()
            try AnalysisOutput.write(files: files, into: out)
        }
        if json, let first = files.first {
            FileHandle.standardOutput.write(first.data)
        } else {
            var text = summary()
            if let out { text += "\nwrote " + files.map { (out as NSString).appendingPathComponent($0.name) }.joined(separator: ", ") }
            print(text)
        }
    }
}

/// Entropy units.
struct EntropyOptions: ParsableArguments {
    @Option(name: .customLong("log-base"), help: "Logarithm of entropies and VI: 'natural' (nats, as the paper) or 'bits'.")
    var logBase: LogBase = .natural
}

/// Item names for `.npy` label files, which carry none.
struct ItemNameOptions: ParsableArguments {
    @Option(name: .customLong("item-names"), help: ArgumentHelp("Names (one per line) for the rows of .npy label files; without them .npy rows are matched by position.", valueName: "file"))
    var itemNames: String?

    /// Registers a clustering argument (and the names file) as inputs.
    func register(_ path: String, flag: String, in paths: inout OutputGuard) {
        paths.inputs(LabelFileReader.inputFiles(for: path), flag: flag)
        paths.input(itemNames, flag: "--item-names")
    }

    func read(_ path: String) throws -> NamedLabels {
        try LabelFileReader.read(path: path, namesFile: itemNames)
    }
}

/// How to match the items of several clusterings.
struct MatchingOptions: ParsableArguments {
    @Flag(name: .customLong("intersection"), help: "Use only the items every input names (default: the inputs must name the same items).")
    var intersection = false

    var mode: LabelAlignment.Mode { intersection ? .intersection : .exact }
}
