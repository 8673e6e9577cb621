extension String {
    /// The string without `suffix` at its end (unchanged when it does not end so).
    func dropSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
