import FrameCutIO

/// A checkpoint read by FrameCutIO is a source of model parameters.
extension StateDict: TensorSource {
    public func shape(of key: String) -> [Int]? {
        self[key]?.shape
    }

    public func floats(_ key: String) throws -> [Float] {
        guard let tensor = self[key] else { throw WeightFileError.missingTensor(file: file, key: key) }
        return try tensor.floats()
    }
}
