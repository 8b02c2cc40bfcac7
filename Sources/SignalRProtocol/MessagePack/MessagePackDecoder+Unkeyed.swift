struct MessagePackUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let context: MessagePackDecodingContext
    let codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    /// Where the element at `currentIndex` starts.
    private var offset: Int

    /// Opens the array at `offset`.
    /// - Throws: `DecodingError` when the value is not an array.
    init(context: MessagePackDecodingContext, offset: Int, codingPath: [any CodingKey]) throws {
        self.context = context
        self.codingPath = codingPath
        var reader = context.reader(at: offset)
        let none: MessagePackCodingKey? = nil
        count = try context.read([Any].self, &reader, codingPath, none) { reader throws(MessagePackError) in
            try reader.readArrayHeader()
        }
        self.offset = reader.index
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var currentKey: MessagePackCodingKey { MessagePackCodingKey(index: currentIndex) }

    /// A reader at the current element.
    /// - Throws: `DecodingError.valueNotFound` past the last element.
    private func elementReader(_ type: Any.Type) throws -> MessagePackReader {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(
                    codingPath: codingPath + [currentKey], debugDescription: "Unkeyed container is at end."))
        }
        return context.reader(at: offset)
    }

    // Called only after the element decoded, so a failed decode can be retried as another type.
    private mutating func advance(past reader: MessagePackReader) {
        offset = reader.index
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        var reader = try elementReader(Never?.self)
        guard (try? reader.peekIsNil()) == true else { return false }
        try reader.readNil()
        advance(past: reader)
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        var reader = try elementReader(type)
        let value = try context.decodeBool(from: &reader, codingPath, currentKey)
        advance(past: reader)
        return value
    }

    mutating func decode(_ type: String.Type) throws -> String {
        var reader = try elementReader(type)
        let value = try context.decodeString(from: &reader, codingPath, currentKey)
        advance(past: reader)
        return value
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        var reader = try elementReader(type)
        let value = try context.decodeDouble(from: &reader, codingPath, currentKey)
        advance(past: reader)
        return value
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        var reader = try elementReader(type)
        let value = try context.decodeFloat(from: &reader, codingPath, currentKey)
        advance(past: reader)
        return value
    }

    mutating func decode(_ type: Int.Type) throws -> Int { try decodeInteger() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger() }

    private mutating func decodeInteger<I: FixedWidthInteger>() throws -> I {
        var reader = try elementReader(I.self)
        let value = try context.decodeInteger(I.self, from: &reader, codingPath, currentKey)
        advance(past: reader)
        return value
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var reader = try elementReader(type)
        let value = try context.decode(T.self, from: &reader, path: codingPath, key: currentKey)
        advance(past: reader)
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        var reader = try elementReader(KeyedDecodingContainer<NestedKey>.self)
        let container = try MessagePackKeyedDecodingContainer<NestedKey>(
            context: context, offset: reader.index, codingPath: codingPath + [currentKey])
        try skip(&reader)
        advance(past: reader)
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        var reader = try elementReader((any UnkeyedDecodingContainer).self)
        let container = try MessagePackUnkeyedDecodingContainer(
            context: context, offset: reader.index, codingPath: codingPath + [currentKey])
        try skip(&reader)
        advance(past: reader)
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        var reader = try elementReader((any Decoder).self)
        let decoder = MessagePackValueDecoder(context: context, offset: reader.index, codingPath: codingPath + [currentKey])
        try skip(&reader)
        advance(past: reader)
        return decoder
    }

    private func skip(_ reader: inout MessagePackReader) throws {
        _ = try context.read(Any.self, &reader, codingPath, currentKey) { reader throws(MessagePackError) in
            try reader.skipValue()
        }
    }
}

struct MessagePackSingleValueDecodingContainer: SingleValueDecodingContainer {
    let context: MessagePackDecodingContext
    let offset: Int
    let codingPath: [any CodingKey]

    private static let noKey: MessagePackCodingKey? = nil

    private var reader: MessagePackReader { context.reader(at: offset) }

    func decodeNil() -> Bool {
        (try? reader.peekFormatByte()) == 0xc0
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        var reader = reader
        return try context.decodeBool(from: &reader, codingPath, Self.noKey)
    }

    func decode(_ type: String.Type) throws -> String {
        var reader = reader
        return try context.decodeString(from: &reader, codingPath, Self.noKey)
    }

    func decode(_ type: Double.Type) throws -> Double {
        var reader = reader
        return try context.decodeDouble(from: &reader, codingPath, Self.noKey)
    }

    func decode(_ type: Float.Type) throws -> Float {
        var reader = reader
        return try context.decodeFloat(from: &reader, codingPath, Self.noKey)
    }

    func decode(_ type: Int.Type) throws -> Int { try decodeInteger() }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger() }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger() }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger() }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger() }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger() }

    private func decodeInteger<I: FixedWidthInteger>() throws -> I {
        var reader = reader
        return try context.decodeInteger(I.self, from: &reader, codingPath, Self.noKey)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var reader = reader
        return try context.decode(T.self, from: &reader, path: codingPath, key: Self.noKey)
    }
}
