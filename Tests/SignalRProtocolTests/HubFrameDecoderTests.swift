import SignalRProtocol
import Testing

@Suite struct HubFrameDecoderTests {
    private let json = JSONHubProtocol()
    private let rs: UInt8 = 0x1E

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func clientReadsResponseThenMessagesInOneFrame() throws {
        var decoder = HubFrameDecoder.client(hubProtocol: json)
        #expect(decoder.isAwaitingHandshake)
        let frame = bytes("{}") + [rs] + bytes(#"{"type":6}"#) + [rs] + bytes(#"{"type":3,"invocationId":"0","result":5}"#) + [rs]
        let decoded = try decoder.decode(frame)
        #expect(decoded.handshakeResponse == HandshakeResponse())
        #expect(decoded.messages.count == 2)
        #expect(decoded.messages.first?.messageType == .ping)
        #expect(!decoder.isAwaitingHandshake)
    }

    @Test func clientKeepsAResponseSplitAcrossFrames() throws {
        var decoder = HubFrameDecoder.client(hubProtocol: json)
        #expect(try decoder.decode(bytes("{")).handshakeResponse == nil)
        let second = try decoder.decode(bytes("}") + [rs] + bytes(#"{"type":"#))
        #expect(second.handshakeResponse == HandshakeResponse())
        #expect(second.messages.isEmpty)
        let third = try decoder.decode(bytes("6}") + [rs])
        #expect(third.messages.map(\.messageType) == [.ping])
    }

    @Test func clientStopsReadingAfterARefusedHandshake() throws {
        var decoder = HubFrameDecoder.client(hubProtocol: json)
        let decoded = try decoder.decode(bytes(#"{"error":"nope"}"#) + [rs] + bytes(#"{"type":6}"#) + [rs])
        #expect(decoded.handshakeResponse?.error == "nope")
        #expect(decoded.messages.isEmpty)
        #expect(try decoder.decode(bytes(#"{"type":6}"#) + [rs]).messages.isEmpty)
    }

    @Test func clientReportsWhichStageFailed() throws {
        var handshake = HubFrameDecoder.client(hubProtocol: json)
        let handshakeError = #expect(throws: HubFrameDecoder.DecodingError.self) {
            try handshake.decode(bytes(#"{"type":1}"#) + [rs])
        }
        #expect(handshakeError?.stage == .handshake)
        #expect((handshakeError?.underlying as? HubProtocolError)?.code == .invalidHandshake)
        // Nothing more is read after a failure.
        #expect(try handshake.decode(bytes("{}") + [rs]).handshakeResponse == nil)

        var messages = HubFrameDecoder.client(hubProtocol: json)
        _ = try messages.decode(bytes("{}") + [rs])
        let messageError = #expect(throws: HubFrameDecoder.DecodingError.self) {
            try messages.decode(bytes("not json") + [rs])
        }
        #expect(messageError?.stage == .messages)
    }

    @Test func resumedTransportReadsMessagesAtOnce() throws {
        var decoder = HubFrameDecoder.client(hubProtocol: json, expectingHandshake: false)
        #expect(!decoder.isAwaitingHandshake)
        #expect(try decoder.decode(bytes(#"{"type":6}"#) + [rs]).messages.map(\.messageType) == [.ping])
        var server = HubFrameDecoder.afterHandshake(hubProtocol: MessagePackHubProtocol())
        #expect(try server.decode([0x02, 0x91, 0x06]).messages.map(\.messageType) == [.ping])
    }

    @Test func serverHoldsMessagesUntilTheProtocolIsPicked() throws {
        var decoder = HubFrameDecoder.server()
        let request = bytes(#"{"protocol":"messagepack","version":1}"#) + [rs]
        let first = try decoder.decode(Array(request.prefix(10)))
        #expect(first.handshakeRequest == nil)
        let second = try decoder.decode(Array(request.dropFirst(10)) + [0x02, 0x91])
        #expect(second.handshakeRequest == HandshakeRequest(protocolName: "messagepack", version: 1))
        #expect(second.messages.isEmpty)
        // Bytes while the server decides wait in the decoder.
        #expect(try decoder.decode([0x06]).messages.isEmpty)
        #expect(try decoder.acceptHandshake(hubProtocol: MessagePackHubProtocol()).map(\.messageType) == [.ping])
        #expect(try decoder.decode([0x02, 0x91, 0x06]).messages.map(\.messageType) == [.ping])
    }

    @Test func serverRejectsAMalformedRequest() throws {
        var decoder = HubFrameDecoder.server()
        let error = #expect(throws: HubFrameDecoder.DecodingError.self) {
            try decoder.decode(bytes(#"{"version":1}"#) + [rs])
        }
        #expect(error?.stage == .handshake)
        #expect((error?.underlying as? HubProtocolError)?.message == "Missing required property 'protocol'.")
    }

    @Test func refusedServerHandshakeDropsLaterInput() throws {
        var decoder = HubFrameDecoder.server()
        _ = try decoder.decode(bytes(#"{"protocol":"json","version":9}"#) + [rs])
        decoder.refuseHandshake()
        #expect(try decoder.decode(bytes(#"{"type":6}"#) + [rs]).messages.isEmpty)
        #expect(try decoder.acceptHandshake(hubProtocol: json).isEmpty)
    }
}
