import Foundation

/// The container formats ``StateDict/load(contentsOf:)`` recognises from a file's bytes.
public enum WeightFileFormat: String, Sendable {
    /// Hugging Face safetensors: 8-byte header length, JSON header, raw data.
    case safetensors
    /// `torch.save` since PyTorch 1.6: a zip archive holding `data.pkl` and `data/<key>`.
    case torchZip
    /// `torch.save(..., _use_new_zipfile_serialization=False)` and PyTorch before 1.6.
    case torchLegacy

    /// The format of `data`, or `nil` when no signature matches.
    static func detect(_ data: Data) -> WeightFileFormat? {
        let head = [UInt8](data.prefix(32))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .torchZip }
        if head.first == 0x80, TorchLegacyReader.containsMagic(head) { return .torchLegacy }
        if head.count > 8, head[8] == UInt8(ascii: "{") { return .safetensors }
        return nil
    }
}
