import Foundation

/// The `json` hub protocol: one JSON object per message, each ended by 0x1E.
///
/// Arguments, stream items and results are kept as raw JSON tokens and decoded
/// with ``decoder`` when a caller asks for a type; outgoing values are encoded
/// with ``encoder``. Both default to ASP.NET Core-compatible dates
/// (``DotNetDateCoding``); supply your own for other key, date or data strategies.
///
/// ```swift
/// let json = JSONHubProtocol()
/// let bytes = try json.writeMessage(.invocation(InvocationMessage(invocationId: "0", target: "Add", arguments: [HubValue(1), HubValue(2)])))
/// ```
public struct JSONHubProtocol: HubProtocol {
    public var name: String { "json" }
    public var version: Int { 1 }
    public var transferFormat: TransferFormat { .text }
    /// The largest message accepted, in bytes (default 64 MiB).
    public var maximumMessageSize: Int
    /// The encoder for argument, item and result values.
    public let encoder: JSONEncoder
    /// The decoder for argument, item and result values.
    public let decoder: JSONDecoder

    /// Creates the protocol.
    /// - Parameters:
    ///   - encoder: encodes outgoing values; nil for one with ``DotNetDateCoding/encodingStrategy``.
    ///   - decoder: decodes incoming values; nil for one with ``DotNetDateCoding/decodingStrategy``.
    ///   - maximumMessageSize: the largest message accepted, in bytes.
    public init(encoder: JSONEncoder? = nil, decoder: JSONDecoder? = nil, maximumMessageSize: Int = 64 * 1024 * 1024) {
        self.encoder = encoder ?? Self.defaultEncoder()
        self.decoder = decoder ?? Self.defaultDecoder()
        self.maximumMessageSize = maximumMessageSize
    }

    private static func defaultEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = DotNetDateCoding.encodingStrategy
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    private static func defaultDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = DotNetDateCoding.decodingStrategy
        return decoder
    }

    public func parseMessages(_ input: ArraySlice<UInt8>) throws -> (messages: [HubMessage], consumed: Int) {
        let (records, consumed) = try TextMessageFormat.split(input, maximumRecordSize: maximumMessageSize)
        var messages: [HubMessage] = []
        messages.reserveCapacity(records.count)
        for record in records {
            if let message = try parseMessage(record) { messages.append(message) }
        }
        return (messages, consumed)
    }

    /// Parses one record (without its 0x1E); nil for a message type this protocol does not know.
    /// - Throws: ``HubProtocolError`` when the record is not a valid hub message.
    public func parseMessage(_ record: ArraySlice<UInt8>) throws -> HubMessage? {
        var envelope = try JSONEnvelope.parse(record)
        return try envelope.makeMessage()
    }

    public func writeMessage(_ message: HubMessage, into buffer: inout [UInt8]) throws {
        try writeEnvelope(message, into: &buffer)
        buffer.append(TextMessageFormat.recordSeparator)
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: HubValue) throws -> T {
        switch value.storage {
        case .json(let token):
            if let fast = try Self.decodeFast(T.self, token) { return fast }
            do {
                return try decoder.decode(T.self, from: Data(token))
            } catch let error as DecodingError {
                throw error
            } catch {
                throw HubProtocolError(.invalidJSON, "The value is not valid JSON: \(error)")
            }
        case .messagePack(let bytes):
            return try MessagePackDecoder().decode(T.self, from: bytes)
        case .null:
            return try decoder.decode(T.self, from: Data("null".utf8))
        case .encodable(let local):
            if let same = local as? T { return same }
            var buffer: [UInt8] = []
            try writeValue(value, into: &buffer)
            return try decoder.decode(T.self, from: Data(buffer))
        }
    }

    /// Reads the common scalar types straight from the token, skipping Foundation.
    private static func decodeFast<T>(_ type: T.Type, _ token: ArraySlice<UInt8>) throws -> T? {
        var scanner = JSONScanner(token)
        if T.self == String.self, (try? scanner.peek()) == UInt8(ascii: "\"") {
            let string = try scanner.readString()
            try scanner.expectEnd()
            return string as? T
        }
        if T.self == JSONValue.self {
            let value = try scanner.readValue()
            try scanner.expectEnd()
            return value as? T
        }
        if T.self == Int.self, let int = try? scanner.readInt64(), (try? scanner.expectEnd()) != nil {
            return Int(exactly: int) as? T
        }
        if T.self == Bool.self, let bool = try? scanner.readBool(), (try? scanner.expectEnd()) != nil {
            return bool as? T
        }
        return nil
    }
}
