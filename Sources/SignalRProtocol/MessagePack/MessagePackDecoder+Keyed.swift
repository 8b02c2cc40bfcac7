/// Where each pair of one map is: built by one pass over the map, then searched by key.
/// It also holds the keyed container's other state, so that copying the container (which
/// `KeyedDecodingContainer` does freely) retains a single object.
final class MessagePackMapIndex {
    enum EntryKey {
        /// The range of a string key's UTF-8 bytes (unvalidated; compared as bytes).
        case string(Range<Int>)
        case integer(Int64)
    }

    struct Entry {
        let key: EntryKey
        let valueOffset: Int
    }

    let context: MessagePackDecodingContext
    let codingPath: [any CodingKey]
    let entries: [Entry]
    /// Where the last lookup matched. Synthesized `init(from:)` asks for keys in
    /// declaration order, usually the order they were written in, so starting there makes
    /// most lookups hit on the first or second comparison.
    var hint = 0

    init(context: MessagePackDecodingContext, codingPath: [any CodingKey], entries: [Entry]) {
        self.context = context
        self.codingPath = codingPath
        self.entries = entries
    }
}

struct MessagePackKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let index: MessagePackMapIndex

    var context: MessagePackDecodingContext { index.context }
    var codingPath: [any CodingKey] { index.codingPath }

    /// Indexes the map at `offset`. Keys that are neither strings nor integers are skipped.
    /// - Throws: `DecodingError` when the value is not a map.
    init(context: MessagePackDecodingContext, offset: Int, codingPath: [any CodingKey]) throws {
        var reader = context.reader(at: offset)
        let count = try context.read([String: Any].self, &reader, codingPath) { reader throws(MessagePackError) in
            try reader.readMapHeader()
        }
        let entries = try context.read([String: Any].self, &reader, codingPath) { reader throws(MessagePackError) in
            try Self.scanEntries(count, &reader)
        }
        index = MessagePackMapIndex(context: context, codingPath: codingPath, entries: entries)
    }

    private static func scanEntries(
        _ count: Int, _ reader: inout MessagePackReader
    ) throws(MessagePackError) -> [MessagePackMapIndex.Entry] {
        var entries: [MessagePackMapIndex.Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let format = try reader.peekFormatByte()
            var key: MessagePackMapIndex.EntryKey?
            switch format {
            case 0xa0...0xbf, 0xd9...0xdb:
                key = .string(try reader.readStringRange())
            case _ where MessagePackReader.isInteger(format):
                switch try reader.readIntegerValue() {
                case .signed(let value): key = .integer(value)
                case .unsigned(let value): key = Int64(exactly: value).map { .integer($0) }
                }
            default:
                _ = try reader.skipValue()
            }
            let valueOffset = reader.index
            _ = try reader.skipValue()
            if let key { entries.append(MessagePackMapIndex.Entry(key: key, valueOffset: valueOffset)) }
        }
        return entries
    }

    var allKeys: [Key] {
        index.entries.compactMap { entry in
            switch entry.key {
            case .string(let range):
                guard let name = try? MessagePackUTF8.makeString(context.bytes[range]) else { return nil }
                return Key(stringValue: name)
            case .integer(let value):
                return Int(exactly: value).flatMap { Key(intValue: $0) } ?? Key(stringValue: String(value))
            }
        }
    }

    func contains(_ key: Key) -> Bool {
        valueOffset(for: key) != nil
    }

    /// The offset of `key`'s value. A string key matches the map key with the same UTF-8
    /// bytes; an integer map key matches `intValue` or the decimal `stringValue`.
    private func valueOffset(for key: some CodingKey) -> Int? {
        let entries = index.entries
        let count = entries.count
        guard count > 0 else { return nil }
        var position = index.hint < count ? index.hint : 0
        var name = key.stringValue
        let intValue = key.intValue
        let bytes = context.bytes
        let found: Int? = name.withUTF8 { utf8 in
            for _ in 0..<count {
                let matches: Bool
                switch entries[position].key {
                case .string(let range):
                    matches = range.count == utf8.count && bytes[range].elementsEqual(utf8)
                case .integer(let value):
                    matches = intValue.map { Int64($0) == value } ?? String(value).utf8.elementsEqual(utf8)
                }
                if matches { return position }
                position += 1
                if position == count { position = 0 }
            }
            return nil
        }
        guard let found else { return nil }
        index.hint = found
        return entries[found].valueOffset
    }

    private func reader(for key: some CodingKey) throws -> MessagePackReader {
        guard let offset = valueOffset(for: key) else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key.stringValue.debugDescription)."))
        }
        return context.reader(at: offset)
    }

    private func path(_ key: Key) -> [any CodingKey] {
        var path = codingPath
        path.append(key)
        return path
    }

    private func failure(_ error: any Error, _ type: Any.Type, _ key: Key) -> any Error {
        MessagePackNativeFailure.decodingError(error, type, path(key))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let reader = try reader(for: key)
        return (try? reader.peekFormatByte()) == 0xc0
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        var reader = try reader(for: key)
        do { return try context.decodeBool(from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        var reader = try reader(for: key)
        do { return try context.decodeString(from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        var reader = try reader(for: key)
        do { return try context.decodeDouble(from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        var reader = try reader(for: key)
        do { return try context.decodeFloat(from: &reader) } catch { throw failure(error, type, key) }
    }

    // Each integer overload names its type so that `decodeInteger` is specialized for it.
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        var reader = try reader(for: key)
        do { return try context.decodeInteger(type, from: &reader) } catch { throw failure(error, type, key) }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        var reader = try reader(for: key)
        return try context.decode(T.self, from: &reader, path: { path(key) }, advance: false)
    }

    // One lookup instead of the default's three (contains, decodeNil, decode), for
    // optional properties. The default covers the primitive overloads.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let offset = valueOffset(for: key) else { return nil }
        var reader = context.reader(at: offset)
        if (try? reader.peekFormatByte()) == 0xc0 { return nil }
        return try context.decode(T.self, from: &reader, path: { path(key) }, advance: false)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let reader = try reader(for: key)
        return KeyedDecodingContainer(
            try MessagePackKeyedDecodingContainer<NestedKey>(
                context: context, offset: reader.index, codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let reader = try reader(for: key)
        return try MessagePackUnkeyedDecodingContainer(
            context: context, offset: reader.index, codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(key: MessagePackCodingKey.superKey)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try superDecoder(key: key)
    }

    private func superDecoder(key: some CodingKey) throws -> any Decoder {
        let reader = try reader(for: key)
        return MessagePackValueDecoder(context: context, offset: reader.index, codingPath: codingPath + [key])
    }
}
