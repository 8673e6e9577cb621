import Foundation

/// Why the embedding store cannot be used; each case names the store file and what is wrong.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file exists but is not a FrameCut store (not SQLite, or other tables).
    case notAStore(path: String, reason: String)
    /// The store was written by a newer FrameCut (a schema migration this version does not know).
    case newerSchema(path: String)
    /// A stored embedding is not `width` finite float32 values.
    case corruptEmbedding(path: String, contentHash: String, model: String, reason: String)
    /// The store knows this model key with another preprocessing or width.
    case modelMismatch(path: String, model: String, reason: String)
    /// No model in the store matches the selection.
    case unknownModel(path: String, selection: String, available: [String])
    /// Several models match the selection.
    case ambiguousModel(path: String, selection: String, candidates: [String])
    /// Embeddings handed to the store have the wrong size or non-finite values.
    case invalidEmbedding(path: String, contentHash: String, reason: String)
    /// Any other SQLite failure.
    case database(path: String, reason: String)
    /// Two stores being merged disagree about a row.
    case conflict(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAStore(let path, let reason):
            return "\(path): not a FrameCut embedding store (\(reason))"
        case .newerSchema(let path):
            return "\(path): written by a newer FrameCut (unknown schema migration); use that version or another --store"
        case .corruptEmbedding(let path, let hash, let model, let reason):
            return "\(path): corrupt embedding of image \(hash) for \(model): \(reason); delete the store or that row and run again"
        case .modelMismatch(let path, let model, let reason):
            return "\(path): model \(model) is stored with \(reason); use another --store"
        case .unknownModel(let path, let selection, let available):
            return "\(path): no embeddings of \(selection); stored: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .ambiguousModel(let path, let selection, let candidates):
            return "\(path): \(selection) matches several stored models (\(candidates.joined(separator: ", "))); add --weights-sha or --embedding"
        case .invalidEmbedding(let path, let hash, let reason):
            return "\(path): embedding of image \(hash) not stored: \(reason)"
        case .database(let path, let reason):
            return "\(path): \(reason)"
        case .conflict(let path, let reason):
            return "\(path): \(reason); refusing to merge"
        }
    }
}
