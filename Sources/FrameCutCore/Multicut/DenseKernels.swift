import CFrameCutKernels

/// The solver's C kernels (target `CFrameCutKernels`): the logit cost transform and the
/// Kernighan-Lin gain update, each compiled for AVX-512, AVX2 and portable x86-64 (or the
/// portable version alone elsewhere) and picked at run time from what the processor and the
/// operating system support. All variants give the same bits.
public enum DenseKernels {
    /// The variant in use: "avx512", "avx2" or "portable".
    public static var instructionSet: String { String(cString: framecut_kernels_name()) }

    /// Caps the variant (0 portable, 2 AVX2, 3 AVX-512, the default) for comparisons; returns the level now in use.
    @discardableResult
    public static func limit(_ level: Int) -> Int { Int(framecut_kernels_limit(Int32(level))) }

    /// `framecut_logit_costs` (see `SimilarityTransform`).
    static func logitCosts(_ values: UnsafeMutablePointer<Float>, count: Int, lowest: Double, scale: Double, offset: Double, epsilon: Double) {
        framecut_logit_costs(values, count, lowest, scale, offset, epsilon)
    }
}
