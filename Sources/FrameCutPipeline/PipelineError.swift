import Foundation

/// Why a pipeline run cannot go on. Each case names the file, folder or flag concerned.
public enum PipelineError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The progress handler asked to stop; `committed` images were embedded and stored before.
    case interrupted(stage: PipelineStage, committed: Int)
    case noImages(folder: String)
    case nothingUsable(folder: String, files: Int)
    case unknownModel(name: String, available: [String])
    case weightsUnreadable(path: String, reason: String)
    case outputExists(path: String)
    case outputInsideImages(path: String, folder: String)
    case invalidOption(flag: String, reason: String)
    case input(path: String, reason: String)
    /// A store cannot be used as (or with) a shard of `embed --shard`.
    case shard(store: String, reason: String)
    /// Shard stores that `merge` refuses to combine.
    case merge(reason: String)

    public var description: String {
        switch self {
        case .interrupted(let stage, let committed):
            return "interrupted during \(stage.rawValue); \(committed) images embedded in this run are kept in the store; run the same command again to continue"
        case .noImages(let folder):
            return "no images found under \(folder)"
        case .nothingUsable(let folder, let files):
            return "none of the \(files) files under \(folder) could be used"
        case .unknownModel(let name, let available):
            return "unknown model '\(name)'; available: \(available.joined(separator: ", "))"
        case .weightsUnreadable(let path, let reason):
            return "\(path): \(reason)"
        case .outputExists(let path):
            return "\(path) already exists; pass --force to replace it"
        case .outputInsideImages(let path, let folder):
            return "\(path) is inside the image folder \(folder); FrameCut never writes there, choose another path"
        case .invalidOption(let flag, let reason):
            return "\(flag): \(reason)"
        case .input(let path, let reason):
            return "\(path): \(reason)"
        case .shard(let store, let reason):
            return "\(store): \(reason)"
        case .merge(let reason):
            return "merge: \(reason)"
        }
    }
}
