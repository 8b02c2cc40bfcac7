import Foundation
import SignalRProtocol
import Testing

@Suite struct MessagePackHubProtocolTests {
    let msgpack = MessagePackHubProtocol()

    /// The body (without the length prefix) of a written message.
    func body(_ message: HubMessage) throws -> [UInt8] {
        let framed = try msgpack.writeMessage(message)
        guard case .complete(let length, let prefix) = try BinaryMessageFormat.readLengthPrefix(framed[...]) else {
            Issue.record("incomplete frame")
            return []
        }
        #expect(framed.count == prefix + length)
        return Array(framed[prefix...])
    }

    func parseBody(_ body: [UInt8]) throws -> HubMessage? {
        var framed: [UInt8] = []
        BinaryMessageFormat.write(body, into: &framed)
        return try msgpack.parseAll(framed).first
    }

    // The payloads of HubProtocol.md, "MessagePack (MsgPack) encoding", byte for byte.
    static let specInvocation = hex("96 01 80 a3 78 79 7a a6 6d 65 74 68 6f 64 91 2a 90")
    static let specNonBlocking = hex("96 01 80 c0 a6 6d 65 74 68 6f 64 91 2a 90")
    static let specStreamInvocation = hex("96 04 80 a3 78 79 7a a6 6d 65 74 68 6f 64 91 2a 90")
    static let specStreamItem = hex("94 02 80 a3 78 79 7a 2a")
    static let specErrorCompletion = hex("95 03 80 a3 78 79 7a 01 a5 45 72 72 6f 72")
    static let specVoidCompletion = hex("94 03 80 a3 78 79 7a 02")
    static let specResultCompletion = hex("95 03 80 a3 78 79 7a 03 2a")
    static let specCancel = hex("93 05 80 a3 78 79 7a")
    static let specPing = hex("91 06")
    static let specClose = hex("92 07 a3 78 79 7a")
    static let specCloseReconnect = hex("93 07 a3 78 79 7a c3")
    static let specAck = hex("92 08 cc 24")
    static let specSequence = hex("92 09 cc 13")
    static let specHeaders = hex("96 01 82 a1 78 a1 79 a1 7a a1 7a a3 78 79 7a a6 6d 65 74 68 6f 64 91 2a 90")

    @Test func encodesSpecExamplesByteForByte() throws {
        #expect(try body(.invocation(InvocationMessage(invocationId: "xyz", target: "method", arguments: [HubValue(42)]))) == Self.specInvocation)
        #expect(try body(.invocation(InvocationMessage(invocationId: nil, target: "method", arguments: [HubValue(42)]))) == Self.specNonBlocking)
        #expect(try body(.streamInvocation(StreamInvocationMessage(invocationId: "xyz", target: "method", arguments: [HubValue(42)])))
            == Self.specStreamInvocation)
        #expect(try body(.streamItem(StreamItemMessage(invocationId: "xyz", item: HubValue(42)))) == Self.specStreamItem)
        #expect(try body(.completion(CompletionMessage(invocationId: "xyz", result: .error("Error")))) == Self.specErrorCompletion)
        #expect(try body(.completion(CompletionMessage(invocationId: "xyz", result: .void))) == Self.specVoidCompletion)
        #expect(try body(.completion(CompletionMessage(invocationId: "xyz", result: .value(HubValue(42))))) == Self.specResultCompletion)
        #expect(try body(.cancelInvocation(CancelInvocationMessage(invocationId: "xyz"))) == Self.specCancel)
        #expect(try body(.ping) == Self.specPing)
        #expect(try msgpack.writeMessage(.ping) == [0x02, 0x91, 0x06])
        #expect(try body(.close(CloseMessage(error: "xyz", allowReconnect: true))) == Self.specCloseReconnect)
        #expect(try body(.invocation(InvocationMessage(invocationId: "xyz", target: "method", arguments: [HubValue(42)], headers: ["x": "y", "z": "z"])))
            == Self.specHeaders)
        // ASP.NET Core always writes allowReconnect; the spec's two-element Close is the older short form.
        #expect(try body(.close(CloseMessage(error: "xyz"))) == hex("93 07 a3 78 79 7a c2"))
        // Any unsigned int size is fine for sequence ids; we write the smallest.
        #expect(try body(.ack(AckMessage(sequenceId: 36))) == hex("92 08 24"))
        #expect(try body(.sequence(SequenceMessage(sequenceId: 19))) == hex("92 09 13"))
    }

    @Test func decodesSpecExamples() throws {
        guard case .invocation(let invocation) = try parseBody(Self.specInvocation) else { Issue.record("invocation"); return }
        #expect(invocation.invocationId == "xyz")
        #expect(invocation.target == "method")
        #expect(try msgpack.decode(Int.self, from: invocation.arguments[0]) == 42)
        #expect(invocation.streamIds.isEmpty)
        guard case .invocation(let nonBlocking) = try parseBody(Self.specNonBlocking) else { Issue.record("nonblocking"); return }
        #expect(nonBlocking.invocationId == nil)
        guard case .streamInvocation(let stream) = try parseBody(Self.specStreamInvocation) else { Issue.record("stream"); return }
        #expect(stream.invocationId == "xyz")
        guard case .streamItem(let item) = try parseBody(Self.specStreamItem) else { Issue.record("item"); return }
        #expect(try msgpack.decode(Int.self, from: item.item) == 42)
        guard case .completion(let error) = try parseBody(Self.specErrorCompletion) else { Issue.record("error"); return }
        #expect(error.error == "Error")
        guard case .completion(let void) = try parseBody(Self.specVoidCompletion), case .void = void.result else {
            Issue.record("void"); return
        }
        guard case .completion(let result) = try parseBody(Self.specResultCompletion), case .value(let value) = result.result else {
            Issue.record("result"); return
        }
        #expect(try msgpack.decode(Int.self, from: value) == 42)
        guard case .cancelInvocation(let cancel) = try parseBody(Self.specCancel) else { Issue.record("cancel"); return }
        #expect(cancel.invocationId == "xyz")
        guard case .ping = try parseBody(Self.specPing) else { Issue.record("ping"); return }
        guard case .close(let close) = try parseBody(Self.specClose) else { Issue.record("close"); return }
        #expect(close == CloseMessage(error: "xyz", allowReconnect: false))
        guard case .close(let reconnect) = try parseBody(Self.specCloseReconnect) else { Issue.record("close2"); return }
        #expect(reconnect == CloseMessage(error: "xyz", allowReconnect: true))
        guard case .ack(let ack) = try parseBody(Self.specAck) else { Issue.record("ack"); return }
        #expect(ack.sequenceId == 36)
        guard case .sequence(let sequence) = try parseBody(Self.specSequence) else { Issue.record("sequence"); return }
        #expect(sequence.sequenceId == 19)
        guard case .invocation(let headers) = try parseBody(Self.specHeaders) else { Issue.record("headers"); return }
        #expect(headers.headers == ["x": "y", "z": "z"])
    }

    @Test func acceptsOlderShortForms() throws {
        // An Invocation without streamIds.
        guard case .invocation(let invocation) = try parseBody(hex("95 01 80 c0 a1 6d 90")) else { Issue.record("short"); return }
        #expect(invocation.streamIds.isEmpty)
    }

    @Test func roundTripsEveryMessageType() throws {
        for message in SampleMessages.all {
            let parsed = try #require(try msgpack.roundTrip(message))
            #expect(parsed.messageType == message.messageType)
            #expect(try msgpack.writeMessage(parsed) == msgpack.writeMessage(message))
        }
    }

    @Test func valuesDecodeWithTheCallersTypes() throws {
        let person = Person(name: "ana", age: 3)
        let date = Date(timeIntervalSince1970: 1_795_962_788.5)
        let message = HubMessage.invocation(
            InvocationMessage(
                invocationId: "1", target: "M",
                arguments: [HubValue(person), .null, HubValue(date), HubValue(Data([1, 2, 3])), HubValue([1.5, 2.5])]))
        guard case .invocation(let parsed) = try msgpack.roundTrip(message) else { Issue.record("invocation"); return }
        #expect(try msgpack.decode(Person.self, from: parsed.arguments[0]) == person)
        #expect(try msgpack.decode(Int?.self, from: parsed.arguments[1]) == nil)
        #expect(parsed.arguments[1].isNull)
        #expect(try msgpack.decode(Date.self, from: parsed.arguments[2]) == date)
        #expect(parsed.arguments[2].rawMessagePack?.first == 0xD7)  // timestamp 64: fixext8, type -1
        #expect(try msgpack.decode(Data.self, from: parsed.arguments[3]) == Data([1, 2, 3]))
        #expect(parsed.arguments[3].rawMessagePack?.first == 0xC4)  // bin8
        #expect(try msgpack.decode([Double].self, from: parsed.arguments[4]) == [1.5, 2.5])
        #expect(throws: (any Error).self) { try msgpack.decode(String.self, from: parsed.arguments[0]) }
    }

    @Test func valuesCrossBetweenProtocols() throws {
        let json = JSONHubProtocol()
        guard case .invocation(let fromJSON) = try json.parseAll(Array("{\"type\":1,\"target\":\"M\",\"arguments\":[{\"a\":[1,\"x\",null]}]}\u{1E}".utf8)).first
        else { Issue.record("json"); return }
        let relayed = HubMessage.invocation(InvocationMessage(invocationId: nil, target: "M", arguments: fromJSON.arguments))
        guard case .invocation(let back) = try msgpack.roundTrip(relayed) else { Issue.record("msgpack"); return }
        #expect(try msgpack.decode(JSONValue.self, from: back.arguments[0]) == ["a": [1, "x", nil]])
        let toJSON = try json.writeMessage(.invocation(InvocationMessage(invocationId: nil, target: "M", arguments: back.arguments)))
        #expect(String(decoding: toJSON, as: UTF8.self) == "{\"type\":1,\"target\":\"M\",\"arguments\":[{\"a\":[1,\"x\",null]}]}\u{1E}")
    }

    @Test func ignoresUnknownMessageTypes() throws {
        #expect(try parseBody(hex("92 63 01")) == nil)
    }

    @Test func rejectsMalformedMessagesWithTypedErrors() throws {
        let cases = [
            "90",  // empty array
            "01",  // not an array
            "92 01 80",  // invocation too short
            "96 01 cc 80 c0 a1 6d 90 90",  // headers as an int, as aiosignalr writes them: strict
            "95 03 80 a1 31 07 2a",  // unknown result kind
            "95 03 80 a1 31 01",  // error kind without the error
            "94 02 80 a1",  // truncated string
            "96 01 80 c0 a1 6d 91",  // arguments array cut short
            "96 04 80 c0 a1 6d 90 90",  // stream invocation without id
            "92 08 a1 31",  // sequence id not an integer
            "c1",  // never-used format byte
        ]
        for body in cases {
            #expect(throws: HubProtocolError.self, "\(body)") { try parseBody(hex(body)) }
        }
    }
}
