import Foundation
import FrameCutCore

/// The `cal` grid of the calibration curve (`framecut run --calibration-grid`).
public enum CalibrationGrid {
    /// The most grid values one curve clusters (each is a full solve on the model's costs).
    public static let maximumCount = 99

    /// Parses `START:END:STEP` (inclusive, e.g. `0.1:0.9:0.1`, the default), a comma list
    /// (`0.2,0.5,0.7`), or `none` (no curve: nil).
    /// - Throws: `PipelineError.invalidOption` naming `--calibration-grid` for anything else, a
    ///   value outside (0, 1), duplicates, or more than `maximumCount` values.
    public static func parse(_ text: String, flag: String = "--calibration-grid") throws -> [Double]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return nil }
        func number(_ s: Substring) throws -> Double {
            let t = s.trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), v.isFinite, t.range(of: "^[+-]?[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?$", options: .regularExpression) != nil else {
                throw PipelineError.invalidOption(flag: flag, reason: "'\(t)' is not a number (use START:END:STEP, a comma list, or none)")
            }
            return v
        }
        let grid: [Double]
        if trimmed.contains(":") {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3 else {
                throw PipelineError.invalidOption(flag: flag, reason: "'\(trimmed)' needs exactly START:END:STEP, e.g. 0.1:0.9:0.1")
            }
            let start = try number(parts[0]), end = try number(parts[1]), step = try number(parts[2])
            guard step > 0 else { throw PipelineError.invalidOption(flag: flag, reason: "STEP must be positive, got \(step)") }
            guard start <= end else { throw PipelineError.invalidOption(flag: flag, reason: "START \(start) is above END \(end)") }
            let count = ((end - start) / step + 1e-9).rounded(.down) + 1
            guard count <= Double(maximumCount) else {
                throw PipelineError.invalidOption(flag: flag, reason: "\(trimmed) gives \(Int(count)) values, more than \(maximumCount) (each is a full solve)")
            }
            do {
                grid = try CalibrationAblation.grid(from: start, through: end, step: step)
            } catch {
                throw PipelineError.invalidOption(flag: flag, reason: "\(error)")
            }
        } else {
            grid = try trimmed.split(separator: ",", omittingEmptySubsequences: false).map(number)
        }
        try validate(grid, flag: flag)
        return grid
    }

    /// Checks a grid: 1 to `maximumCount` values, each strictly between 0 and 1, no duplicates.
    public static func validate(_ grid: [Double], flag: String = "--calibration-grid") throws {
        guard !grid.isEmpty else { throw PipelineError.invalidOption(flag: flag, reason: "the grid is empty") }
        guard grid.count <= maximumCount else {
            throw PipelineError.invalidOption(flag: flag, reason: "\(grid.count) values, more than \(maximumCount) (each is a full solve)")
        }
        for cal in grid where !(cal > 0 && cal < 1) {
            throw PipelineError.invalidOption(flag: flag, reason: "cal \(cal) must lie strictly between 0 and 1")
        }
        guard Set(grid).count == grid.count else { throw PipelineError.invalidOption(flag: flag, reason: "a value is listed twice") }
    }
}
