import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// `framecut embed FOLDER --model M --weights FILE --out X.npy`.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed every image of a folder with a pretrained model, on the CPU.",
        discussion: """
        Walks FOLDER recursively (JPEG, PNG, WebP, GIF, BMP), preprocesses each image as the model's \
        reference does, and writes OUT (float32 .npy, one row per usable image), the names file \
        (one path relative to FOLDER per row; default OUT with .names.txt) and OUT with .json \
        (model, weights SHA-256, preprocessing, failures, timing). Images that cannot be decoded \
        are reported and skipped; truncated ones are used as far as they decode, with a warning. \
        Finished batches are kept in OUT.parts/ until the run completes, so running the same \
        command again after an interruption resumes. Feed the result to `framecut cluster \
        --embeddings OUT --names NAMES`.
        """
    )

    @Argument(help: "The image folder.")
    var folder: String

    @Option(help: "Model id (see `framecut models`).")
    var model: String

    @Option(help: "Weights file: safetensors or PyTorch .pth/.pt/.bin (zip or legacy format).")
    var weights: String

    @Option(help: "Output embeddings (.npy).")
    var out: String

    @Option(help: "Output names file (default: OUT with .names.txt).")
    var names: String?

    @Option(help: "Images per forward pass.")
    var batch: Int = 16

    @Option(help: "Threads for decoding and the forward pass (default: all processors).")
    var threads: Int?

    @Option(help: "Which embedding the model returns, for models with several (see `framecut models`; e.g. vgg19-bn: fc7 or pool).")
    var embedding: String?

    @Flag(help: "Discard the partial results of an earlier, different run in OUT.parts/.")
    var restart = false

    @Flag(help: "Include files and folders whose name starts with '.'.")
    var includeHidden = false

    func run() throws {
        try CLIRunner.run {
            guard let descriptor = ModelCatalog.named(model) else {
                throw UserError("unknown model '\(model)'; available: \(ModelCatalog.all.map(\.id).joined(separator: ", "))")
            }
            guard batch >= 1 else { throw UserError("--batch must be at least 1") }
            let threads = self.threads ?? ProcessInfo.processInfo.activeProcessorCount
            guard threads >= 1 else { throw UserError("--threads must be at least 1") }
            let outURL = URL(fileURLWithPath: out)
            let stem = outURL.pathExtension == "npy" ? outURL.deletingPathExtension() : outURL
            let namesURL = URL(fileURLWithPath: names ?? stem.path + ".names.txt")
            let metaURL = URL(fileURLWithPath: stem.path + ".json")
            let partsURL = URL(fileURLWithPath: outURL.path + ".parts")

            let listing: CollectionListing
            do { listing = try CollectionWalker.list(URL(fileURLWithPath: folder), options: CollectionWalkOptions(includeHidden: includeHidden)) }
            catch { throw UserError("\(error)") }
            guard !listing.files.isEmpty else { throw UserError(EmbeddingError.noImages(folder: folder).description) }

            let start = Date()
            let weightsURL = URL(fileURLWithPath: weights)
            let weightsHash: String
            do { weightsHash = try SHA256.hex(fileAt: weightsURL) } catch { throw UserError("\(weightsURL.path): cannot open weights file") }
            let options = ModelOptions(embedding: embedding)
            let variant: EmbeddingVariant
            do { variant = try descriptor.embedding(for: options) } catch { throw UserError("\(error)") }
            let network: any ImageEmbeddingModel
            do { network = try descriptor.load(contentsOf: weightsURL, options: options) }
            catch { throw UserError("\(error)") }
            let loadSeconds = Date().timeIntervalSince(start)

            if restart { try? FileManager.default.removeItem(at: partsURL) }
            let identity = "\(descriptor.id) \(variant.name) \(weightsHash) \(descriptor.preprocessing.name)"
            let embedder = CollectionEmbedder(model: network, preprocessing: descriptor.preprocessing, batchSize: batch, threads: threads)
            let showProgress = ProgressReporter.enabled
            let embedStart = Date()
            let writer = try NPYRowWriter(url: outURL, columns: network.embeddingWidth)
            let result: EmbeddingRun
            do {
                result = try embedder.run(listing.files.map { ($0.relativePath, $0.url) }, parts: partsURL, runIdentity: identity,
                                          rows: { try writer.append($0) }) { done, total in
                    if showProgress {
                        let rate = Double(done) / max(Date().timeIntervalSince(embedStart), 1e-9)
                        FileHandle.standardError.write(Data("\rframecut embed: \(done)/\(total) images (\(String(format: "%.1f", rate)) img/s)".utf8))
                        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
                    }
                    return true
                }
            } catch let error as EmbeddingError {
                throw UserError(error.description)
            }
            let seconds = Date().timeIntervalSince(embedStart)
            for f in result.failures { FileHandle.standardError.write(Data("skipped \(f.name): \(f.reason)\n".utf8)) }
            for w in result.warnings { FileHandle.standardError.write(Data("warning \(w.name): \(w.reason)\n".utf8)) }
            guard !result.names.isEmpty else { throw UserError("none of the \(listing.files.count) files under \(folder) could be used") }

            try writer.finish()
            try AtomicFile.write(result.names.joined(separator: "\n") + "\n", to: namesURL)
            let meta = EmbeddingMetadata(
                model: descriptor.id, title: descriptor.title, weights: weightsURL.path, weightsSHA256: weightsHash,
                embedding: variant.name,
                preprocessing: descriptor.preprocessing, embeddingWidth: result.width, images: result.names.count,
                files: listing.files.count, failures: result.failures, warnings: result.warnings, batch: batch, threads: threads,
                secondsLoadingWeights: loadSeconds, secondsEmbedding: seconds, resumedBatches: result.resumedBatches,
                framecutVersion: FrameCutVersion.string)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(encoder.encode(meta), to: metaURL)
            try? FileManager.default.removeItem(at: partsURL)

            print("\(result.names.count) images embedded with \(descriptor.id) (\(result.width)-d) in \(String(format: "%.1f", seconds)) s " +
                  "(\(String(format: "%.1f", Double(result.names.count) / max(seconds, 1e-9))) img/s)" +
                  (result.resumedBatches > 0 ? ", \(result.resumedBatches) batches resumed" : ""))
            if !result.failures.isEmpty { print("\(result.failures.count) files skipped (listed in \(metaURL.path))") }
            print("wrote \(outURL.path), \(namesURL.path), \(metaURL.path)")
        }
    }
}

/// `OUT.json` of `framecut embed`: what made the embeddings.
struct EmbeddingMetadata: Encodable {
    let model: String
    let title: String
    let weights: String
    let weightsSHA256: String
    let embedding: String
    let preprocessing: Preprocessing
    let embeddingWidth: Int
    let images: Int
    let files: Int
    let failures: [EmbeddingRun.Failure]
    let warnings: [EmbeddingRun.Failure]
    let batch: Int
    let threads: Int
    let secondsLoadingWeights: Double
    let secondsEmbedding: Double
    let resumedBatches: Int
    let framecutVersion: String
}
