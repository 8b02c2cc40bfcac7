/// A JSON value of any shape, for hubs whose argument and result types you do not model.
///
/// It decodes from any hub value (JSON or MessagePack) and encodes back the same
/// way, so `let result: JSONValue = try await connection.invoke("Method")` always works.
/// Integers that fit in `Int64` stay integers; other numbers are `Double`.
///
/// ```swift
/// let value: JSONValue = ["name": "ana", "tags": [1, 2]]
/// print(value.jsonString)   // {"name":"ana","tags":[1,2]}
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
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
