import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut import`: embeddings computed elsewhere (e.g. in Python) into the store, keyed by
/// the content of the named image files, so `run` and `export` use them like FrameCut's own.
public struct EmbeddingImport: Sendable {
    /// The `.npy` (2-D float32/float64, one row per name).
    public var embeddings: URL
    /// One path relative to `folder` per row.
    public var names: URL
    /// The image folder the names are relative to (files are hashed, never written).
    public var folder: URL
    public var key: StoredModelKey
    /// How the images were preprocessed (free text or JSON; stored with the model).
    public var preprocessing: String

    public init(embeddings: URL, names: URL, folder: URL, key: StoredModelKey, preprocessing: String) {
        self.embeddings = embeddings
        self.names = names
        self.folder = folder
        self.key = key
        self.preprocessing = preprocessing
    }

    /// Imports every row, all or nothing: everything is validated first, then written in one transaction.
    /// - Returns: the number of rows imported.
    @discardableResult
    public func run(store: EmbeddingStore) throws -> Int {
        let array: NPYArray
        do { array = try NPYFile.read(contentsOf: embeddings) } catch { throw PipelineError.input(path: embeddings.path, reason: "\(error)") }
        guard array.shape.count == 2, array.shape[0] >= 1, array.shape[1] >= 1 else {
            throw PipelineError.input(path: embeddings.path, reason: "expected a 2-D array (images x dimensions), found shape \(array.shape)")
        }
        let (rows, width) = (array.shape[0], array.shape[1])
        let nameList: [String]
        do { nameList = try LabelFileReader.readNames(path: names.path, expected: rows, for: embeddings.path) }
        catch { throw PipelineError.input(path: names.path, reason: "\(error)") }
        let values = array.floatValues()
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw PipelineError.input(path: embeddings.path, reason: "row \(bad / width) has a non-finite value")
        }
        var images = try store.images()
        var batch = StoreBatch()
        for (i, name) in nameList.enumerated() {
            let url = folder.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value, let date = attributes[.modificationDate] as? Date,
                  let hash = try? SHA256.hex(fileAt: url) else {
                throw PipelineError.input(path: names.path, reason: "line \(i + 1): cannot read \(url.path)")
            }
            var image = images[name] ?? StoredImage(path: name, size: size, modificationTime: date.timeIntervalSince1970, contentHash: hash)
            if image.contentHash != hash || image.size != size {
                image = StoredImage(path: name, size: size, modificationTime: date.timeIntervalSince1970, contentHash: hash)
            }
            if image.status == .pending || image.status == .failed { image.status = .ok; image.reason = nil }
            images[name] = image
            batch.embeddings.append((hash, Array(values[(i * width)..<((i + 1) * width)])))
        }
        let model = try store.model(key, preprocessing: preprocessing, width: width)
        try store.replaceImages(images.values.sorted { PathOrder.precedes($0.path, $1.path) })
        try store.commit(batch, model: model)
        return rows
    }
}
