import NIOCore
import NIOWebSocket
import Testing
import WSCore

@testable import SignalRServer

/// Queued hub messages leave in as few WebSocket messages as possible, as ASP.NET Core sends
/// what its pipe holds at once.
@Suite struct WebSocketCoalescingTests {
    private func frames(_ messages: [WebSocketOutboundWriter.OutboundFrame]) -> [(opcode: WebSocketOpcode, bytes: [UInt8])] {
        messages.map { message in
            switch message {
            case .custom(let frame): return (frame.opcode, Array(frame.data.readableBytesView))
            case .binary(let buffer): return (.binary, Array(buffer.readableBytesView))
            case .text(let text): return (.text, Array(text.utf8))
            default: return (.connectionClose, [])
            }
        }
    }

    @Test func messagesOfOneKindAreJoinedInOrder() {
        let joined = frames(WebSocketTransport.coalesced([
            OutboundFrame(bytes: Array("{\"type\":6}\u{1e}".utf8), isBinary: false),
            OutboundFrame(bytes: Array("{\"type\":3,\"invocationId\":\"1\"}\u{1e}".utf8), isBinary: false),
        ]))
        #expect(joined.count == 1)
        #expect(joined.first?.opcode == .text)
        #expect(joined.first?.bytes == Array("{\"type\":6}\u{1e}{\"type\":3,\"invocationId\":\"1\"}\u{1e}".utf8))
    }

    @Test func aTextHandshakeAnswerStaysApartFromBinaryMessages() {
        let joined = frames(WebSocketTransport.coalesced([
            OutboundFrame(bytes: Array("{}\u{1e}".utf8), isBinary: false),
            OutboundFrame(bytes: [0x02, 0x91, 0x06], isBinary: true),
            OutboundFrame(bytes: [0x02, 0x91, 0x06], isBinary: true),
        ]))
        #expect(joined.map(\.opcode) == [.text, .binary])
        #expect(joined.last?.bytes == [0x02, 0x91, 0x06, 0x02, 0x91, 0x06])
    }

    @Test func joiningStopsAtTheLimitAndALargeMessageGoesAlone() {
        let limit = WebSocketTransport.coalescingLimit
        let half = OutboundFrame(bytes: [UInt8](repeating: 0x61, count: limit / 2 + 1), isBinary: true)
        let large = OutboundFrame(bytes: [UInt8](repeating: 0x62, count: limit + 1), isBinary: true)
        let joined = frames(WebSocketTransport.coalesced([half, half, large, half]))
        #expect(joined.map(\.bytes.count) == [limit / 2 + 1, limit / 2 + 1, limit + 1, limit / 2 + 1])
        #expect(joined.allSatisfy { $0.opcode == .binary })
    }
}
