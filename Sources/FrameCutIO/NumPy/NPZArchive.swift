import Foundation
import ZIPFoundation

/// Reading NumPy `.npz` archives (stored or deflated members, each a `.npy` file).
public struct NPZArchive: Sendable {
    /// The member arrays by name (the member file name without `.npy`).
    public let arrays: [String: NPYArray]

    public init(contentsOf url: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw NPYError.archive("\(url.path): \(error)")
        }
        var arrays = [String: NPYArray]()
        for entry in archive where entry.type == .file {
            var data = Data()
            do {
                _ = try archive.extract(entry) { data.append($0) }
            } catch {
                throw NPYError.archive("member \(entry.path): \(error)")
            }
            var name = entry.path
            if name.hasSuffix(".npy") { name.removeLast(4) }
            arrays[name] = try NPYFile.decode(data)
        }
        self.arrays = arrays
    }

    /// The array with the given name, or a clear error listing what the archive holds.
    public func array(named name: String) throws -> NPYArray {
        guard let array = arrays[name] else {
            throw NPYError.missingArray(name: name, available: arrays.keys.sorted())
        }
        return array
    }
}
