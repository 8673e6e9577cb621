import Foundation

extension StateDict {
    /// Checks strictly that the file holds exactly the expected tensors with the expected
    /// shapes, and reports every problem at once.
    ///
    /// - Parameters:
    ///   - expected: every tensor the model needs.
    ///   - modelName: the model, named in the error.
    ///   - ignoring: keys of the file that are allowed to be unused (a removed head, buffers
    ///     the model recomputes); they are not reported as unexpected.
    /// - Throws: ``WeightFileError/mismatch(model:missing:unexpected:misshaped:)`` with each
    ///   list sorted by key.
    public func validate(expected: [WeightSpec], modelName: String, ignoring: (String) -> Bool = { _ in false }) throws(WeightFileError) {
        var missing = [String](), misshaped = [WeightShapeMismatch]()
        var wanted = Set<String>()
        for spec in expected {
            wanted.insert(spec.key)
            guard let tensor = self[spec.key] else {
                missing.append(spec.key)
                continue
            }
            if tensor.shape != spec.shape {
                misshaped.append(WeightShapeMismatch(key: spec.key, expected: spec.shape, found: tensor.shape))
            }
        }
        let unexpected = keys.filter { !wanted.contains($0) && !ignoring($0) }
        guard missing.isEmpty, unexpected.isEmpty, misshaped.isEmpty else {
            throw .mismatch(model: modelName, missing: Array(Set(missing)).sorted(), unexpected: unexpected.sorted(),
                            misshaped: misshaped.sorted { $0.key < $1.key })
        }
    }

    /// The tensor under `key`, or ``WeightFileError/missingTensor(file:key:)``.
    public func tensor(_ key: String) throws(WeightFileError) -> WeightTensor {
        guard let tensor = self[key] else { throw .missingTensor(file: file, key: key) }
        return tensor
    }

    /// The tensor under `key`, checked to have `shape`.
    public func tensor(_ key: String, shape: [Int]) throws(WeightFileError) -> WeightTensor {
        let tensor = try tensor(key)
        guard tensor.shape == shape else { throw .shapeMismatch(file: file, key: key, expected: shape, found: tensor.shape) }
        return tensor
    }

    /// The values under `key` as `Float` (see ``WeightTensor/floats()``).
    public func floats(_ key: String) throws(WeightFileError) -> [Float] {
        try Self.named(key) { () throws(WeightFileError) in try tensor(key).floats() }
    }

    /// The values under `key` as `Float`, checked to have `shape`.
    public func floats(_ key: String, shape: [Int]) throws(WeightFileError) -> [Float] {
        try Self.named(key) { () throws(WeightFileError) in try tensor(key, shape: shape).floats() }
    }

    /// Adds the key to a ``WeightFileError/notFloatingPoint(key:dtype:)`` error.
    private static func named(_ key: String, _ body: () throws(WeightFileError) -> [Float]) throws(WeightFileError) -> [Float] {
        do {
            return try body()
        } catch .notFloatingPoint(nil, let dtype) {
            throw .notFloatingPoint(key: key, dtype: dtype)
        }
    }
}
