/// A JSON value of any shape, for hubs whose argument and result types you do not model.
///
/// It decodes from any hub value (JSON or MessagePack) and encodes back the same
/// way, so `let result: JSONValue = try await connection.invoke("Method")` always works.
///
/// Integers are exact: those that fit in `Int64` are ``int(_:)``, larger ones up to
/// `UInt64.max` are ``uint(_:)``; other numbers are ``double(_:)``. (The official JavaScript
/// client reads every number as a double, so it rounds integers beyond 2^53.)
///
/// MessagePack values without a JSON form of their own read as strings: a timestamp
/// (extension type -1, in its 32-, 64- and 96-bit forms) as ISO 8601 in UTC, with fractional
/// seconds only when they are not zero (`2019-01-01T00:00:00.5Z`); `bin` data and the payload
/// of any other extension type as base64. A map key that is not a string becomes its JSON
/// text (`1`, `true`).
///
/// ```swift
/// let value: JSONValue = ["name": "ana", "tags": [1, 2]]
/// print(value.jsonString)   // {"name":"ana","tags":[1,2]}
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer above `Int64.max` (smaller ones are ``int(_:)``).
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses UTF-8 JSON text.
    /// - Throws: ``HubProtocolError`` with code ``HubProtocolError/Code/invalidJSON`` for bad JSON.
    public init(parsing bytes: some Collection<UInt8>) throws {
        var scanner = JSONScanner(ArraySlice(bytes))
        self = try scanner.readValue()
        try scanner.expectEnd()
    }

    /// Parses JSON text.
    /// - Throws: ``HubProtocolError`` for bad JSON.
    public init(parsing text: String) throws {
        try self.init(parsing: Array(text.utf8))
    }

    /// Compact JSON text, object keys sorted so the output is stable.
    public var jsonString: String {
        var buffer: [UInt8] = []
        JSONWriter.write(self, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .int(int)
        } else if let uint = try? container.decode(UInt64.self) {
            self = .uint(uint)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not a JSON value.")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .uint(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
