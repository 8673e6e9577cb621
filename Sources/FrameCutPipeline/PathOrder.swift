import Foundation

/// The order of `CollectionWalker`: by path components, each compared byte-wise (UTF-8).
enum PathOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "/", omittingEmptySubsequences: false), y = b.split(separator: "/", omittingEmptySubsequences: false)
        for (p, q) in zip(x, y) where p != q { return p.utf8.lexicographicallyPrecedes(q.utf8) }
        return x.count < y.count
    }
}
