import Foundation

/// Why a report could not be written: one line naming the file or folder.
public enum ReportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The run folder or one of its files is missing or malformed.
    case input(path: String, reason: String)
    /// The report folder could not be written.
    case output(path: String, reason: String)
    /// An option is out of range.
    case invalidOption(name: String, reason: String)

    public var description: String {
        switch self {
        case .input(let path, let reason): return "\(path): \(reason)"
        case .output(let path, let reason): return "\(path): cannot write the report: \(reason)"
        case .invalidOption(let name, let reason): return "\(name): \(reason)"
        }
    }
}
