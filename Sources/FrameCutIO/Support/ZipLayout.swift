import Foundation

/// Checks, before ZIPFoundation reads an in-memory archive, that every structure the archive
/// points to lies inside the bytes: the end record, the central directory, each member's local
/// header and data. ZIPFoundation's in-memory reader traps on offsets past the end (a file-backed
/// archive only reads short), so bytes from an untrusted source are checked here first.
enum ZipLayout {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func validate(_ data: Data) throws(Problem) {
        let bytes = [UInt8](data)
        let count = bytes.count
        func u16(_ at: Int) throws(Problem) -> Int {
            guard at >= 0, at + 2 <= count else { throw Problem(description: "structure at byte \(at) runs past the end") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws(Problem) -> UInt64 {
            guard at >= 0, at + 4 <= count else { throw Problem(description: "structure at byte \(at) runs past the end") }
            return UInt64(bytes[at]) | UInt64(bytes[at + 1]) << 8 | UInt64(bytes[at + 2]) << 16 | UInt64(bytes[at + 3]) << 24
        }
        func u64(_ at: Int) throws(Problem) -> UInt64 { try u32(at) | (try u32(at + 4)) << 32 }
        func signature(_ at: Int, _ value: UInt64) -> Bool { (try? u32(at)) == value }

        // End of central directory record: the last one, found as ZIPFoundation finds it
        // (scanning back from the end), so that both read the same structures.
        var end = count - 22
        while end >= 0, !signature(end, 0x0605_4B50) { end -= 1 }
        guard end >= 0 else { throw Problem(description: "no end of central directory record") }
        var entries = UInt64(try u16(end + 10))
        var directorySize = try u32(end + 12)
        var directoryOffset = try u32(end + 16)
        // ZIPFoundation prefers a zip64 end record wherever one sits right before the locator.
        if end >= 76, signature(end - 20, 0x0706_4B50), signature(end - 76, 0x0606_4B50) {
            entries = try u64(end - 76 + 32)
            directorySize = try u64(end - 76 + 40)
            directoryOffset = try u64(end - 76 + 48)
        }
        guard directoryOffset <= UInt64(count), directorySize <= UInt64(count) - directoryOffset else {
            throw Problem(description: "central directory outside the file")
        }
        var position = Int(directoryOffset)
        let directoryEnd = Int(directoryOffset + directorySize)
        var seen: UInt64 = 0
        while position < directoryEnd, seen < entries {
            guard signature(position, 0x0201_4B50) else { throw Problem(description: "bad central directory record at byte \(position)") }
            var compressed = try u32(position + 20)
            var uncompressed = try u32(position + 24)
            let nameLength = try u16(position + 28), extraLength = try u16(position + 30), commentLength = try u16(position + 32)
            var offset = try u32(position + 42)
            // Zip64 extended information overrides the fields that hold 0xFFFFFFFF, in this order.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try u16(extra), size = try u16(extra + 2)
                if id == 0x0001 {
                    var field = extra + 4
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try u64(field); field += 8 }
                    if offset == 0xFFFF_FFFF { offset = try u64(field); field += 8 }
                }
                extra += 4 + size
            }
            guard offset <= UInt64(count), signature(Int(offset), 0x0403_4B50) else {
                throw Problem(description: "member \(seen) has its local header outside the file")
            }
            let dataStart = UInt64(offset) + 30 + UInt64(try u16(Int(offset) + 26)) + UInt64(try u16(Int(offset) + 28))
            // A stored member is read for its uncompressed size; the local header's sizes are
            // read too, so every size must fit what follows the header.
            let stored = try u16(position + 10) == 0
            var sizes = [compressed] + (stored ? [uncompressed] : [])
            for local in [try u32(Int(offset) + 18), try u32(Int(offset) + 22)] where local != 0xFFFF_FFFF && stored { sizes.append(local) }
            guard dataStart <= UInt64(count), sizes.allSatisfy({ $0 <= UInt64(count) - dataStart }) else {
                throw Problem(description: "member \(seen) has its data outside the file")
            }
            position += 46 + nameLength + extraLength + commentLength
            seen += 1
        }
        guard seen == entries else { throw Problem(description: "the central directory lists \(seen) of \(entries) members") }
    }
}
