import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutPipeline

/// `framecut embed FOLDER --model M --weights FILE --out X.npy`.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed every image of a folder with a pretrained model, on the CPU, through the embedding store.",
        discussion: """
        Walks FOLDER recursively (JPEG, PNG, WebP, GIF, BMP), embeds every image the store (--store) \
        does not hold yet for this model, embedding and weights file, with the model's reference \
        preprocessing, and writes OUT (float32 .npy, one row per usable image), the names file (one \
        path relative to FOLDER per row; default OUT with .names.txt) and OUT with .json (model, \
        weights SHA-256, preprocessing, skipped files with reasons, timing). Images that cannot be \
        decoded are reported and skipped; truncated ones are used as far as they decode, with a \
        warning. Every batch is committed to the store, so running the same command again after an \
        interruption continues; Ctrl-C finishes the current batch first. Exit status: 0 completed, \
        3 completed with skipped files, 130 interrupted, 1 error.

        Across machines: --shard i/N (i = 0...N-1) embeds only the files whose relative path \
        hashes to share i (SHA-256 of the path, mod N: the same on every machine, whatever the \
        threads or listing order; only those files are read) into a store of its own (--store, \
        one per shard), which records the share; --out is then optional. `framecut merge` \
        combines the N shard stores into one store of the whole folder.
        """
    )

    @Argument(help: "The image folder (read only).")
    var folder: String

    @Option(help: "Model id (see `framecut models`).")
    var model: String

    @Option(help: "Weights file: safetensors or PyTorch .pth/.pt/.bin (zip or legacy format).")
    var weights: String

    @Option(help: "Output embeddings (.npy); optional with --shard.")
    var out: String?

    @Option(help: "Output names file (default: OUT with .names.txt).")
    var names: String?

    @Option(help: "Threads for decoding and the forward pass (default: all processors).")
    var threads: Int?

    @Option(help: "Which embedding the model returns, for models with several (see `framecut models`; e.g. vgg19-bn: fc7 or pool).")
    var embedding: String?

    @Option(help: ArgumentHelp("Embed only share i of N of the folder (i counts from 0) into this --store, for `framecut merge`.", valueName: "i/N"))
    var shard: String?

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let shard {
            do { _ = try ShardSpec(parsing: shard) } catch { throw ValidationError("\(error)") }
        } else if out == nil {
            throw ValidationError("Missing expected argument '--out <out>' (optional only with --shard)")
        }
        if names != nil, out == nil { throw ValidationError("--names needs --out") }
    }

    func run() throws {
        try CLIRunner.run {
            let renderer = pipeline.renderer()
            let files = out.map { EmbeddingFiles(out: URL(fileURLWithPath: $0), names: names.map { URL(fileURLWithPath: $0) }) }
            let share = try shard.map { try ShardSpec(parsing: $0) }
            let job = FolderEmbedding(folder: URL(fileURLWithPath: folder), model: ModelSpec(model: model, weights: URL(fileURLWithPath: weights), embedding: embedding),
                                      store: pipeline.storeURL, files: files, batchSize: pipeline.batch,
                                      threads: threads ?? ParallelWork.processorCount, includeHidden: pipeline.includeHidden, shard: share)
            try job.validate()
            let set = try PipelineOptions.catchingInterrupt(renderer) { try job.execute(progress: renderer.handler) }
            for f in set.skipped { FileHandle.standardError.write(Data("skipped \(f.name): \(f.reason)\n".utf8)) }
            for w in set.warnings { FileHandle.standardError.write(Data("warning \(w.name): \(w.reason)\n".utf8)) }
            print("\(set.names.count) images embedded with \(set.model.key.name) (\(set.width)-d)\(share.map { " in shard \($0)" } ?? ""): " +
                  "\(set.computed) computed, \(set.reused) from \(pipeline.store)" + String(format: " (%.1f s)", set.timing.embedding))
            if !set.skipped.isEmpty { print("\(set.skipped.count) files skipped (listed \(files.map { "in \($0.metadata.path)" } ?? "above"))") }
            if let files { print("wrote \(files.embeddings.path), \(files.names.path), \(files.metadata.path)") }
            renderer.event(["event": "done", "out": out ?? pipeline.store, "skipped": set.skipped.count])
            try PipelineExitStatus.finish(skipped: set.skipped.count)
        }
    }
}
