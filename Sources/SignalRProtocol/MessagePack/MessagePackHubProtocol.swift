import Foundation

/// The `messagepack` hub protocol: each message is a VarInt length prefix and one MessagePack array.
///
/// Array layouts follow the spec (HubProtocol.md, "MessagePack (MsgPack) encoding"):
/// `[1, headers, invocationId, target, [args], [streamIds]]`, `[3, headers, id, resultKind, result?]`,
/// `[6]`, `[7, error, allowReconnect]` and so on. Values are kept as raw MessagePack
/// bytes until decoded with ``MessagePackDecoder``. Dates travel as the timestamp
/// extension (-1) and `Data` as bin.
public struct MessagePackHubProtocol: HubProtocol {
    public var name: String { "messagepack" }
    public var version: Int { 1 }
    public var transferFormat: TransferFormat { .binary }
    /// The largest message accepted, in bytes (default 64 MiB).
    public var maximumMessageSize: Int
    /// The encoder for argument, item and result values.
    public var encoder: MessagePackEncoder
    /// The decoder for argument, item and result values.
    public var decoder: MessagePackDecoder

    /// Creates the protocol.
    /// - Parameter maximumMessageSize: the largest message accepted, in bytes.
    public init(
        encoder: MessagePackEncoder = MessagePackEncoder(),
        decoder: MessagePackDecoder = MessagePackDecoder(),
        maximumMessageSize: Int = 64 * 1024 * 1024
    ) {
        self.encoder = encoder
        self.decoder = decoder
        self.maximumMessageSize = maximumMessageSize
    }

    public func parseMessages(_ input: ArraySlice<UInt8>) throws -> (messages: [HubMessage], consumed: Int) {
        let (bodies, consumed) = try BinaryMessageFormat.split(input, maximumMessageSize: maximumMessageSize)
        var messages: [HubMessage] = []
        messages.reserveCapacity(bodies.count)
        for body in bodies {
            if let message = try parseMessage(body) { messages.append(message) }
        }
        return (messages, consumed)
    }

    /// Parses one message body (without its length prefix); nil for an unknown message type.
    /// - Throws: ``HubProtocolError`` when the body is not a valid hub message.
    public func parseMessage(_ body: ArraySlice<UInt8>) throws -> HubMessage? {
        do {
            return try MessagePackMessageParser.parse(body)
        } catch let error as MessagePackError {
            throw HubProtocolError(.invalidMessagePack, "Invalid MessagePack hub message: \(error)")
        }
    }

    public func writeMessage(_ message: HubMessage, into buffer: inout [UInt8]) throws {
        var writer = MessagePackWriter(reservingCapacity: 64)
        try writeBody(message, into: &writer)
        BinaryMessageFormat.write(writer.bytes, into: &buffer)
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: HubValue) throws -> T {
        switch value.storage {
        case .messagePack(let bytes):
            if let fast = try Self.decodeFast(T.self, bytes) { return fast }
            return try decoder.decode(T.self, from: bytes)
        case .json(let token):
            return try JSONHubProtocol().decode(T.self, from: .rawJSON(token))
        case .null:
            return try decoder.decode(T.self, from: [0xC0])
        case .encodable(let local):
            if let same = local as? T { return same }
            var writer = MessagePackWriter()
            try writeValue(value, into: &writer)
            return try decoder.decode(T.self, from: writer.bytes)
        }
    }

    /// Reads the common scalar types straight from the bytes, skipping the Codable machinery.
    private static func decodeFast<T>(_ type: T.Type, _ bytes: ArraySlice<UInt8>) throws -> T? {
        var reader = MessagePackReader(bytes)
        let value: Any
        if T.self == String.self {
            guard let string = try? reader.readString() else { return nil }
            value = string
        } else if T.self == Int.self {
            guard let int = try? reader.readInt64(), let exact = Int(exactly: int) else { return nil }
            value = exact
        } else if T.self == Bool.self {
            guard let bool = try? reader.readBool() else { return nil }
            value = bool
        } else {
            return nil
        }
        // Trailing bytes mean the value is not what it seems: let the decoder report it.
        return reader.isAtEnd ? value as? T : nil
    }
}
