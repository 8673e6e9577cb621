import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutReport

/// `framecut report RUN_DIR [--out DIR]`: the HTML report of a run folder.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the HTML report of a run folder (plots, galleries, cluster pages, map).",
        discussion: """
        Reads RUN_DIR (written by `framecut run`: run.json and one folder per model) and writes a \
        static folder that opens in any browser offline: index.html (images, models, cal and how it \
        was chosen, energies, timings, the cluster statistics of every model, the VI heat map), one \
        page per model (cluster-size box and rank-size plots, similarity densities with mu and 1 - cal, \
        with labels the clean/mixed table and the contingency of the largest clusters, galleries of \
        the largest clusters, a UMAP map), one page per cluster (all images, similarity to the cluster \
        mean, file names to copy, a CSV) and one per pair of models (matched clusters). Thumbnails \
        are made from the run's image folder; the embeddings come from the run's store (without \
        it there is no map and no similarity to the mean). Only relative links; no network.
        """
    )

    @Argument(help: "The run folder (with run.json).")
    var runFolder: String

    @Option(help: "Output folder (default: RUN_DIR/report); an existing report there is replaced.")
    var out: String?

    @Option(help: "Largest clusters shown as galleries per model.")
    var galleryClusters = 12

    @Option(help: "Thumbnails per gallery (an evenly spaced sample).")
    var gallerySample = 12

    @Option(help: "Images per cluster page (larger clusters get several pages).")
    var imagesPerPage = 1000

    @Option(help: "Longest thumbnail side in pixels.")
    var thumbnailSize = 96

    @Option(help: "At most this many points on each model's map.")
    var mapPoints = 5000

    @Option(help: "How each map's UMAP starts: spectral (umap-learn's default; PCA when it does not converge) or pca.")
    var mapInit: String = "spectral"

    @Flag(help: "No thumbnails (pages list names only).")
    var noThumbnails = false

    @Flag(help: "No UMAP map.")
    var noMap = false

    @Option(help: "Worker threads.")
    var threads = ParallelWork.processorCount

    func validate() throws {
        do { _ = try ReportOptions.mapInitialization(mapInit) } catch { throw ValidationError("\(error)") }
    }

    var options: ReportOptions {
        var o = ReportOptions()
        o.mapInit = UMAPOptions.Initialization(rawValue: mapInit) ?? .spectral
        o.galleryClusters = galleryClusters
        o.gallerySample = gallerySample
        o.imagesPerPage = imagesPerPage
        o.thumbnailSize = thumbnailSize
        o.mapPoints = mapPoints
        o.thumbnails = !noThumbnails
        o.map = !noMap
        o.threads = threads
        return o
    }

    func run() throws {
        try CLIRunner.run {
            let run = URL(fileURLWithPath: runFolder)
            let target = out.map { URL(fileURLWithPath: $0) } ?? run.appendingPathComponent("report")
            let summary = try RunReport.write(runFolder: run, out: target, options: options)
            for note in summary.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            print("wrote \(target.path)/index.html: \(summary.pages) pages, \(summary.thumbnails) thumbnails"
                  + (summary.failedThumbnails > 0 ? " (\(summary.failedThumbnails) images without one)" : "")
                  + String(format: ", %.1f s", summary.seconds))
        }
    }
}
