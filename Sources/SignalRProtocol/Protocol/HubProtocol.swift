/// How the bytes of a hub protocol travel over a transport.
public enum TransferFormat: String, Sendable, Hashable, CaseIterable {
    /// UTF-8 text (JSON): WebSocket text frames; Server-Sent Events can carry it.
    case text = "Text"
    /// Arbitrary bytes (MessagePack): WebSocket binary frames; not Server-Sent Events.
    case binary = "Binary"
}

/// A hub protocol: turns ``HubMessage`` values into bytes and back.
///
/// Implementations: ``JSONHubProtocol`` (`json`, text) and
/// ``MessagePackHubProtocol`` (`messagepack`, binary). Both frame messages
/// themselves (0x1E record separator, VarInt length prefix), so the bytes a
/// transport delivers can be fed to ``parseMessages(_:)`` as they come.
public protocol HubProtocol: Sendable {
    /// The name sent in the handshake request (`json`, `messagepack`).
    var name: String { get }
    /// The protocol version sent in the handshake (1; 2 with stateful reconnect is negotiated by the client).
    var version: Int { get }
    /// The transfer format the transport must carry.
    var transferFormat: TransferFormat { get }
    /// The largest message, in bytes, that ``parseMessages(_:)`` accepts; larger ones throw
    /// ``HubProtocolError/Code/messageTooLarge``.
    var maximumMessageSize: Int { get }

    /// Parses every complete message at the start of `input`.
    ///
    /// - Parameter input: bytes received so far; may end inside a message.
    /// - Returns: the complete messages, in order (messages of unknown types are
    ///   skipped, as the spec requires), and how many bytes of `input` they used;
    ///   the caller keeps the rest for the next call.
    /// - Throws: ``HubProtocolError`` when a complete message is malformed or one is
    ///   larger than ``maximumMessageSize``.
    func parseMessages(_ input: ArraySlice<UInt8>) throws -> (messages: [HubMessage], consumed: Int)

    /// Appends one framed message to `buffer`.
    /// - Throws: ``HubProtocolError`` or the encoder's error when a value cannot be encoded.
    func writeMessage(_ message: HubMessage, into buffer: inout [UInt8]) throws

    /// Decodes a value of a message read by any protocol as `type`.
    /// - Throws: ``HubProtocolError`` or a `DecodingError` when the value is not a `T`.
    func decode<T: Decodable>(_ type: T.Type, from value: HubValue) throws -> T
}

extension HubProtocol {
    /// Returns one framed message.
    /// - Throws: as ``writeMessage(_:into:)``.
    public func writeMessage(_ message: HubMessage) throws -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        try writeMessage(message, into: &buffer)
        return buffer
    }
}

/// Keeps the bytes a transport delivered until they form whole messages.
///
/// Feed it frames or partial reads with ``append(_:)``; it returns every message
/// completed so far and keeps the rest. Records split across reads and several
/// records in one read are both handled.
public struct HubMessageReader: Sendable {
    /// The protocol that parses the bytes.
    public let hubProtocol: any HubProtocol
    private var pending: [UInt8] = []

    /// Creates a reader for `hubProtocol`.
    public init(hubProtocol: any HubProtocol) {
        self.hubProtocol = hubProtocol
    }

    /// How many bytes are waiting for the rest of their message.
    public var pendingByteCount: Int { pending.count }

    /// Adds received bytes and returns the messages they complete.
    /// - Throws: ``HubProtocolError`` for a malformed or oversized message; the reader
    ///   should then be discarded along with the connection.
    public mutating func append(_ bytes: some Collection<UInt8>) throws -> [HubMessage] {
        if pending.isEmpty, let contiguous = bytes as? [UInt8] { return try append(contiguous) }
        return try appendPending(bytes)
    }

    /// Adds received bytes and returns the messages they complete (the common case: a whole
    /// array, parsed in place when nothing is pending, with no dynamic cast).
    /// - Throws: as ``append(_:)-(some Collection<UInt8>)``.
    public mutating func append(_ bytes: [UInt8]) throws -> [HubMessage] {
        guard pending.isEmpty else { return try appendPending(bytes) }
        let (messages, consumed) = try hubProtocol.parseMessages(bytes[...])
        if consumed < bytes.count { pending.append(contentsOf: bytes[consumed...]) }
        return messages
    }

    private mutating func appendPending(_ bytes: some Collection<UInt8>) throws -> [HubMessage] {
        pending.append(contentsOf: bytes)
        let (messages, consumed) = try hubProtocol.parseMessages(pending[...])
        if consumed == pending.count {
            pending.removeAll(keepingCapacity: true)
        } else if consumed > 0 {
            pending.removeFirst(consumed)
        }
        return messages
    }
}
