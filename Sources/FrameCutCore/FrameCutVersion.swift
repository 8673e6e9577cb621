/// The version of FrameCut recorded in every output it writes.
public enum FrameCutVersion {
    public static let string = "0.1.0"
}
