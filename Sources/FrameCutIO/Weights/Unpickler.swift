import Foundation

/// A restricted reader of Python pickle streams (protocols 0–5, binary opcodes) that builds
/// plain values only.
///
/// It knows the handful of globals a PyTorch state dict needs (``PickleGlobal``) and refuses
/// every other global when the stream names it; nothing is ever called or executed.
/// `_rebuild_tensor_v2` and `_rebuild_parameter` become ``TorchTensorRecipe`` values, and
/// persistent ids become ``TorchStorageRef`` values. Every read is bounds-checked.
struct Unpickler {
    /// The file named in errors.
    let file: String
    /// What the stream is (`data.pkl`, `the legacy header`), for messages.
    let part: String
    private let bytes: UnsafeRawBufferPointer
    /// Where `bytes` starts in the file, so that messages give file offsets.
    private let base: Int
    /// The read position in `bytes`.
    private(set) var position: Int

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// The containers built so far (shared by successive pickles of one file).
    var arena = PickleArena()
    /// Every storage a persistent id named, by key.
    private(set) var storages: [String: TorchStorageRef] = [:]

    static let maxStack = 1 << 24
    static let maxMarks = 1 << 16
    static let maxMemo = 1 << 24
    static let maxLineLength = 4096

    init(file: String, part: String, bytes: UnsafeRawBufferPointer, base: Int = 0, position: Int = 0) {
        self.file = file
        self.part = part
        self.bytes = bytes
        self.base = base
        self.position = position
    }

    /// Reads one pickle from the current position up to and including its STOP opcode and
    /// returns the value it built. Can be called again for the next pickle of a sequence.
    mutating func load() throws(WeightFileError) -> PickleValue {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll()
        memo.removeAll()
        while true {
            let opcodeOffset = position
            let opcode = try readByte("an opcode")
            if opcode == 0x2E {  // STOP
                guard stack.count == 1, marks.isEmpty else {
                    throw malformed(at: opcodeOffset, "STOP with \(stack.count) values on the stack")
                }
                return stack[0]
            }
            try execute(opcode, at: opcodeOffset)
            guard stack.count <= Self.maxStack else { throw malformed(at: opcodeOffset, "stack grows past \(Self.maxStack) values") }
        }
    }

    // MARK: - Opcodes

    private mutating func execute(_ opcode: UInt8, at offset: Int) throws(WeightFileError) {
        switch opcode {
        case 0x80:  // PROTO
            let version = try readByte("the protocol version")
            guard version <= 5 else { throw malformed(at: offset, "unsupported pickle protocol \(version)") }
        case 0x95:  // FRAME
            _ = try read(8, "a frame length")
        case 0x28:  // MARK
            guard marks.count < Self.maxMarks else { throw malformed(at: offset, "more than \(Self.maxMarks) nested marks") }
            marks.append(stack.count)
        case 0x30:  // POP
            if let mark = marks.last, mark == stack.count { marks.removeLast() } else { _ = try pop(at: offset) }
        case 0x31:  // POP_MARK
            _ = try popMark(at: offset)
        case 0x32:  // DUP
            push(try peek(at: offset))

        case 0x4E: push(.none)  // NONE
        case 0x88: push(.bool(true))  // NEWTRUE
        case 0x89: push(.bool(false))  // NEWFALSE
        case 0x4A: push(.int(Int(Int32(bitPattern: try readLE(UInt32.self, "a BININT")))))  // BININT
        case 0x4B: push(.int(Int(try readByte("a BININT1"))))  // BININT1
        case 0x4D: push(.int(Int(try readLE(UInt16.self, "a BININT2"))))  // BININT2
        case 0x8A:  // LONG1
            let length = Int(try readByte("a LONG1 length"))
            push(long(try read(length, "a LONG1")))
        case 0x8B:  // LONG4
            let length = Int(Int32(bitPattern: try readLE(UInt32.self, "a LONG4 length")))
            guard (0...65536).contains(length) else { throw malformed(at: offset, "LONG4 of \(length) bytes") }
            push(long(try read(length, "a LONG4")))
        case 0x49:  // INT (text)
            let line = try readLine("an INT")
            switch line {
            case "00": push(.bool(false))
            case "01": push(.bool(true))
            default:
                guard let value = Int(line) else { throw malformed(at: offset, "INT '\(line.prefix(40))'") }
                push(.int(value))
            }
        case 0x4C:  // LONG (text)
            var line = try readLine("a LONG")
            if line.hasSuffix("L") { line.removeLast() }
            guard let value = Int(line) else { throw malformed(at: offset, "LONG '\(line.prefix(40))' too large") }
            push(.int(value))
        case 0x47:  // BINFLOAT (big-endian)
            push(.float(Double(bitPattern: UInt64(bigEndian: try readLE(UInt64.self, "a BINFLOAT").littleEndian))))
        case 0x46:  // FLOAT (text)
            let line = try readLine("a FLOAT")
            guard let value = Double(line) else { throw malformed(at: offset, "FLOAT '\(line.prefix(40))'") }
            push(.float(value))

        case 0x58:  // BINUNICODE
            let length = Int(try readLE(UInt32.self, "a BINUNICODE length"))
            push(.string(try utf8(try read(length, "a BINUNICODE string"), at: offset)))
        case 0x8D:  // BINUNICODE8
            let length = try readLength64("a BINUNICODE8 length", at: offset)
            push(.string(try utf8(try read(length, "a BINUNICODE8 string"), at: offset)))
        case 0x8C:  // SHORT_BINUNICODE
            let length = Int(try readByte("a SHORT_BINUNICODE length"))
            push(.string(try utf8(try read(length, "a SHORT_BINUNICODE string"), at: offset)))
        case 0x54:  // BINSTRING (Python 2 str)
            let length = Int(Int32(bitPattern: try readLE(UInt32.self, "a BINSTRING length")))
            guard length >= 0 else { throw malformed(at: offset, "negative BINSTRING length") }
            push(.string(latin1(try read(length, "a BINSTRING"))))
        case 0x55:  // SHORT_BINSTRING
            let length = Int(try readByte("a SHORT_BINSTRING length"))
            push(.string(latin1(try read(length, "a SHORT_BINSTRING"))))
        case 0x42:  // BINBYTES
            let length = Int(try readLE(UInt32.self, "a BINBYTES length"))
            push(.bytes(Array(try read(length, "a BINBYTES"))))
        case 0x43:  // SHORT_BINBYTES
            let length = Int(try readByte("a SHORT_BINBYTES length"))
            push(.bytes(Array(try read(length, "a SHORT_BINBYTES"))))
        case 0x8E, 0x96:  // BINBYTES8, BYTEARRAY8
            let length = try readLength64("a BINBYTES8 length", at: offset)
            push(.bytes(Array(try read(length, "a BINBYTES8"))))

        case 0x7D: push(arena.newDict())  // EMPTY_DICT
        case 0x5D, 0x8F: push(arena.newList())  // EMPTY_LIST, EMPTY_SET (a set is read as a list)
        case 0x29: push(arena.newTuple([]))  // EMPTY_TUPLE
        case 0x74: push(arena.newTuple(try popMark(at: offset)))  // TUPLE
        case 0x85: push(arena.newTuple(try pop(1, at: offset)))  // TUPLE1
        case 0x86: push(arena.newTuple(try pop(2, at: offset)))  // TUPLE2
        case 0x87: push(arena.newTuple(try pop(3, at: offset)))  // TUPLE3
        case 0x6C, 0x91: push(arena.newList(try popMark(at: offset)))  // LIST, FROZENSET
        case 0x64:  // DICT
            let items = try popMark(at: offset)
            let dict = arena.newDict()
            try setItems(items, in: dict, at: offset)
            push(dict)
        case 0x73:  // SETITEM
            let pair = try pop(2, at: offset)
            try setItems(pair, in: try peek(at: offset), at: offset)
        case 0x75:  // SETITEMS
            let items = try popMark(at: offset)
            try setItems(items, in: try peek(at: offset), at: offset)
        case 0x61:  // APPEND
            let item = try pop(at: offset)
            try append([item], to: try peek(at: offset), at: offset)
        case 0x65, 0x90:  // APPENDS, ADDITEMS
            let items = try popMark(at: offset)
            try append(items, to: try peek(at: offset), at: offset)

        case 0x71: try put(Int(try readByte("a BINPUT index")), at: offset)  // BINPUT
        case 0x72: try put(Int(try readLE(UInt32.self, "a LONG_BINPUT index")), at: offset)  // LONG_BINPUT
        case 0x94: try put(memo.count, at: offset)  // MEMOIZE
        case 0x70:  // PUT (text)
            let line = try readLine("a PUT index")
            guard let index = Int(line) else { throw malformed(at: offset, "PUT '\(line.prefix(40))'") }
            try put(index, at: offset)
        case 0x68: try get(Int(try readByte("a BINGET index")), at: offset)  // BINGET
        case 0x6A: try get(Int(try readLE(UInt32.self, "a LONG_BINGET index")), at: offset)  // LONG_BINGET
        case 0x67:  // GET (text)
            let line = try readLine("a GET index")
            guard let index = Int(line) else { throw malformed(at: offset, "GET '\(line.prefix(40))'") }
            try get(index, at: offset)

        case 0x63:  // GLOBAL
            let module = try readLine("a GLOBAL module")
            let name = try readLine("a GLOBAL name")
            push(.global(try global(module: module, name: name)))
        case 0x93:  // STACK_GLOBAL
            let pair = try pop(2, at: offset)
            guard case .string(let module) = pair[0], case .string(let name) = pair[1] else {
                throw malformed(at: offset, "STACK_GLOBAL of \(pair[0].kind) and \(pair[1].kind)")
            }
            push(.global(try global(module: module, name: name)))
        case 0x69:  // INST: a global applied to the values above the mark
            let module = try readLine("an INST module")
            let name = try readLine("an INST name")
            let cls = try global(module: module, name: name)
            push(try construct(cls, arguments: try popMark(at: offset), at: offset))
        case 0x6F:  // OBJ
            var items = try popMark(at: offset)
            guard !items.isEmpty, case .global(let cls) = items.removeFirst() else { throw malformed(at: offset, "OBJ without a class") }
            push(try construct(cls, arguments: items, at: offset))
        case 0x52:  // REDUCE
            let args = try pop(at: offset)
            let callable = try pop(at: offset)
            guard case .tuple(let t) = args else { throw malformed(at: offset, "REDUCE with \(args.kind) arguments") }
            guard case .global(let g) = callable else { throw malformed(at: offset, "REDUCE calls a \(callable.kind)") }
            push(try call(g, arguments: arena.tuples[t], at: offset))
        case 0x81:  // NEWOBJ
            let args = try pop(at: offset)
            let cls = try pop(at: offset)
            guard case .global(let g) = cls, case .tuple(let t) = args else { throw malformed(at: offset, "NEWOBJ of \(cls.kind)") }
            push(try construct(g, arguments: arena.tuples[t], at: offset))
        case 0x92:  // NEWOBJ_EX
            let parts = try pop(3, at: offset)
            guard case .global(let g) = parts[0], case .tuple(let t) = parts[1] else { throw malformed(at: offset, "NEWOBJ_EX of \(parts[0].kind)") }
            push(try construct(g, arguments: arena.tuples[t], at: offset))
        case 0x62:  // BUILD
            let state = try pop(at: offset)
            let object = try peek(at: offset)
            switch object {
            case .dict, .tensor: break  // an OrderedDict's `_metadata`, a parameter's state: not needed
            default: throw malformed(at: offset, "BUILD on \(object.kind) with \(state.kind) state")
            }
        case 0x51:  // BINPERSID
            let pid = try pop(at: offset)
            push(.storage(try storage(persistentID: pid, at: offset)))
        case 0x50:  // PERSID (text)
            throw malformed(at: offset, "text persistent ids are not used by PyTorch checkpoints")
        case 0x82, 0x83, 0x84:
            throw malformed(at: offset, "extension-registry opcodes are not supported")
        case 0x97, 0x98:
            throw malformed(at: offset, "out-of-band buffers are not supported")
        default:
            throw malformed(at: offset, "unsupported opcode 0x\(String(opcode, radix: 16))")
        }
    }

    // MARK: - Globals, calls, persistent ids

    private func global(module: String, name: String) throws(WeightFileError) -> PickleGlobal {
        guard let global = PickleGlobal(module: module, name: name) else {
            throw .disallowedGlobal(file: file, name: "\(module).\(name)")
        }
        return global
    }

    /// `cls(*arguments)` for NEWOBJ/INST/OBJ: only `OrderedDict()` is allowed.
    private mutating func construct(_ cls: PickleGlobal, arguments: [PickleValue], at offset: Int) throws(WeightFileError) -> PickleValue {
        guard cls == .orderedDict else { throw malformed(at: offset, "cannot instantiate \(cls.name)") }
        return try call(cls, arguments: arguments, at: offset)
    }

    /// What calling an allowed global would return, built without calling anything.
    private mutating func call(_ callable: PickleGlobal, arguments args: [PickleValue], at offset: Int) throws(WeightFileError) -> PickleValue {
        switch callable {
        case .orderedDict:
            let dict = arena.newDict()
            if let items = args.first {
                // OrderedDict([(key, value), ...])
                let pairs: [PickleValue]
                switch items {
                case .list(let l): pairs = arena.lists[l]
                case .tuple(let t): pairs = arena.tuples[t]
                default: throw malformed(at: offset, "OrderedDict of \(items.kind)")
                }
                for pair in pairs {
                    guard case .tuple(let t) = pair, arena.tuples[t].count == 2 else { throw malformed(at: offset, "OrderedDict item is not a pair") }
                    try setItems(arena.tuples[t], in: dict, at: offset)
                }
            }
            return dict
        case .rebuildTensorV2:
            guard args.count >= 4 else { throw malformed(at: offset, "_rebuild_tensor_v2 with \(args.count) arguments") }
            guard case .storage(let storage) = args[0] else { throw malformed(at: offset, "_rebuild_tensor_v2 of \(args[0].kind)") }
            guard case .int(let storageOffset) = args[1], storageOffset >= 0 else { throw malformed(at: offset, "tensor storage offset is \(args[1].kind)") }
            let shape = try ints(args[2], "tensor size", at: offset)
            let stride = try ints(args[3], "tensor stride", at: offset)
            guard shape.count == stride.count, shape.count <= TorchTensorRecipe.maxDimensions else {
                throw malformed(at: offset, "tensor size \(shape) and stride \(stride) disagree")
            }
            return .tensor(TorchTensorRecipe(storage: storage, offset: storageOffset, shape: shape, stride: stride))
        case .rebuildParameter, .rebuildParameterWithState:
            guard let data = args.first, case .tensor = data else { throw malformed(at: offset, "\(callable.name) of \(args.first?.kind ?? "nothing")") }
            return data
        case .storageType:
            throw malformed(at: offset, "cannot call \(callable.name)")
        }
    }

    /// Non-negative integers from a tuple or list.
    private func ints(_ value: PickleValue, _ what: String, at offset: Int) throws(WeightFileError) -> [Int] {
        let items: [PickleValue]
        switch value {
        case .tuple(let t): items = arena.tuples[t]
        case .list(let l): items = arena.lists[l]
        default: throw malformed(at: offset, "\(what) is \(value.kind)")
        }
        var result = [Int]()
        for item in items {
            guard case .int(let v) = item, v >= 0 else { throw malformed(at: offset, "\(what) holds \(item.kind) or a negative value") }
            result.append(v)
        }
        return result
    }

    /// `('storage', StorageType, key, location, numel[, (view_key, offset, view_size)])`.
    private mutating func storage(persistentID pid: PickleValue, at offset: Int) throws(WeightFileError) -> TorchStorageRef {
        guard case .tuple(let t) = pid else { throw malformed(at: offset, "persistent id is \(pid.kind)") }
        let parts = arena.tuples[t]
        guard parts.count >= 5, case .string("storage") = parts[0] else { throw malformed(at: offset, "persistent id is not a storage") }
        guard case .global(.storageType(let dtype)) = parts[1] else { throw malformed(at: offset, "storage type is \(parts[1].kind)") }
        let key: String
        switch parts[2] {
        case .string(let s): key = s
        case .int(let i): key = String(i)
        default: throw malformed(at: offset, "storage key is \(parts[2].kind)")
        }
        var elementOffset = 0
        if parts.count >= 6, case .tuple(let v) = parts[5] {
            let view = arena.tuples[v]
            guard view.count >= 2, case .int(let o) = view[1], o >= 0 else { throw malformed(at: offset, "storage view metadata") }
            elementOffset = o
        }
        if let known = storages[key], known.dtype != dtype {
            throw malformed(at: offset, "storage '\(key)' is read as \(known.dtype.rawValue) and \(dtype.rawValue)")
        }
        storages[key] = TorchStorageRef(key: key, dtype: dtype, elementOffset: 0)
        return TorchStorageRef(key: key, dtype: dtype, elementOffset: elementOffset)
    }

    // MARK: - Containers

    private mutating func setItems(_ items: [PickleValue], in target: PickleValue, at offset: Int) throws(WeightFileError) {
        guard case .dict(let d) = target else { throw malformed(at: offset, "SETITEM on \(target.kind)") }
        guard items.count % 2 == 0 else { throw malformed(at: offset, "SETITEMS with an odd number of values") }
        var i = 0
        while i < items.count {
            guard arena.set(items[i], items[i + 1], inDict: d) else { throw malformed(at: offset, "unhashable \(items[i].kind) dict key") }
            i += 2
        }
    }

    private mutating func append(_ items: [PickleValue], to target: PickleValue, at offset: Int) throws(WeightFileError) {
        guard case .list(let l) = target else { throw malformed(at: offset, "APPEND to \(target.kind)") }
        arena.lists[l].append(contentsOf: items)
    }

    private mutating func put(_ index: Int, at offset: Int) throws(WeightFileError) {
        guard index >= 0, index < Self.maxMemo else { throw malformed(at: offset, "memo index \(index)") }
        memo[index] = try peek(at: offset)
    }

    private mutating func get(_ index: Int, at offset: Int) throws(WeightFileError) {
        guard let value = memo[index] else { throw malformed(at: offset, "memo index \(index) was never stored") }
        push(value)
    }

    // MARK: - Stack

    private mutating func push(_ value: PickleValue) { stack.append(value) }

    private func peek(at offset: Int) throws(WeightFileError) -> PickleValue {
        guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw malformed(at: offset, "stack underflow") }
        return top
    }

    private mutating func pop(at offset: Int) throws(WeightFileError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let top = stack.popLast() else { throw malformed(at: offset, "stack underflow") }
        return top
    }

    private mutating func pop(_ n: Int, at offset: Int) throws(WeightFileError) -> [PickleValue] {
        guard stack.count - (marks.last ?? 0) >= n else { throw malformed(at: offset, "stack underflow") }
        let items = Array(stack.suffix(n))
        stack.removeLast(n)
        return items
    }

    private mutating func popMark(at offset: Int) throws(WeightFileError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw malformed(at: offset, "no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    // MARK: - Bytes

    private mutating func readByte(_ what: String) throws(WeightFileError) -> UInt8 {
        guard position < bytes.count else { throw truncated(what) }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func read(_ count: Int, _ what: String) throws(WeightFileError) -> UnsafeRawBufferPointer.SubSequence {
        guard count >= 0, count <= bytes.count - position else { throw truncated(what) }
        defer { position += count }
        return bytes[position ..< position + count]
    }

    private mutating func readLE<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(WeightFileError) -> T {
        let raw = try read(MemoryLayout<T>.size, what)
        return T(littleEndian: UnsafeRawBufferPointer(rebasing: raw).loadUnaligned(as: T.self))
    }

    private mutating func readLength64(_ what: String, at offset: Int) throws(WeightFileError) -> Int {
        let length = try readLE(UInt64.self, what)
        guard length <= UInt64(bytes.count - position) else { throw truncated(what) }
        return Int(length)
    }

    /// A `\n`-terminated ASCII line (GLOBAL names, text opcodes), without the newline.
    private mutating func readLine(_ what: String) throws(WeightFileError) -> String {
        let start = position
        while true {
            guard position < bytes.count else { throw truncated(what) }
            guard position - start <= Self.maxLineLength else { throw malformed(at: start, "\(what) longer than \(Self.maxLineLength) bytes") }
            if bytes[position] == 0x0A { break }
            position += 1
        }
        let line = latin1(bytes[start ..< position])
        position += 1
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }

    private func utf8(_ raw: UnsafeRawBufferPointer.SubSequence, at offset: Int) throws(WeightFileError) -> String {
        guard let string = String(bytes: raw, encoding: .utf8) else { throw malformed(at: offset, "string is not UTF-8") }
        return string
    }

    private func latin1(_ raw: UnsafeRawBufferPointer.SubSequence) -> String {
        String(raw.map { Character(Unicode.Scalar($0)) })
    }

    private func long(_ raw: UnsafeRawBufferPointer.SubSequence) -> PickleValue {
        let digits = Array(raw)
        guard digits.count <= 8 else { return .bigInt(digits) }
        guard let last = digits.last else { return .int(0) }
        var value: UInt64 = last & 0x80 != 0 ? ~0 : 0  // sign-extend
        for byte in digits.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private func truncated(_ what: String) -> WeightFileError {
        .truncated(file: file, offset: base + bytes.count, context: "\(part) ends inside \(what)")
    }

    private func malformed(at offset: Int, _ reason: String) -> WeightFileError {
        .malformedPickle(file: file, offset: base + offset, reason: "\(part): \(reason)")
    }
}
