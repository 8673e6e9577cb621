/// A max-heap of candidate cluster pairs by gain, with a total order (gain, then the smaller
/// id, then the larger) so that contraction is deterministic. Entries carry the clusters'
/// version stamps; an entry whose stamps are outdated is stale and skipped by the caller.
struct CandidateHeap {
    struct Entry {
        var gain: Double
        var p: Int32
        var q: Int32
        var stampP: UInt32
        var stampQ: UInt32
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    @inline(__always)
    private static func before(_ x: Entry, _ y: Entry) -> Bool {
        if x.gain != y.gain { return x.gain > y.gain }
        if x.p != y.p { return x.p < y.p }
        return x.q < y.q
    }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            let n = entries.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < n, Self.before(entries[l], entries[best]) { best = l }
                if r < n, Self.before(entries[r], entries[best]) { best = r }
                if best == i { break }
                entries.swapAt(i, best)
                i = best
            }
        }
        return top
    }
}
