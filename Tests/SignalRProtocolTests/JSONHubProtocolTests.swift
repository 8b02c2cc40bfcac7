import Foundation
import SignalRProtocol
import Testing

struct Person: Codable, Equatable, Sendable {
    var name: String
    var age: Int
}

@Suite struct JSONHubProtocolTests {
    let json = JSONHubProtocol()

    func text(_ message: HubMessage) throws -> String {
        let written = try json.writeMessage(message)
        #expect(written.last == 0x1E)
        return String(decoding: written.dropLast(), as: UTF8.self)
    }

    @Test func writesInvocationLikeASPNETCore() throws {
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: "123", target: "Send", arguments: [HubValue(42), HubValue("Test Message")]))
        #expect(try text(message) == #"{"type":1,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]}"#)
    }

    @Test func writesNonBlockingInvocationWithoutId() throws {
        let message = HubMessage.invocation(InvocationMessage(invocationId: nil, target: "Send", arguments: [HubValue(42)]))
        #expect(try text(message) == #"{"type":1,"target":"Send","arguments":[42]}"#)
    }

    @Test func writesStreamIdsOnlyWhenPresent() throws {
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: "1", target: "Send", arguments: [HubValue(42)], streamIds: ["0"]))
        #expect(try text(message) == #"{"type":1,"invocationId":"1","target":"Send","arguments":[42],"streamIds":["0"]}"#)
    }

    @Test func writesEveryOtherMessageType() throws {
        #expect(try text(.streamInvocation(StreamInvocationMessage(invocationId: "123", target: "Send", arguments: [HubValue(42)])))
            == #"{"type":4,"invocationId":"123","target":"Send","arguments":[42]}"#)
        #expect(try text(.streamItem(StreamItemMessage(invocationId: "123", item: HubValue(42))))
            == #"{"type":2,"invocationId":"123","item":42}"#)
        #expect(try text(.completion(CompletionMessage(invocationId: "123", result: .void))) == #"{"type":3,"invocationId":"123"}"#)
        #expect(try text(.completion(CompletionMessage(invocationId: "123", result: .value(HubValue(42)))))
            == #"{"type":3,"invocationId":"123","result":42}"#)
        #expect(try text(.completion(CompletionMessage(invocationId: "123", result: .error("It didn't work!"))))
            == #"{"type":3,"invocationId":"123","error":"It didn't work!"}"#)
        #expect(try text(.cancelInvocation(CancelInvocationMessage(invocationId: "123"))) == #"{"type":5,"invocationId":"123"}"#)
        #expect(try text(.ping) == #"{"type":6}"#)
        #expect(try text(.close(CloseMessage())) == #"{"type":7}"#)
        #expect(try text(.close(CloseMessage(error: "Connection closed because of an error!")))
            == #"{"type":7,"error":"Connection closed because of an error!"}"#)
        #expect(try text(.close(CloseMessage(error: "Connection closed because of an error!", allowReconnect: true)))
            == #"{"type":7,"error":"Connection closed because of an error!","allowReconnect":true}"#)
        #expect(try text(.ack(AckMessage(sequenceId: 1394))) == #"{"type":8,"sequenceId":1394}"#)
        #expect(try text(.sequence(SequenceMessage(sequenceId: 1234))) == #"{"type":9,"sequenceId":1234}"#)
    }

    @Test func writesHeaders() throws {
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: "123", target: "Send", arguments: [HubValue(42)], headers: ["Foo": "Bar"]))
        #expect(try text(message) == #"{"type":1,"headers":{"Foo":"Bar"},"invocationId":"123","target":"Send","arguments":[42]}"#)
    }

    @Test func parsesSpecExamples() throws {
        let input = bytes(
            """
            {
                "type": 1,
                "headers": { "Foo": "Bar" },
                "invocationId": "123",
                "target": "Send",
                "arguments": [ 42, "Test Message" ]
            }\u{1E}{"type": 3, "invocationId": "123", "result": 42}\u{1E}{"type":3,"invocationId":"123","error":"It didn't work!"}\u{1E}{"type":6}\u{1E}{"type":7,"error":"Connection closed because of an error!","allowReconnect":true}\u{1E}{"type":8,"sequenceId":1394}\u{1E}{"type":9,"sequenceId":1234}\u{1E}
            """)
        let messages = try json.parseAll(input)
        #expect(messages.count == 7)
        guard case .invocation(let invocation) = messages[0] else { Issue.record("not an invocation"); return }
        #expect(invocation.headers == ["Foo": "Bar"])
        #expect(invocation.invocationId == "123")
        #expect(invocation.target == "Send")
        #expect(try json.decode(Int.self, from: invocation.arguments[0]) == 42)
        #expect(try json.decode(String.self, from: invocation.arguments[1]) == "Test Message")
        guard case .completion(let completion) = messages[1], case .value(let result) = completion.result else {
            Issue.record("not a completion with result"); return
        }
        #expect(try json.decode(Int.self, from: result) == 42)
        guard case .completion(let failed) = messages[2] else { Issue.record("not a completion"); return }
        #expect(failed.error == "It didn't work!")
        guard case .ping = messages[3] else { Issue.record("not a ping"); return }
        guard case .close(let close) = messages[4] else { Issue.record("not a close"); return }
        #expect(close == CloseMessage(error: "Connection closed because of an error!", allowReconnect: true))
        guard case .ack(let ack) = messages[5], case .sequence(let sequence) = messages[6] else { Issue.record("ack/sequence"); return }
        #expect(ack.sequenceId == 1394)
        #expect(sequence.sequenceId == 1234)
    }

    @Test func roundTripsEveryMessageType() throws {
        for message in SampleMessages.all {
            let parsed = try #require(try json.roundTrip(message))
            #expect(parsed.messageType == message.messageType)
            #expect(try json.writeMessage(parsed) == json.writeMessage(message))
        }
    }

    @Test func decodesArgumentsLazilyWithTheCallersTypes() throws {
        let input = bytes(#"{"type":1,"target":"M","arguments":[{"name":"ana","age":3},null,"x",[1,2],1.5,true]}"# + "\u{1E}")
        guard case .invocation(let invocation) = try json.parseAll(input).first else { Issue.record("no invocation"); return }
        #expect(try json.decode(Person.self, from: invocation.arguments[0]) == Person(name: "ana", age: 3))
        #expect(try json.decode(Person?.self, from: invocation.arguments[1]) == nil)
        #expect(invocation.arguments[1].isNull)
        #expect(try json.decode(String.self, from: invocation.arguments[2]) == "x")
        #expect(try json.decode([Int].self, from: invocation.arguments[3]) == [1, 2])
        #expect(try json.decode(Double.self, from: invocation.arguments[4]) == 1.5)
        #expect(try json.decode(Bool.self, from: invocation.arguments[5]))
        #expect(try json.decode(JSONValue.self, from: invocation.arguments[0]) == ["name": "ana", "age": 3])
        // A wrong type fails that decode only.
        #expect(throws: (any Error).self) { try json.decode(Int.self, from: invocation.arguments[2]) }
        #expect(throws: (any Error).self) { try json.decode(Person.self, from: invocation.arguments[3]) }
    }

    @Test func encodesCodableValuesAndEscapes() throws {
        let message = HubMessage.invocation(
            InvocationMessage(
                invocationId: nil, target: "M",
                arguments: [HubValue(Person(name: "a\"b\\\n", age: 1)), .null, HubValue(Optional<Int>.none), HubValue("é\u{1}")]))
        let written = try text(message)
        #expect(written.contains(#"null,null,"é\u0001""#))
        guard case .invocation(let parsed) = try json.parseAll(try json.writeMessage(message)).first else {
            Issue.record("no invocation"); return
        }
        #expect(try json.decode(Person.self, from: parsed.arguments[0]) == Person(name: "a\"b\\\n", age: 1))
        #expect(try json.decode(String.self, from: parsed.arguments[3]) == "é\u{1}")
    }

    @Test func decodesDotNetDates() throws {
        for (token, seconds) in [
            (#""2026-11-29T14:33:08.1234567Z""#, 1_795_962_788.1234567),
            (#""2026-11-29T14:33:08.1234567+01:00""#, 1_795_959_188.1234567),
            (#""2026-11-29T14:33:08""#, 1_795_962_788.0),
            (#""2026-11-29T14:33:08.5Z""#, 1_795_962_788.5),
        ] {
            let date = try json.decode(Date.self, from: .rawJSON(bytes(token)[...]))
            #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001, "\(token)")
        }
        let written = try text(.streamItem(StreamItemMessage(invocationId: "1", item: HubValue(Date(timeIntervalSince1970: 1_795_962_788.123)))))
        #expect(written == #"{"type":2,"invocationId":"1","item":"2026-11-29T14:33:08.123Z"}"#)
    }

    @Test func ignoresUnknownMessageTypesAndFields() throws {
        let input = bytes(#"{"type":99,"x":[1,{"a":2}]}"# + "\u{1E}" + #"{"type":6,"extra":{"deep":[true]}}"# + "\u{1E}")
        let messages = try json.parseAll(input)
        #expect(messages.count == 1)
        guard case .ping = messages.first else { Issue.record("expected ping"); return }
    }

    @Test func rejectsMalformedMessagesWithTypedErrors() throws {
        let cases: [(String, HubProtocolError.Code)] = [
            (#"{"type":1,"target":"x"}"#, .missingField),
            (#"{"type":1,"arguments":[]}"#, .missingField),
            (#"{"target":"x"}"#, .missingField),
            (#"{"type":3}"#, .missingField),
            (#"{"type":2,"invocationId":"1"}"#, .missingField),
            (#"{"type":8}"#, .missingField),
            (#"{"type":"1"}"#, .invalidFieldType),
            (#"{"type":3,"invocationId":"1","result":1,"error":"x"}"#, .invalidFieldType),
            (#"{"type":1,"target":5,"arguments":[]}"#, .invalidFieldType),
            (#"{"type":1,"#, .invalidJSON),
            (#"[1,2]"#, .invalidJSON),
            (#"{"type":6} trailing"#, .invalidJSON),
            (String(repeating: "[", count: 10_000), .depthLimitExceeded),
        ]
        for (record, code) in cases {
            let input = bytes(record) + [0x1E]
            let error = #expect(throws: HubProtocolError.self, "\(record.prefix(40))") { try json.parseAll(input) }
            if code == .depthLimitExceeded {
                #expect(error?.code == .invalidJSON || error?.code == .depthLimitExceeded || error?.code == .invalidFieldType)
            } else {
                #expect(error?.code == code, "\(record.prefix(40)): \(String(describing: error))")
            }
        }
    }

    @Test func deepNestingInArgumentsIsRejected() throws {
        let nested = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let input = bytes(#"{"type":1,"target":"x","arguments":["# + nested + "]}\u{1E}")
        let error = #expect(throws: HubProtocolError.self) { try json.parseAll(input) }
        #expect(error?.code == .depthLimitExceeded)
    }
}
