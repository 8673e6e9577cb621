/// A split of labelled items into a train part (where `cal` is chosen) and a held-out part
/// (where the choice is verified). Indices are increasing.
public struct DatasetSplit: Sendable, Equatable, Codable {
    public let train: [Int]
    public let heldOut: [Int]

    /// A split from explicit index lists.
    /// - Throws: `MetricsError` when an index is out of range or in both parts, or the train
    ///   part is empty.
    public init(train: [Int], heldOut: [Int], itemCount: Int) throws {
        var seen = [Bool](repeating: false, count: itemCount)
        for i in train + heldOut {
            guard i >= 0 && i < itemCount else {
                throw MetricsError.labelOutOfRange(index: i, label: i, clusterCount: itemCount)
            }
            guard !seen[i] else {
                throw MetricsError.invalidParameter(name: "split index", value: Double(i), reason: "item is listed twice")
            }
            seen[i] = true
        }
        guard !train.isEmpty else { throw MetricsError.empty(what: "train split") }
        self.train = train.sorted()
        self.heldOut = heldOut.sorted()
    }

    /// Train = the items flagged true, held-out = the rest.
    public init(trainMask: [Bool]) throws {
        let train = trainMask.indices.filter { trainMask[$0] }
        let held = trainMask.indices.filter { !trainMask[$0] }
        try self.init(train: train, heldOut: held, itemCount: trainMask.count)
    }

    /// A random split stratified by class: of each class, `heldOutFraction` of its items
    /// (rounded) are held out, the rest train. The same generator state gives the same split.
    /// - Throws: `MetricsError.invalidParameter` for a fraction outside [0, 1),
    ///   `.empty` when nothing is left to train on.
    public static func stratified<G: RandomNumberGenerator>(
        classes: Labeling, heldOutFraction: Double, using generator: inout G
    ) throws -> DatasetSplit {
        guard heldOutFraction >= 0 && heldOutFraction < 1 else {
            throw MetricsError.invalidParameter(name: "held-out fraction", value: heldOutFraction, reason: "must lie in [0, 1)")
        }
        var train: [Int] = [], held: [Int] = []
        for var members in classes.members {
            // Fisher-Yates with the injected generator.
            if members.count > 1 {
                for i in stride(from: members.count - 1, to: 0, by: -1) {
                    let j = Int(generator.next(upperBound: UInt64(i + 1)))
                    members.swapAt(i, j)
                }
            }
            let k = Int((Double(members.count) * heldOutFraction).rounded())
            held += members.prefix(k)
            train += members.dropFirst(k)
        }
        return try DatasetSplit(train: train, heldOut: held, itemCount: classes.count)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator so that splits are
/// reproducible from a seed recorded in the output.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
