import ArgumentParser
import Foundation
import FrameCutIO
import FrameCutPipeline

/// `framecut import X.npy --names N --folder F --store S --model M --weights-sha SHA`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Put embeddings computed elsewhere (e.g. in Python) into the store, keyed by the content of the named images.",
        discussion: """
        EMBEDDINGS is a 2-D float .npy, one row per line of --names (paths relative to --folder). \
        Each named file is hashed (never written), so later `run`, `embed` and `export` with the \
        same model key (--model, --embedding, weights SHA-256) use these rows instead of computing \
        them. Every row is checked (width, finite values) before anything is written; the import \
        is one transaction.
        """
    )

    @Argument(help: "Embeddings (.npy, rows = images).")
    var embeddings: String

    @Option(help: "Names file: one path relative to --folder per row.")
    var names: String

    @Option(help: "The image folder the names refer to (read only).")
    var folder: String

    @Option(help: "The embedding store.")
    var store: String = "framecut.sqlite"

    @Option(help: "Model name (a `framecut models` id, or your own name for a model FrameCut does not run).")
    var model: String

    @Option(help: "Embedding variant name (default: the catalog model's default embedding, else 'default').")
    var embedding: String?

    @Option(help: "The weights file the embeddings were computed with (hashed).")
    var weights: String?

    @Option(name: .customLong("weights-sha"), help: "Its SHA-256 instead of the file (64 hex digits).")
    var weightsSHA: String?

    @Option(help: "How the images were preprocessed (stored with the model; default: the catalog model's recipe, else 'imported').")
    var preprocessing: String?

    func validate() throws {
        guard (weights == nil) != (weightsSHA == nil) else { throw ValidationError("give either --weights or --weights-sha") }
        if let weightsSHA, weightsSHA.count != 64 || !weightsSHA.allSatisfy(\.isHexDigit) {
            throw ValidationError("--weights-sha: expected 64 hex digits")
        }
    }

    func run() throws {
        try CLIRunner.run {
            let folderURL = URL(fileURLWithPath: folder), storeURL = URL(fileURLWithPath: store)
            try OutputPaths.check(files: [.init(storeURL, "--store")],
                                  inputs: [.init(URL(fileURLWithPath: embeddings), "EMBEDDINGS"), .init(URL(fileURLWithPath: names), "--names")],
                                  imageFolders: [.init(folderURL, "--folder")])
            let sha: String
            if let weights {
                do { sha = try FrameCutIO.SHA256.hex(fileAt: URL(fileURLWithPath: weights)) } catch { throw UserError("\(weights): cannot open weights file") }
            } else {
                sha = weightsSHA?.lowercased() ?? ""
            }
            let embedding = self.embedding ?? ImportDefaults.variant(model: model)
            let recipe = try preprocessing ?? ImportDefaults.preprocessing(model: model, embedding: embedding)
            let job = EmbeddingImport(embeddings: URL(fileURLWithPath: embeddings), names: URL(fileURLWithPath: names), folder: folderURL,
                                      key: StoredModelKey(name: model, variant: embedding, weightsSHA256: sha), preprocessing: recipe)
            let count = try job.run(store: try EmbeddingStore(url: storeURL))
            print("imported \(count) embeddings of \(model)/\(embedding)@\(sha.prefix(12)) into \(store)")
        }
    }
}
