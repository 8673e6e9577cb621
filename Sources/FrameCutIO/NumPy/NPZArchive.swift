import Foundation
import FrameCutCore
import ZIPFoundation

/// Reading NumPy `.npz` archives (stored or deflated members, each a `.npy` file).
///
/// Like NumPy, every member's CRC-32 is verified: a flipped byte is an error, never another
/// array. Members are bounded before they are inflated: the declared uncompressed sizes must
/// fit `memoryLimit` together, and inflating stops at a member's declared size (a zip bomb
/// that lies about its size is refused as soon as it exceeds it).
public struct NPZArchive: Sendable {
    /// The member arrays by name (the member file name without `.npy`).
    public let arrays: [String: NPYArray]

    public init(contentsOf url: URL, memoryLimit: UInt64 = MemoryBudget.defaultLimit) throws {
        do {
            _ = try InputFile.regularFileSize(at: url.path)
        } catch {
            throw NPYError.archive(error.description)
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw NPYError.archive("\(url.path): not a zip archive (\(error))")
        }
        let members = archive.filter { $0.type == .file }
        var declared: UInt64 = 0
        for entry in members {
            let (sum, overflow) = declared.addingReportingOverflow(entry.uncompressedSize)
            guard !overflow, sum <= memoryLimit else {
                throw NPYError.archive("\(url.path): its members declare \(overflow ? "more than 16 EiB" : MemoryBudget.format(sum)) uncompressed, more than the memory limit of \(MemoryBudget.format(memoryLimit)) (raise --max-memory if the machine has it)")
            }
            declared = sum
        }
        var arrays = [String: NPYArray]()
        for entry in members {
            let size = entry.uncompressedSize
            var data = Data()
            data.reserveCapacity(Int(size))
            let checksum: UInt32
            do {
                checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard UInt64(data.count) + UInt64(chunk.count) <= size else { throw NPZMemberError.largerThanDeclared }
                    data.append(chunk)
                }
            } catch NPZMemberError.largerThanDeclared {
                throw NPYError.archive("\(url.path): member \(entry.path) inflates to more than its declared \(size) bytes")
            } catch {
                throw NPYError.archive("\(url.path): member \(entry.path): \(error)")
            }
            guard UInt64(data.count) == size else {
                throw NPYError.archive("\(url.path): member \(entry.path) holds \(data.count) bytes, its header declares \(size)")
            }
            guard checksum == entry.checksum else {
                throw NPYError.archive("\(url.path): member \(entry.path) is corrupt (CRC-32 \(String(format: "%08x", checksum)), expected \(String(format: "%08x", entry.checksum)))")
            }
            var name = entry.path
            if name.hasSuffix(".npy") { name.removeLast(4) }
            guard arrays[name] == nil else { throw NPYError.archive("\(url.path): member \(entry.path) occurs twice") }
            do {
                arrays[name] = try NPYFile.decode(data)
            } catch {
                throw NPYError.archive("\(url.path): member \(entry.path): \(error)")
            }
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

/// Stops inflating a member that grows past its declared size.
private enum NPZMemberError: Error {
    case largerThanDeclared
}
