import Foundation
import FrameCutCore

/// An instance in the authors' text format: a first line `N M`, then `M` lines `i j x`
/// with 0-based node ids and `x` either the normalised similarity `p` in [0, 1] or a raw cost.
public struct TextGraph: Sendable {
    public let nodeCount: Int
    public let sources: [Int32]
    public let targets: [Int32]
    public let values: [Double]
}

/// What the third column of a text graph holds.
public enum TextGraphValues: Sendable {
    /// Normalised similarities `p` in [0, 1]; costs come from `cal`.
    case normalizedSimilarity
    /// Edge costs as they are.
    case rawCost
}

/// Problems in a text graph, with the line they occur on.
public enum TextGraphError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformedHeader(String)
    case malformedLine(line: Int, text: String, reason: String)
    case nodeOutOfRange(line: Int, node: Int, nodeCount: Int)
    case edgeCountMismatch(declared: Int, found: Int)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        case .malformedHeader(let text): return "line 1: expected 'N M' (node and edge counts), found '\(text)'"
        case .malformedLine(let line, let text, let reason): return "line \(line): \(reason): '\(text)'"
        case .nodeOutOfRange(let line, let node, let count): return "line \(line): node id \(node) is out of range for \(count) nodes (ids are 0-based)"
        case .edgeCountMismatch(let declared, let found): return "the header declares \(declared) edges, the file has \(found)"
        case .tooLarge(let why): return why
        }
    }
}

/// A fast reader for text graphs (hundreds of millions of lines are normal for complete graphs).
///
/// The header is checked before anything is allocated: the declared edge count against the
/// bytes of the file (an edge line takes at least 6 bytes) and the node and edge arrays
/// against `memoryLimit`. CRLF line ends and a UTF-8 byte-order mark are accepted.
public enum TextGraphReader {
    /// Bytes per node and per edge that reading and solving a sparse graph hold at least.
    static let bytesPerNode = 16, bytesPerEdge = 32

    public static func read(contentsOf url: URL, values: TextGraphValues, memoryLimit: UInt64 = MemoryBudget.defaultLimit) throws -> TextGraph {
        let data: Data
        do { data = try InputFile.data(at: url) } catch {
            throw TextGraphError.unreadable(path: url.path, reason: error.description)
        }
        return try parse(data, values: values, memoryLimit: memoryLimit)
    }

    public static func parse(_ data: Data, values kind: TextGraphValues, memoryLimit: UInt64 = MemoryBudget.defaultLimit) throws -> TextGraph {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        bytes.append(0)  // strtod needs a terminator
        return try bytes.withUnsafeMutableBufferPointer { buffer -> TextGraph in
            let base = buffer.baseAddress!
            let end = buffer.count - 1
            var position = 0
            var line = 1

            func lineText(from start: Int) -> String {
                var stop = start
                while stop < end, base[stop] != 0x0A { stop += 1 }
                return String(decoding: UnsafeBufferPointer(start: base + start, count: Swift.min(stop - start, 120)), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func skipSpaces() { while position < end, base[position] == 0x20 || base[position] == 0x09 || base[position] == 0x0D { position += 1 } }
            func readInt() -> Int? {
                skipSpaces()
                var value = 0
                var digits = 0
                while position < end, base[position] >= 0x30, base[position] <= 0x39 {
                    value = value &* 10 &+ Int(base[position] - 0x30)
                    digits += 1
                    position += 1
                    if digits > 18 { return nil }
                }
                return digits > 0 ? value : nil
            }
            func readDouble() -> Double? {
                skipSpaces()
                let start = base + position
                var stop: UnsafeMutablePointer<CChar>?
                let value = start.withMemoryRebound(to: CChar.self, capacity: 1) { p -> Double in
                    let v = strtod(p, &stop)
                    return v
                }
                guard let stop else { return nil }
                let consumed = UnsafeRawPointer(stop) - UnsafeRawPointer(start)
                guard consumed > 0 else { return nil }
                position += consumed
                return value
            }
            func atLineEnd() -> Bool {
                skipSpaces()
                return position >= end || base[position] == 0x0A
            }
            func nextLine() { if position < end, base[position] == 0x0A { position += 1 }; line += 1 }
            func skipBlankLines() {
                while true {
                    let save = position
                    skipSpaces()
                    if position < end, base[position] == 0x0A { position += 1; line += 1 } else { position = save; return }
                }
            }

            skipBlankLines()
            let headerStart = position
            guard let n = readInt(), let m = readInt(), atLineEnd() else { throw TextGraphError.malformedHeader(lineText(from: headerStart)) }
            nextLine()
            guard n <= Int(Int32.max) else { throw TextGraphError.tooLarge("the header declares \(n) nodes; node ids must fit 32 bits") }
            guard m <= (end - position) / 6 + 1 else {
                throw TextGraphError.tooLarge("the header declares \(m) edges, but the file has room for at most \((end - position) / 6 + 1) edge lines")
            }
            let needed = UInt64(n) * UInt64(bytesPerNode) + UInt64(m) * UInt64(bytesPerEdge)
            guard needed <= memoryLimit else {
                throw TextGraphError.tooLarge("\(n) nodes and \(m) edges need \(MemoryBudget.format(needed)), more than the limit of \(MemoryBudget.format(memoryLimit)); raise --max-memory if the machine has it")
            }
            var sources = [Int32](), targets = [Int32](), values = [Double]()
            sources.reserveCapacity(m); targets.reserveCapacity(m); values.reserveCapacity(m)
            while true {
                skipBlankLines()
                if position >= end { break }
                let start = position
                guard let i = readInt(), let j = readInt() else {
                    throw TextGraphError.malformedLine(line: line, text: lineText(from: start), reason: "expected 'i j value' with non-negative integer node ids")
                }
                guard let x = readDouble(), x.isFinite, atLineEnd() else {
                    throw TextGraphError.malformedLine(line: line, text: lineText(from: start), reason: "expected one finite number after the node ids")
                }
                guard i < n else { throw TextGraphError.nodeOutOfRange(line: line, node: i, nodeCount: n) }
                guard j < n else { throw TextGraphError.nodeOutOfRange(line: line, node: j, nodeCount: n) }
                guard i != j else { throw TextGraphError.malformedLine(line: line, text: lineText(from: start), reason: "self-loop") }
                if case .normalizedSimilarity = kind, !(0...1).contains(x) {
                    throw TextGraphError.malformedLine(line: line, text: lineText(from: start), reason: "normalised similarity must lie in [0, 1] (use --raw-costs for costs)")
                }
                sources.append(Int32(i)); targets.append(Int32(j)); values.append(x)
                nextLine()
            }
            guard sources.count == m else { throw TextGraphError.edgeCountMismatch(declared: m, found: sources.count) }
            return TextGraph(nodeCount: n, sources: sources, targets: targets, values: values)
        }
    }
}
