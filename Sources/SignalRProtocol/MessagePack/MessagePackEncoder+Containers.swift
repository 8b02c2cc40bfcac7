// The containers write straight to their node's buffer; the node owns the element
// count (containers are copied freely, so they cannot hold it themselves).

struct MessagePackKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: MessagePackEncodingNode

    var codingPath: [any CodingKey] { node.codingPath }

    private func writeKey(_ key: some CodingKey) {
        node.buffer.writer.write(key.stringValue)
        node.count += 1
    }

    mutating func encodeNil(forKey key: Key) throws {
        writeKey(key)
        node.buffer.writer.writeNil()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { try encodeInteger(Int64(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encodeInteger(Int64(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encodeInteger(Int64(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encodeInteger(Int64(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encodeUnsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encodeUnsigned(value, key) }

    private func encodeInteger(_ value: Int64, _ key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    private func encodeUnsigned(_ value: UInt64, _ key: Key) throws {
        writeKey(key)
        node.buffer.writer.write(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writeKey(key)
        try node.encodeChild(value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        writeKey(key)
        return KeyedEncodingContainer(
            MessagePackKeyedEncodingContainer<NestedKey>(node: node.makeSplicedChild(key: key, kind: .keyed)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writeKey(key)
        return MessagePackUnkeyedEncodingContainer(node: node.makeSplicedChild(key: key, kind: .unkeyed))
    }

    mutating func superEncoder() -> any Encoder {
        writeKey(MessagePackCodingKey.superKey)
        return node.makeSplicedChild(key: MessagePackCodingKey.superKey, kind: nil)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writeKey(key)
        return node.makeSplicedChild(key: key, kind: nil)
    }
}

struct MessagePackUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let node: MessagePackEncodingNode

    var codingPath: [any CodingKey] { node.codingPath }

    var count: Int { node.count }

    mutating func encodeNil() throws {
        node.buffer.writer.writeNil()
        node.count += 1
    }

    mutating func encode(_ value: Bool) throws {
        node.buffer.writer.write(value)
        node.count += 1
    }

    mutating func encode(_ value: String) throws {
        node.buffer.writer.write(value)
        node.count += 1
    }

    mutating func encode(_ value: Double) throws {
        node.buffer.writer.write(value)
        node.count += 1
    }

    mutating func encode(_ value: Float) throws {
        node.buffer.writer.write(value)
        node.count += 1
    }

    mutating func encode(_ value: Int) throws { encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int8) throws { encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int16) throws { encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int32) throws { encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int64) throws { encodeInteger(value) }
    mutating func encode(_ value: UInt) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { encodeUnsigned(value) }

    private func encodeInteger(_ value: Int64) {
        node.buffer.writer.write(value)
        node.count += 1
    }

    private func encodeUnsigned(_ value: UInt64) {
        node.buffer.writer.write(value)
        node.count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.encodeChild(value, key: MessagePackCodingKey(index: node.count))
        node.count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.makeSplicedChild(key: MessagePackCodingKey(index: node.count), kind: .keyed)
        node.count += 1
        return KeyedEncodingContainer(MessagePackKeyedEncodingContainer<NestedKey>(node: child))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.makeSplicedChild(key: MessagePackCodingKey(index: node.count), kind: .unkeyed)
        node.count += 1
        return MessagePackUnkeyedEncodingContainer(node: child)
    }

    mutating func superEncoder() -> any Encoder {
        let child = node.makeSplicedChild(key: MessagePackCodingKey(index: node.count), kind: nil)
        node.count += 1
        return child
    }
}

struct MessagePackSingleValueEncodingContainer: SingleValueEncodingContainer {
    let node: MessagePackEncodingNode

    var codingPath: [any CodingKey] { node.codingPath }

    /// Marks the single value as written.
    /// - Throws: `EncodingError.invalidValue` when a value was already written.
    private func claim(_ value: Any) throws {
        guard case .single(written: false) = node.state else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "A single value container can hold only one value."))
        }
        node.state = .single(written: true)
    }

    mutating func encodeNil() throws {
        try claim(Optional<Int>.none as Any)
        node.buffer.writer.writeNil()
    }

    mutating func encode(_ value: Bool) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: String) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Double) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Float) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    mutating func encode(_ value: Int) throws { try encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try encodeInteger(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt) throws { try encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try encodeUnsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try encodeUnsigned(value) }

    private func encodeInteger(_ value: Int64) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    private func encodeUnsigned(_ value: UInt64) throws {
        try claim(value)
        node.buffer.writer.write(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try claim(value)
        try node.encodeChild(value, key: nil)
    }
}
