import Foundation
import FrameCutCore
import FrameCutIO

/// A one-line error for the user; the CLI prints it and exits non-zero.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Loading the CLI's inputs with messages that name the file.
enum InputLoading {
    /// Reads embeddings from `.npy` (2-D float array) or `.npz` (array `embeddings`, or the only array).
    /// `memoryLimit` bounds what an `.npz` may inflate to (see ``NPZArchive``).
    static func embeddings(_ path: String, arrayName: String? = nil, memoryLimit: UInt64 = MemoryBudget.defaultLimit) throws -> Embeddings {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("\(path): no such file") }
        let kind = FileKind.of(path)
        guard kind == .regular else { throw UserError("\(path) is \(kind.phrase), not a regular file") }
        let array: NPYArray
        do {
            if path.lowercased().hasSuffix(".npz") {
                let archive = try NPZArchive(contentsOf: url, memoryLimit: memoryLimit)
                if let arrayName {
                    array = try archive.array(named: arrayName)
                } else if archive.arrays.count == 1, let only = archive.arrays.values.first {
                    array = only
                } else {
                    array = try archive.array(named: "embeddings")
                }
            } else {
                array = try NPYFile.read(contentsOf: url)
            }
        } catch let error as NPYError {
            throw UserError("\(path): \(error)")
        }
        guard array.shape.count == 2 else {
            throw UserError("\(path): expected a 2-D array (images x dimensions), found shape \(array.shape)")
        }
        guard array.dataType == .float32 || array.dataType == .float64 else {
            throw UserError("\(path): expected float32 or float64 embeddings, found dtype '\(array.dataType.rawValue)'")
        }
        return try Embeddings(count: array.shape[0], dimension: array.shape[1], values: array.floatValues())
    }

    /// Reads one name per line (see ``NameList``: blank or repeated names are an error, so that
    /// rows and names stay aligned and every clustering `stats` can read).
    static func names(_ path: String?, count: Int) throws -> [String] {
        guard let path else { return (0..<count).map(String.init) }
        let lines = try NameList.read(path: path)
        guard lines.count == count else {
            throw UserError("\(path): \(lines.count) names for \(count) embedding rows; they must match one to one")
        }
        return lines
    }

    /// Reads int labels from `.npy`.
    static func labels(_ path: String) throws -> [Int32] {
        do {
            let array = try NPYFile.read(contentsOf: URL(fileURLWithPath: path))
            guard array.shape.count == 1 else { throw UserError("\(path): expected a 1-D label array, found shape \(array.shape)") }
            return try array.int32Values()
        } catch let error as NPYError {
            throw UserError("\(path): \(error)")
        }
    }

    static func cost(cal: Double) throws -> CostFunction {
        do { return try CostFunction(cal: cal) } catch { throw UserError("\(error)") }
    }
}
