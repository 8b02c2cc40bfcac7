/// An argument, stream item or result of a hub message.
///
/// Values read from the wire keep their raw encoded bytes (a JSON token or a
/// MessagePack value) until someone asks for a type with
/// ``HubProtocol/decode(_:from:)``: the handler's `Decodable` types decide how
/// they are read, and a value of the wrong type fails that decode only.
/// Values created locally wrap any `Encodable & Sendable` value and are encoded
/// by the protocol that writes the message.
public struct HubValue: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        case encodable(any Encodable & Sendable)
        case null
        case json(ArraySlice<UInt8>)
        case messagePack(ArraySlice<UInt8>)
    }

    @usableFromInline
    let storage: Storage

    @usableFromInline
    init(storage: Storage) { self.storage = storage }

    /// Wraps a value to be encoded when the message is written.
    @inlinable
    public init(_ value: some Encodable & Sendable) {
        self.storage = .encodable(value)
    }

    /// The JSON/MessagePack `null` value.
    public static let null = HubValue(storage: .null)

    /// A value that is one raw JSON token (for example `42` or `"text"`), kept as bytes.
    ///
    /// The bytes are not validated here; decoding them reports bad JSON.
    public static func rawJSON(_ bytes: ArraySlice<UInt8>) -> HubValue {
        HubValue(storage: .json(bytes))
    }

    /// A value that is one raw MessagePack value, kept as bytes.
    public static func rawMessagePack(_ bytes: ArraySlice<UInt8>) -> HubValue {
        HubValue(storage: .messagePack(bytes))
    }

    /// The raw JSON token, when this value was read by the JSON protocol.
    public var rawJSON: ArraySlice<UInt8>? {
        if case .json(let bytes) = storage { return bytes }
        return nil
    }

    /// The raw MessagePack bytes, when this value was read by the MessagePack protocol.
    public var rawMessagePack: ArraySlice<UInt8>? {
        if case .messagePack(let bytes) = storage { return bytes }
        return nil
    }

    /// The wrapped local value, when this value was created from a Swift value.
    public var encodableValue: (any Encodable & Sendable)? {
        if case .encodable(let value) = storage { return value }
        return nil
    }

    /// Whether this is a `null` (a local `nil`, `HubValue.null`, or a raw null token).
    public var isNull: Bool {
        switch storage {
        case .null: return true
        case .json(let bytes): return JSONScanner.isNullToken(bytes)
        case .messagePack(let bytes): return bytes.count == 1 && bytes.first == 0xC0
        case .encodable(let value):
            if let optional = value as? any OptionalProtocol { return optional.isNone }
            return false
        }
    }
}

/// Lets `HubValue.isNull` see through `Optional` without knowing its wrapped type.
@usableFromInline
protocol OptionalProtocol {
    var isNone: Bool { get }
}

extension Optional: OptionalProtocol {
    @usableFromInline
    var isNone: Bool { self == nil }
}
