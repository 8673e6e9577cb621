import Foundation

/// Information-theoretic and pair-counting scores read off a contingency table.
/// Rows are labelling A, columns labelling B. All entropies are in nats; convert with
/// `LogBase.fromNats`.
extension ContingencyTable {
    /// H(A): entropy of the row labelling, `-sum p ln p`.
    public var rowEntropy: Double { Self.entropy(rowSums, total: total) }

    /// H(B): entropy of the column labelling.
    public var columnEntropy: Double { Self.entropy(columnSums, total: total) }

    /// H(A, B): entropy of the joint labelling (the cells).
    public var jointEntropy: Double { Self.entropy(cells.map(\.count), total: total) }

    /// H(A | B) = -sum_ij p_ij ln(n_ij / n_.j): what remains unknown about the row cluster
    /// when the column cluster is known. Each term is non-negative, so identical labellings
    /// give exactly 0.
    public var rowEntropyGivenColumn: Double {
        let n = Double(total)
        var h = 0.0
        for c in cells where c.count != columnSums[c.column] {
            let nij = Double(c.count)
            h -= nij / n * log(nij / Double(columnSums[c.column]))
        }
        return h
    }

    /// H(B | A) = -sum_ij p_ij ln(n_ij / n_i.).
    public var columnEntropyGivenRow: Double {
        let n = Double(total)
        var h = 0.0
        for c in cells where c.count != rowSums[c.row] {
            let nij = Double(c.count)
            h -= nij / n * log(nij / Double(rowSums[c.row]))
        }
        return h
    }

    /// Mutual information I(A; B) = H(A) - H(A | B), clamped at 0.
    public var mutualInformation: Double { max(0, rowEntropy - rowEntropyGivenColumn) }

    /// Variation of information VI(A, B) = H(A | B) + H(B | A) (Meila 2007), a metric on
    /// partitions: 0 for identical clusterings, `ln n` between one cluster and singletons.
    public var variationOfInformation: Double { rowEntropyGivenColumn + columnEntropyGivenRow }

    /// Adjusted Rand index, computed as scikit-learn's `adjusted_rand_score` does (pair
    /// confusion matrix; 1.0 when both labellings agree on every pair, including the
    /// degenerate one-cluster and all-singleton cases).
    public var adjustedRandIndex: Double {
        let n = Double(total)
        var sumSquares = 0.0
        var rowDot = 0.0   // sum_ij n_ij * n_.j
        var columnDot = 0.0 // sum_ij n_ij * n_i.
        for c in cells {
            let nij = Double(c.count)
            sumSquares += nij * nij
            rowDot += nij * Double(columnSums[c.column])
            columnDot += nij * Double(rowSums[c.row])
        }
        // Ordered pairs (as scikit-learn's pair_confusion_matrix): tp together in both,
        // fp together in B only, fn together in A only, tn apart in both.
        let tp = sumSquares - n
        let fp = rowDot - sumSquares
        let fn = columnDot - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1.0 }
        return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }

    /// Purity of the rows with respect to the columns: the share of items that belong to the
    /// most common column of their row (`sum_i max_j n_ij / n`). With clusters as rows and
    /// classes as columns this is the usual cluster purity.
    public var rowPurity: Double {
        var best = [Int](repeating: 0, count: rowCount)
        for c in cells where c.count > best[c.row] { best[c.row] = c.count }
        return Double(best.reduce(0, +)) / Double(total)
    }

    /// Purity of the columns with respect to the rows.
    public var columnPurity: Double {
        var best = [Int](repeating: 0, count: columnCount)
        for c in cells where c.count > best[c.column] { best[c.column] = c.count }
        return Double(best.reduce(0, +)) / Double(total)
    }

    static func entropy(_ counts: [Int], total: Int) -> Double {
        let n = Double(total)
        var h = 0.0
        for c in counts where c > 0 && c != total {
            let p = Double(c) / n
            h -= p * log(p)
        }
        return h
    }
}
