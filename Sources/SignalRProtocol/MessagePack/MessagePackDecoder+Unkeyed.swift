struct MessagePackUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let context: MessagePackDecodingContext
    let codingPath: [any CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    /// Positioned at the element at `currentIndex`. A failed decode puts it back there,
    /// so the element can be retried as another type.
    private var reader: MessagePackReader

    /// Opens the array at `offset`.
    /// - Throws: `DecodingError` when the value is not an array.
    init(context: MessagePackDecodingContext, offset: Int, codingPath: [any CodingKey]) throws {
        self.context = context
        self.codingPath = codingPath
        reader = context.reader(at: offset)
        count = try context.read([Any].self, &reader, codingPath) { reader throws(MessagePackError) in
            try reader.readArrayHeader()
        }
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var currentPath: [any CodingKey] {
        codingPath + [MessagePackCodingKey(index: currentIndex)]
    }

    /// The offset of the current element.
    /// - Throws: `DecodingError.valueNotFound` past the last element.
    private func elementStart(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: currentPath, debugDescription: "Unkeyed container is at end."))
        }
        return reader.index
    }

    /// Moves back to `start` and returns the `DecodingError` for `error`.
    private mutating func failure(_ error: any Error, _ type: Any.Type, restoring start: Int) -> any Error {
        reader.index = start
        return MessagePackNativeFailure.decodingError(error, type, currentPath)
    }

    mutating func decodeNil() throws -> Bool {
        _ = try elementStart(Never?.self)
        guard (try? reader.peekFormatByte()) == 0xc0 else { return false }
        try reader.readNil()
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let start = try elementStart(type)
        do {
            let value = try context.decodeBool(from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let start = try elementStart(type)
        do {
            let value = try context.decodeString(from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let start = try elementStart(type)
        do {
            let value = try context.decodeDouble(from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let start = try elementStart(type)
        do {
            let value = try context.decodeFloat(from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let start = try elementStart(type)
        do {
            let value = try context.decodeInteger(type, from: &reader)
            currentIndex += 1
            return value
        } catch { throw failure(error, type, restoring: start) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let start = try elementStart(type)
        let (base, index) = (codingPath, currentIndex)
        do {
            let value = try context.decode(
                T.self, from: &reader, path: { base + [MessagePackCodingKey(index: index)] }, advance: true)
            currentIndex += 1
            return value
        } catch {
            reader.index = start
            throw error
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let start = try elementStart(KeyedDecodingContainer<NestedKey>.self)
        let container = try MessagePackKeyedDecodingContainer<NestedKey>(
            context: context, offset: start, codingPath: currentPath)
        try skipElement()
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let start = try elementStart((any UnkeyedDecodingContainer).self)
        let container = try MessagePackUnkeyedDecodingContainer(context: context, offset: start, codingPath: currentPath)
        try skipElement()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let start = try elementStart((any Decoder).self)
        let decoder = MessagePackValueDecoder(context: context, offset: start, codingPath: currentPath)
        try skipElement()
        return decoder
    }

    private mutating func skipElement() throws {
        let path = currentPath
        _ = try context.read(Any.self, &reader, path) { reader throws(MessagePackError) in try reader.skipValue() }
        currentIndex += 1
    }
}
