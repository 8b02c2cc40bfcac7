import SignalRProtocol
import Testing

@Suite struct FramingTests {
    @Test func varIntExamplesFromTheSpec() throws {
        var buffer: [UInt8] = []
        BinaryMessageFormat.writeLengthPrefix(0x35, into: &buffer)
        #expect(buffer == [0x35])
        buffer = []
        BinaryMessageFormat.writeLengthPrefix(5248, into: &buffer)
        #expect(buffer == [0x80, 0x29])
        buffer = []
        BinaryMessageFormat.writeLengthPrefix(0x7FFF_FFFF, into: &buffer)
        #expect(buffer == [0xFF, 0xFF, 0xFF, 0xFF, 0x07])
        #expect(try BinaryMessageFormat.readLengthPrefix([0x80, 0x29][...]) == .complete(length: 5248, prefixLength: 2))
        #expect(try BinaryMessageFormat.readLengthPrefix([0x80][...]) == .needMoreData)
    }

    @Test func binaryFramesFromTheSpec() throws {
        var buffer: [UInt8] = []
        BinaryMessageFormat.write(Array("Hello\nWorld".utf8), into: &buffer)
        BinaryMessageFormat.write([0x01, 0x02], into: &buffer)
        #expect(buffer == [0x0B] + Array("Hello\nWorld".utf8) + [0x02, 0x01, 0x02])
        let (messages, consumed) = try BinaryMessageFormat.split(buffer[...], maximumMessageSize: 100)
        #expect(messages.map(Array.init) == [Array("Hello\nWorld".utf8), [0x01, 0x02]])
        #expect(consumed == buffer.count)
    }

    @Test func binarySplitKeepsPartialInput() throws {
        let buffer: [UInt8] = [0x02, 0x01, 0x02, 0x03, 0x01]
        let (messages, consumed) = try BinaryMessageFormat.split(buffer[...], maximumMessageSize: 100)
        #expect(messages.count == 1)
        #expect(consumed == 3)
    }

    @Test func varIntLongerThanFiveBytesIsRejected() {
        let error = #expect(throws: HubProtocolError.self) {
            try BinaryMessageFormat.readLengthPrefix([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][...])
        }
        #expect(error?.code == .invalidLengthPrefix)
        let overflow = #expect(throws: HubProtocolError.self) {
            try BinaryMessageFormat.readLengthPrefix([0xFF, 0xFF, 0xFF, 0xFF, 0x0F][...])
        }
        #expect(overflow?.code == .invalidLengthPrefix)
    }

    @Test func declaredLengthOverTheMaximumIsRejectedBeforeTheBodyArrives() {
        let error = #expect(throws: HubProtocolError.self) {
            try BinaryMessageFormat.split([0xFF, 0xFF, 0x03][...], maximumMessageSize: 1024)
        }
        #expect(error?.code == .messageTooLarge)
    }

    @Test func textRecordsSplitAndKeepRemainder() throws {
        let input = Array("{\"a\":1}\u{1E}{\"b\":2}\u{1E}{\"c\"".utf8)
        let (records, consumed) = try TextMessageFormat.split(input[...], maximumRecordSize: 100)
        #expect(records.count == 2)
        #expect(consumed == 16)
    }

    @Test func oversizedTextRecordIsRejectedEvenUnfinished() {
        let input = [UInt8](repeating: 0x20, count: 200)
        let error = #expect(throws: HubProtocolError.self) { try TextMessageFormat.split(input[...], maximumRecordSize: 100) }
        #expect(error?.code == .messageTooLarge)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func readerHandlesAnySplitOfTheInput(chunkSize: Int) throws {
        for hubProtocol in [JSONHubProtocol() as any HubProtocol, MessagePackHubProtocol()] {
            var input: [UInt8] = []
            for message in SampleMessages.all { try hubProtocol.writeMessage(message, into: &input) }
            var reader = HubMessageReader(hubProtocol: hubProtocol)
            var received: [HubMessage] = []
            var start = 0
            while start < input.count {
                let end = min(start + chunkSize, input.count)
                received += try reader.append(input[start..<end])
                start = end
            }
            #expect(received.count == SampleMessages.all.count)
            #expect(received.map(\.messageType) == SampleMessages.all.map(\.messageType))
            #expect(reader.pendingByteCount == 0)
        }
    }
}

@Suite struct HandshakeTests {
    @Test func writesRequests() {
        #expect(HandshakeProtocol.writeRequest(HandshakeRequest(protocolName: "json", version: 1))
            == Array("{\"protocol\":\"json\",\"version\":1}\u{1E}".utf8))
        #expect(HandshakeProtocol.writeRequest(HandshakeRequest(protocolName: "messagepack", version: 2))
            == Array("{\"protocol\":\"messagepack\",\"version\":2}\u{1E}".utf8))
    }

    @Test func parsesRequests() throws {
        let input = Array("{\n \"protocol\": \"messagepack\",\n \"version\": 1\n}\u{1E}".utf8)
        let parsed = try #require(try HandshakeProtocol.parseRequest(input[...]))
        #expect(parsed.request == HandshakeRequest(protocolName: "messagepack", version: 1))
        #expect(parsed.consumed == input.count)
        #expect(try HandshakeProtocol.parseRequest(input.dropLast()) == nil)
        #expect(throws: HubProtocolError.self) { try HandshakeProtocol.parseRequest(Array("{\"version\":1}\u{1E}".utf8)[...]) }
    }

    @Test func writesAndParsesResponses() throws {
        #expect(HandshakeProtocol.writeResponse(HandshakeResponse()) == [0x7B, 0x7D, 0x1E])
        let error = HandshakeProtocol.writeResponse(HandshakeResponse(error: "Requested protocol 'messagepack' is not available."))
        #expect(String(decoding: error, as: UTF8.self) == "{\"error\":\"Requested protocol 'messagepack' is not available.\"}\u{1E}")
        let parsed = try #require(try HandshakeProtocol.parseResponse(error[...]))
        #expect(parsed.response.error == "Requested protocol 'messagepack' is not available.")
    }

    @Test func responseFollowedByHubMessagesInTheSameBuffer() throws {
        let json = JSONHubProtocol()
        let input = HandshakeProtocol.writeResponse(HandshakeResponse()) + (try json.writeMessage(.ping))
        let parsed = try #require(try HandshakeProtocol.parseResponse(input[...]))
        #expect(parsed.response.error == nil)
        let rest = try json.parseAll(Array(input[parsed.consumed...]))
        #expect(rest.count == 1)
        let msgpack = MessagePackHubProtocol()
        let binary = HandshakeProtocol.writeResponse(HandshakeResponse()) + (try msgpack.writeMessage(.ping))
        let binaryParsed = try #require(try HandshakeProtocol.parseResponse(binary[...]))
        #expect(Array(binary[binaryParsed.consumed...]) == [0x02, 0x91, 0x06])
    }

    @Test func aHubMessageInsteadOfAResponseIsRejected() {
        let error = #expect(throws: HubProtocolError.self) {
            try HandshakeProtocol.parseResponse(Array("{\"type\":6}\u{1E}".utf8)[...])
        }
        #expect(error?.message == "Expected a handshake response from the server.")
    }

    @Test func malformedHandshakeIsATypedError() {
        for text in ["{", "nope", "{\"error\":5}", "[]"] {
            let error = #expect(throws: HubProtocolError.self) {
                try HandshakeProtocol.parseResponse(Array((text + "\u{1E}").utf8)[...])
            }
            #expect(error?.code == .invalidHandshake)
        }
    }
}
