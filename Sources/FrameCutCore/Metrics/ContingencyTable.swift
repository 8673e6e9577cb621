/// The contingency table of two labellings of the same items: `count(row, column)` is the
/// number of items in cluster `row` of the first labelling and cluster `column` of the second.
///
/// Stored sparsely (only non-empty cells), so two clusterings of 40k items into thousands of
/// clusters each cost O(n) memory.
public struct ContingencyTable: Sendable, Equatable {
    /// One non-empty cell.
    public struct Cell: Sendable, Equatable {
        public let row: Int
        public let column: Int
        public let count: Int
    }

    /// Number of clusters of the first labelling (rows).
    public let rowCount: Int
    /// Number of clusters of the second labelling (columns).
    public let columnCount: Int
    /// Number of items.
    public let total: Int
    /// Items per row (cluster sizes of the first labelling).
    public let rowSums: [Int]
    /// Items per column (cluster sizes of the second labelling).
    public let columnSums: [Int]
    /// Non-empty cells, ordered by row, then column.
    public let cells: [Cell]

    /// Cross-tabulates two labellings of the same items.
    /// - Throws: `MetricsError.countMismatch` when the labellings have different lengths,
    ///   `MetricsError.empty` when they have no items.
    public init(_ a: Labeling, _ b: Labeling) throws {
        guard a.count == b.count else {
            throw MetricsError.countMismatch(what: "contingency table: second labelling", expected: a.count, actual: b.count)
        }
        guard a.count > 0 else { throw MetricsError.empty(what: "contingency table: labelling") }
        let n = a.count
        let columns = b.clusterCount
        rowCount = a.clusterCount
        columnCount = columns
        total = n
        rowSums = a.sizes
        columnSums = b.sizes
        var cells: [Cell] = []
        let dense = rowCount * columns
        if dense <= max(1 << 20, 8 * n) {
            var counts = [Int32](repeating: 0, count: dense)
            a.labels.withUnsafeBufferPointer { la in
                b.labels.withUnsafeBufferPointer { lb in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n { c[Int(la[i]) * columns + Int(lb[i])] += 1 }
                    }
                }
            }
            for (k, c) in counts.enumerated() where c != 0 {
                cells.append(Cell(row: k / columns, column: k % columns, count: Int(c)))
            }
        } else {
            var keys = [Int](repeating: 0, count: n)
            for i in 0..<n { keys[i] = Int(a.labels[i]) * columns + Int(b.labels[i]) }
            keys.sort()
            var i = 0
            while i < n {
                var j = i + 1
                while j < n && keys[j] == keys[i] { j += 1 }
                cells.append(Cell(row: keys[i] / columns, column: keys[i] % columns, count: j - i))
                i = j
            }
        }
        self.cells = cells
    }

    /// The full table as rows of counts (`rowCount` x `columnCount`). Use for small tables only.
    public func dense() -> [[Int]] {
        var table = [[Int]](repeating: [Int](repeating: 0, count: columnCount), count: rowCount)
        for c in cells { table[c.row][c.column] = c.count }
        return table
    }

    /// The same table with rows and columns swapped.
    public func transposed() -> ContingencyTable {
        let swapped = cells.map { Cell(row: $0.column, column: $0.row, count: $0.count) }
            .sorted { ($0.row, $0.column) < ($1.row, $1.column) }
        return ContingencyTable(rowCount: columnCount, columnCount: rowCount, total: total,
                                rowSums: columnSums, columnSums: rowSums, cells: swapped)
    }

    init(rowCount: Int, columnCount: Int, total: Int, rowSums: [Int], columnSums: [Int], cells: [Cell]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.total = total
        self.rowSums = rowSums
        self.columnSums = columnSums
        self.cells = cells
    }
}
