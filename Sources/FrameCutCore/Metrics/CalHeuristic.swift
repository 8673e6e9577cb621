/// The label-free `cal` heuristic of the supplement (A.1): `cal = 0.94 - 0.98 * mu`, where
/// `mu` is the mean of the min-max normalised similarities `p` over all pairs. A pair then
/// attracts when `p` exceeds about `mu + 0.06`.
public enum CalHeuristic {
    /// Smallest and largest `cal` the heuristic suggests; the formula leaves (0, 1) for
    /// `mu > 0.959`, where it is clamped to `lowerBound`.
    public static let bounds: ClosedRange<Double> = 0.01...0.99

    /// The formula's value, unclamped.
    public static func rawCal(mu: Double) -> Double { 0.94 - 0.98 * mu }

    /// The suggested `cal`, clamped to `bounds`.
    public static func cal(mu: Double) -> Double {
        min(max(rawCal(mu: mu), bounds.lowerBound), bounds.upperBound)
    }
}
