import Foundation
import HTTPTypes
import Logging
import NIOCore
import SignalRServer
import WSClient

/// A WebSocket the test drives by hand, valid inside ``withWebSocket(_:headers:_:)``.
///
/// `@unchecked Sendable`: a test uses each socket from one logical flow only. A nested
/// `withWebSocket` body may use an outer socket, but the outer body is suspended awaiting
/// the nested one, so two tasks never touch the iterator at the same time.
final class RawWebSocket: @unchecked Sendable {
    private var iterator: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter

    init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        self.iterator = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
        self.outbound = outbound
    }

    func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    func send(binary: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: binary)))
    }

    /// Hub messages of a WebSocket message that were not read yet: the server may join several
    /// in one WebSocket message (as ASP.NET Core does), so the reads below go one hub message
    /// (or handshake answer) at a time.
    private var pending: [WebSocketMessage] = []

    /// The next hub message (a JSON record with its separator, or a length-prefixed MessagePack
    /// message) as the kind of WebSocket message it came in; nil when the server closed the socket.
    func next() async throws -> WebSocketMessage? {
        while pending.isEmpty {
            guard let message = try await iterator.next() else { return nil }
            switch message {
            case .text(let text):
                pending = text.split(separator: Character(rs), omittingEmptySubsequences: true).map { .text(String($0) + rs) }
            case .binary(let buffer):
                pending = Self.splitBinary(Array(buffer.readableBytesView)).map { .binary(ByteBuffer(bytes: $0)) }
            }
        }
        return pending.removeFirst()
    }

    /// Splits MessagePack hub messages on their VarInt length prefixes (each kept with its prefix).
    private static func splitBinary(_ bytes: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            var length = 0
            var shift = 0
            var cursor = index
            while cursor < bytes.count {
                let byte = bytes[cursor]
                length |= Int(byte & 0x7F) << shift
                cursor += 1
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            let end = min(cursor + length, bytes.count)
            messages.append(Array(bytes[index..<end]))
            index = end
        }
        return messages
    }

    /// The next text message's text; fails on a binary message.
    func nextText() async throws -> String? {
        switch try await next() {
        case .text(let text): return text
        case .binary(let buffer): return String(decoding: buffer.readableBytesView, as: UTF8.self)
        case nil: return nil
        }
    }

    /// The next message's bytes and whether it came in a binary frame.
    func nextFrame() async throws -> (binary: Bool, bytes: [UInt8])? {
        switch try await next() {
        case .text(let text): return (false, Array(text.utf8))
        case .binary(let buffer): return (true, Array(buffer.readableBytesView))
        case nil: return nil
        }
    }

    /// The next message's bytes.
    func nextBytes() async throws -> [UInt8]? {
        switch try await next() {
        case .text(let text): return Array(text.utf8)
        case .binary(let buffer): return Array(buffer.readableBytesView)
        case nil: return nil
        }
    }

    /// Reads JSON records until one whose `type` is not in `skipping` (pings by default).
    func nextRecord(skipping: Set<Int> = [6]) async throws -> [String: Any]? {
        while let text = try await nextText() {
            for record in records(text) {
                let parsed = try object(record)
                if let type = parsed["type"] as? Int, skipping.contains(type) { continue }
                return parsed
            }
        }
        return nil
    }

    /// Sends the JSON handshake and checks the `{}` answer.
    func handshakeJSON(version: Int = 1) async throws {
        try await send("{\"protocol\":\"json\",\"version\":\(version)}" + rs)
        let answer = try await nextText()
        guard answer == "{}" + rs else { throw HandshakeFailed(answer: answer) }
    }
}

struct HandshakeFailed: Error {
    var answer: String?
}

/// Connects a WebSocket to `url` (http URLs become ws) and runs `body` with it.
/// - Returns: the close frame the server sent, if any.
@discardableResult
func withWebSocket(
    _ url: String, headers: HTTPFields = [:], _ body: @escaping @Sendable (RawWebSocket) async throws -> Void
) async throws -> WebSocketCloseFrame? {
    let wsURL = url.replacingOccurrences(of: "http://", with: "ws://")
    var configuration = WebSocketClientConfiguration()
    configuration.maxFrameSize = 16 << 20
    configuration.additionalHeaders = headers
    configuration.autoPing = .disabled
    return try await WebSocketClient.connect(
        url: wsURL, configuration: configuration, logger: Logger(label: "test.ws")
    ) { inbound, outbound, _ in
        try await body(RawWebSocket(inbound: inbound, outbound: outbound))
    }
}
