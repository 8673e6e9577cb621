extension ParameterLoader {
    /// Marks every tensor of the source whose key satisfies `isIgnored` as deliberately unused (a
    /// CLIP checkpoint's text tower, DINOv2's training-only `mask_token`), so that `finish()` does
    /// not report it as unexpected. A dry run (no source) records nothing, so key manifests list
    /// only what the model reads. Returns the keys it ignored.
    @discardableResult
    public func ignore(where isIgnored: (String) -> Bool) -> [String] {
        guard let source else { return [] }
        let keys = source.keys.filter(isIgnored)
        for key in keys { accept(key, source.shape(of: key) ?? []) }
        return keys
    }
}
