import Foundation

/// A value read from a pickle stream: plain data only, never an object.
///
/// Containers live in a ``PickleArena`` and are referred to by index, so values never nest:
/// a hostile stream cannot build a structure whose destruction recurses without bound, and
/// reference cycles through the memo cost nothing.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too wide for `Int`: two's-complement little-endian bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(Int)
    case list(Int)
    case dict(Int)
    case global(PickleGlobal)
    case storage(TorchStorageRef)
    case tensor(TorchTensorRecipe)

    /// A short name of the kind of value, for messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let g): return "global \(g.name)"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }
}

/// The globals a checkpoint may name. Anything else is refused when the stream names it.
enum PickleGlobal: Equatable {
    case orderedDict
    case rebuildTensorV2
    case rebuildParameter
    case rebuildParameterWithState
    case storageType(WeightDType)

    /// `module.name` as Python spells it.
    var name: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensorV2: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: return "torch._utils._rebuild_parameter_with_state"
        case .storageType(let dtype): return "torch.\(dtype.torchStorageName)"
        }
    }

    /// The allowed global `module.name`, or `nil`.
    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): self = .rebuildParameterWithState
        case ("torch", _):
            guard let dtype = WeightDType(torchStorage: name) else { return nil }
            self = .storageType(dtype)
        default: return nil
        }
    }
}

/// A hashable form of a dict key (Python keys are strings, ints, tuples of them, ...).
indirect enum PickleKey: Hashable {
    case none
    case int(Int)
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleKey])
    /// A key compared by identity (a tensor or storage used as a key): never equal to another.
    case identity(Int)
}

/// The containers of one unpickled stream.
struct PickleArena {
    struct Dict {
        var entries: [(key: PickleValue, value: PickleValue)] = []
        var index: [PickleKey: Int] = [:]
    }

    var tuples: [[PickleValue]] = []
    var lists: [[PickleValue]] = []
    var dicts: [Dict] = []
    private var identities = 0

    /// How deeply a key may nest tuples.
    static let maxKeyDepth = 32

    mutating func newTuple(_ items: [PickleValue]) -> PickleValue {
        tuples.append(items)
        return .tuple(tuples.count - 1)
    }

    mutating func newList(_ items: [PickleValue] = []) -> PickleValue {
        lists.append(items)
        return .list(lists.count - 1)
    }

    mutating func newDict() -> PickleValue {
        dicts.append(Dict())
        return .dict(dicts.count - 1)
    }

    /// Sets `dict[key] = value`, keeping first-insertion order as Python does.
    mutating func set(_ key: PickleValue, _ value: PickleValue, inDict index: Int) -> Bool {
        guard let hashed = hashKey(key, depth: 0) else { return false }
        if let existing = dicts[index].index[hashed] {
            dicts[index].entries[existing].value = value
        } else {
            dicts[index].index[hashed] = dicts[index].entries.count
            dicts[index].entries.append((key, value))
        }
        return true
    }

    /// The hashable form of a key, or `nil` for an unhashable one (a list or dict).
    mutating func hashKey(_ value: PickleValue, depth: Int) -> PickleKey? {
        switch value {
        case .none: return PickleKey.none
        case .bool(let b): return .int(b ? 1 : 0)
        case .int(let i): return .int(i)
        case .bigInt(let bytes): return .bigInt(bytes)
        case .float(let d): return d == d.rounded() && abs(d) < 1e18 ? .int(Int(d)) : .float(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .bytes(b)
        case .tuple(let t):
            guard depth < Self.maxKeyDepth else { return nil }
            var keys = [PickleKey]()
            for item in tuples[t] {
                guard let key = hashKey(item, depth: depth + 1) else { return nil }
                keys.append(key)
            }
            return .tuple(keys)
        case .global, .storage, .tensor:
            identities += 1
            return .identity(identities)
        case .list, .dict:
            return nil
        }
    }
}
