import FrameCutNN

/// Per-element closeness as `numpy.allclose`: `|a - b| <= atol + rtol * |b|` for every element;
/// returns the largest `|a - b| / (atol + rtol * |b|)` (at most 1 means close; NaN counts as infinite).
func allCloseRatio(_ a: Tensor, _ b: Tensor, rtol: Double, atol: Double) -> Double {
    guard a.shape == b.shape else { return .infinity }
    var worst = 0.0
    for i in 0..<a.count {
        let r = abs(Double(a.values[i]) - Double(b.values[i])) / (atol + rtol * abs(Double(b.values[i])))
        worst = max(worst, r.isNaN ? .infinity : r)
    }
    return worst
}

/// The model-parity tolerance README.md states: every element within `1e-4 * |reference|`
/// plus `1e-5 * max |reference|` (the absolute part only matters for entries near zero).
/// Returns the worst element's error over its tolerance: at most 1 passes.
func parityRatio(_ value: Tensor, _ reference: Tensor) -> Double {
    let scale = reference.values.reduce(0.0) { max($0, abs(Double($1))) }
    return allCloseRatio(value, reference, rtol: 1e-4, atol: 1e-5 * scale)
}
