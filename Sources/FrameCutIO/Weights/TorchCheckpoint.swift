import Foundation

/// Finds the state dict inside an unpickled PyTorch checkpoint.
enum TorchCheckpoint {
    /// Keys under which training scripts nest the model's weights, in the order tried.
    static let nestingKeys = ["state_dict", "model_state_dict", "model", "module"]
    /// How many levels of nesting are followed.
    static let maxNesting = 4

    /// The `(key, tensor)` pairs of the state dict in `root`, in insertion order, with a
    /// `module.` prefix common to all keys removed.
    static func tensors(in root: PickleValue, arena: PickleArena, file: String) throws(WeightFileError) -> [(key: String, recipe: TorchTensorRecipe)] {
        guard case .dict(var current) = root else {
            throw .noStateDict(file: file, reason: "the checkpoint holds a \(root.kind), not a dict")
        }
        var depth = 0
        descend: while depth < maxNesting {
            let entries = arena.dicts[current].entries
            for name in nestingKeys {
                for entry in entries {
                    guard case .string(name) = entry.key, case .dict(let inner) = entry.value,
                          containsTensors(inner, arena: arena, depth: depth + 1) else { continue }
                    current = inner
                    depth += 1
                    continue descend
                }
            }
            break
        }
        var found = [(key: String, recipe: TorchTensorRecipe)]()
        for entry in arena.dicts[current].entries {
            guard case .string(let key) = entry.key, case .tensor(let recipe) = entry.value else { continue }
            found.append((key, recipe))
        }
        guard !found.isEmpty else {
            let keys = arena.dicts[current].entries.compactMap { entry -> String? in
                if case .string(let key) = entry.key { return key } else { return nil }
            }
            let listed = keys.prefix(12).joined(separator: ", ") + (keys.count > 12 ? ", …" : "")
            throw .noStateDict(file: file, reason: keys.isEmpty ? "the dict is empty" : "no tensors among its keys (\(listed))")
        }
        let prefix = "module."
        if found.allSatisfy({ $0.key.hasPrefix(prefix) }) {
            found = found.map { (String($0.key.dropFirst(prefix.count)), $0.recipe) }
        }
        return found
    }

    /// Whether a dict holds a tensor directly or under one of the nesting keys.
    private static func containsTensors(_ dict: Int, arena: PickleArena, depth: Int) -> Bool {
        for entry in arena.dicts[dict].entries {
            if case .tensor = entry.value { return true }
            if depth < maxNesting, case .string(let key) = entry.key, nestingKeys.contains(key),
               case .dict(let inner) = entry.value, containsTensors(inner, arena: arena, depth: depth + 1) {
                return true
            }
        }
        return false
    }
}
