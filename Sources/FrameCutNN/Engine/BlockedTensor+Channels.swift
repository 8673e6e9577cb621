/// Channel concatenation and channel slices in the blocked layout (Inception's branches): a part
/// that starts on a 16-channel block boundary is copied as whole blocks (contiguous per image);
/// any other part channel by channel into its lanes. Both give the same values as
/// `TensorOps.concatChannels` and a channel slice of the NCHW tensor, and the padded lanes of
/// the result's last block stay zero.
extension BlockedTensor {
    /// `parts` (same batch and plane) concatenated along the channels.
    static func concatChannels(_ parts: [BlockedTensor]) -> BlockedTensor {
        precondition(!parts.isEmpty, "BlockedTensor: concatenation of no tensors")
        let n = parts[0].batch, h = parts[0].height, w = parts[0].width
        for p in parts {
            precondition(p.batch == n && p.height == h && p.width == w,
                         "BlockedTensor: concatenating \(p.batch)x\(p.channels)x\(p.height)x\(p.width) with a \(n)x?x\(h)x\(w) tensor")
        }
        let channels = parts.reduce(0) { $0 + $1.channels }
        return BlockedTensor(batch: n, channels: channels, height: h, width: w) { out in
            guard let d = out.baseAddress else { return }
            let perImage = (channels + block - 1) / block * block * h * w
            var offset = 0
            for p in parts {
                p.values.withUnsafeBufferPointer { src in
                    guard let s = src.baseAddress else { return }
                    for image in 0..<n {
                        copyChannels(from: s + image * p.imageCount, channels: 0..<p.channels, plane: h * w,
                                     to: d + image * perImage, at: offset, wholeBlocks: offset + p.channels == channels)
                    }
                }
                offset += p.channels
            }
        }
    }

    /// Channels `range` as a tensor of their own.
    func channels(_ range: Range<Int>) -> BlockedTensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= channels && !range.isEmpty,
                     "BlockedTensor: channels \(range) of \(channels)")
        let plane = self.plane, perImage = imageCount
        return BlockedTensor(batch: batch, channels: range.count, height: height, width: width) { out in
            guard let d = out.baseAddress else { return }
            let outImage = (range.count + Self.block - 1) / Self.block * Self.block * plane
            values.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress else { return }
                for image in 0..<batch {
                    Self.copyChannels(from: s + image * perImage, channels: range, plane: plane, to: d + image * outImage, at: 0,
                                      wholeBlocks: range.count % Self.block == 0)
                }
            }
        }
    }

    /// The tensor cut into consecutive channel groups of `widths` (the inverse of `concatChannels`).
    func splitChannels(_ widths: [Int]) -> [BlockedTensor] {
        precondition(widths.reduce(0, +) == channels, "BlockedTensor: widths \(widths) do not add up to \(channels) channels")
        var first = 0
        return widths.map { width in
            defer { first += width }
            return channels(first..<(first + width))
        }
    }

    /// Copies channels `range` of `part` (same batch and plane; all of them by default) into
    /// channels `offset ..< offset + range.count`, as `concatChannels` places a part. For a
    /// concatenation filled part by part, some parts written in place by their layer.
    mutating func write(_ part: BlockedTensor, channels range: Range<Int>? = nil, at offset: Int) {
        let range = range ?? 0..<part.channels
        precondition(part.batch == batch && part.height == height && part.width == width && offset >= 0
                     && range.lowerBound >= 0 && range.upperBound <= part.channels && offset + range.count <= channels,
                     "BlockedTensor: writing channels \(range) of \(part.channels) (\(part.height)x\(part.width)) at \(offset) into \(channels) (\(height)x\(width))")
        let plane = self.plane, perImage = imageCount
        // The last block whole (its padded lanes) only when it is padding on both sides.
        let wholeBlocks = offset + range.count == channels && range.upperBound == part.channels
        values.withUnsafeMutableBufferPointer { dst in
            part.values.withUnsafeBufferPointer { src in
                guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                for image in 0..<batch {
                    Self.copyChannels(from: s + image * part.imageCount, channels: range, plane: plane,
                                      to: d + image * perImage, at: offset, wholeBlocks: wholeBlocks)
                }
            }
        }
    }

    /// Whether channels `offset ..< offset + count` of a `total`-channel tensor can be read or
    /// written in place as whole blocks: they start on a block boundary and end on one or at the
    /// tensor's end (where the rest of the last block is padding).
    static func isBlockSlice(offset: Int, count: Int, of total: Int) -> Bool {
        offset % block == 0 && (count % block == 0 || offset + count == total)
    }

    /// Copies channels `range` of one image at `source` into one image at `target` from channel
    /// `offset` on. Whole 16-channel blocks at once when both sides start on a block boundary and
    /// `wholeBlocks` allows copying the last, partial block with its lanes beyond the range (the
    /// target's tail, where they are zero or overwritten by the next part); lane by lane otherwise.
    private static func copyChannels(from source: UnsafePointer<Float>, channels range: Range<Int>, plane: Int,
                                     to target: UnsafeMutablePointer<Float>, at offset: Int, wholeBlocks: Bool) {
        var c = range.lowerBound, o = offset
        if c % block == 0 && o % block == 0 {
            let whole = wholeBlocks ? (range.count + block - 1) / block : range.count / block
            (target + o * plane).update(from: source + c * plane, count: whole * block * plane)
            c += whole * block
            o += whole * block
        }
        while c < range.upperBound {
            let from = source + (c / block) * block * plane + c % block
            let to = target + (o / block) * block * plane + o % block
            for p in 0..<plane { to[p * block] = from[p * block] }
            c += 1
            o += 1
        }
    }
}
