import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

/// A run folder as written by `framecut run`, read back for the report: `run.json`, each
/// model's `clusters.csv` and `similarity.json`, the class labels and (when the store is still
/// there) the embeddings.
public struct RunFolder: Sendable {
    /// One model's outputs.
    public struct Model: Sendable {
        public let record: ModelRunRecord
        /// `clusters.csv`: image names (relative to the image folder) and cluster labels.
        public let clustering: NamedLabels
        /// From `similarity.json` (absent for fewer than 3 images).
        public let similarity: SimilarityDistribution?
    }

    public let url: URL
    public let record: RunRecord
    public let models: [Model]
    /// The image folder of the run, when it still exists.
    public let imageFolder: URL?
    /// The class labels of `--labels`, when given and still readable.
    public let classes: NamedLabels?
    /// The embedding store, when it still exists.
    public let store: URL?
    /// Notes for the reader about inputs that could not be found.
    public let notes: [String]

    private struct SimilarityFile: Decodable { let distribution: SimilarityDistribution }

    /// Reads the run folder. Missing image folder, labels or store are noted, not errors;
    /// a missing or malformed `run.json` or `clusters.csv` is an error.
    public static func load(_ url: URL) throws -> RunFolder {
        let runJSON = url.appendingPathComponent("run.json")
        let record: RunRecord
        do {
            record = try Self.decoder().decode(RunRecord.self, from: Data(contentsOf: runJSON))
        } catch let error as DecodingError {
            throw ReportError.input(path: runJSON.path, reason: "not a run.json of framecut run (\(Self.describe(error)))")
        } catch {
            throw ReportError.input(path: runJSON.path, reason: "cannot read: \(error.localizedDescription)")
        }
        var notes: [String] = []
        var models: [Model] = []
        for m in record.models {
            guard !m.folder.contains("/"), !m.folder.hasPrefix(".") else {
                throw ReportError.input(path: runJSON.path, reason: "model folder '\(m.folder)' is not a plain folder name")
            }
            let folder = url.appendingPathComponent(m.folder)
            let csv = folder.appendingPathComponent("clusters.csv")
            let clustering: NamedLabels
            do { clustering = try LabelFileReader.readCSV(path: csv.path) } catch {
                throw ReportError.input(path: csv.path, reason: "\(error)")
            }
            guard clustering.names != nil, clustering.count == m.imagesUsed else {
                throw ReportError.input(path: csv.path, reason: "expected \(m.imagesUsed) named rows as run.json says, found \(clustering.count)")
            }
            var similarity: SimilarityDistribution?
            let simURL = folder.appendingPathComponent("similarity.json")
            if FileManager.default.fileExists(atPath: simURL.path) {
                do { similarity = try Self.decoder().decode(SimilarityFile.self, from: Data(contentsOf: simURL)).distribution } catch {
                    throw ReportError.input(path: simURL.path, reason: "malformed similarity.json: \(error.localizedDescription)")
                }
            }
            models.append(Model(record: m, clustering: clustering, similarity: similarity))
        }
        let imageFolder = locate(record.folder, relativeTo: url)
        if imageFolder == nil { notes.append("The image folder \(URL(fileURLWithPath: record.folder).lastPathComponent) was not found: no thumbnails.") }
        var classes: NamedLabels?
        if let labels = record.labels {
            if let found = locate(labels, relativeTo: url) {
                do { classes = try LabelFileReader.read(path: found.path) } catch {
                    notes.append("The labels file could not be read (\(error)): no label sections.")
                }
            } else {
                notes.append("The labels file \(URL(fileURLWithPath: labels).lastPathComponent) was not found: no label sections.")
            }
        }
        let store = locate(record.store, relativeTo: url)
        if store == nil { notes.append("The embedding store was not found: no similarity to cluster means and no map.") }
        return RunFolder(url: url, record: record, models: models, imageFolder: imageFolder, classes: classes, store: store, notes: notes)
    }

    /// A decoder for FrameCut's JSON outputs (`AnalysisOutput.json`: snake-case keys,
    /// non-finite numbers as "inf", "-inf", "nan"). Snake case loses the capitals of
    /// `energyGAEC`, `clustersGAEC` and `weightsSHA256`; they are mapped back.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last?.stringValue ?? ""
            let parts = key.split(separator: "_", omittingEmptySubsequences: false)
            var camel = String(parts.first ?? "")
            for part in parts.dropFirst() { camel += part.prefix(1).uppercased() + part.dropFirst() }
            let acronyms = ["energyGaec": "energyGAEC", "clustersGaec": "clustersGAEC", "weightsSha256": "weightsSHA256"]
            return ReportCodingKey(acronyms[camel] ?? camel)
        }
        return decoder
    }

    /// `path` as recorded (absolute, or relative to the working directory of the run), tried
    /// as is and then relative to the run folder's parent.
    static func locate(_ path: String, relativeTo run: URL) -> URL? {
        let candidates = path.hasPrefix("/") ? [URL(fileURLWithPath: path)]
            : [URL(fileURLWithPath: path), run.deletingLastPathComponent().appendingPathComponent(path)]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "key '\(key.stringValue)' missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "at '\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The model's embeddings in `clusters.csv` row order, from the store; nil (with the reason)
    /// when the store, an image or an embedding is not there any more.
    public func embeddings(of model: Model) -> (values: [Float], width: Int)? {
        guard let store, let names = model.clustering.names else { return nil }
        do {
            let db = try EmbeddingStore(url: store, access: .readOnly)
            let key = StoredModelKey(name: model.record.model, variant: model.record.embedding, weightsSHA256: model.record.weightsSHA256)
            guard let stored = try db.models().first(where: { $0.key == key }), stored.width == model.record.embeddingWidth else { return nil }
            let images = try db.images()
            var hashes: [String] = []
            hashes.reserveCapacity(names.count)
            for name in names {
                guard let image = images[name] else { return nil }
                hashes.append(image.contentHash)
            }
            return (try db.embeddings(model: stored, hashes: hashes), stored.width)
        } catch {
            return nil
        }
    }
}

/// A coding key made from a string (for the key-decoding strategy).
struct ReportCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
