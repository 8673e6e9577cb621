import ArgumentParser
import Foundation
import FrameCutIO
import FrameCutPipeline

/// `framecut export --store S --model M --out X.npy`: stored embeddings to `.npy` for Python.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the stored embeddings of one model as .npy + names + metadata (for Python).",
        discussion: """
        Rows follow the paths of the store's collection (as of its last scan) that have an \
        embedding under the model; every stored vector is checked (width, finite values) as it is \
        read. When the store holds the model with several weights files or embeddings, choose one \
        with --weights-sha (a prefix is enough) or --embedding.
        """
    )

    @Option(help: "The embedding store.")
    var store: String = "framecut.sqlite"

    @Option(help: "Model id as stored (see `framecut models`).")
    var model: String

    @Option(help: "Embedding variant (default: the only one stored).")
    var embedding: String?

    @Option(name: .customLong("weights-sha"), help: "SHA-256 of the weights file, or a prefix of it.")
    var weightsSHA: String?

    @Option(help: "Output embeddings (.npy).")
    var out: String

    @Option(help: "Output names file (default: OUT with .names.txt).")
    var names: String?

    func run() throws {
        try CLIRunner.run {
            guard FileManager.default.fileExists(atPath: store) else { throw UserError("\(store): no such store") }
            let files = EmbeddingFiles(out: URL(fileURLWithPath: out), names: names.map { URL(fileURLWithPath: $0) })
            try OutputPaths.check(files: [.init(files.embeddings, "--out"), .init(files.names, "--names"), .init(files.metadata, "the metadata file")],
                                  inputs: [.init(URL(fileURLWithPath: store), "--store")], imageFolders: [])
            let opened = try EmbeddingStore(url: URL(fileURLWithPath: store), access: .readOnly)
            let set = try EmbeddingExport.read(store: opened, selection: ModelSelection(name: model, variant: embedding, weightsSHA256: weightsSHA))
            try files.write(set, metadata: EmbeddingFileMetadata(set, weights: nil, store: opened.url, batch: nil, threads: nil))
            print("\(set.names.count) embeddings of \(set.model.key) (\(set.width)-d); \(set.skipped.count) images of the collection without one")
            print("wrote \(files.embeddings.path), \(files.names.path), \(files.metadata.path)")
        }
    }
}
