import Foundation
import SignalRProtocol
import Testing

/// Every MessagePack value reads as a `JSONValue` (timestamps as ISO 8601 in UTC, `bin` as
/// base64), and integers are exact through both protocols, from hand-built bytes.
@Suite struct JSONValueMessagePackTests {
    /// A map of: ts32 2019-01-01T00:00:00Z, ts64 2019-01-01T00:00:00.5Z, ts96 1969-12-31T23:59:59.5Z
    /// (-1 s + 0.5 s), ts96 1900-01-01T00:00:00.25Z, bin [1, 2, 3], "héllo", and
    /// {"list": [nil, true, 1.5 (float64), -1, Int32.min]}.
    static let mixedMap: [UInt8] = [
        0x87, 0xA4, 0x74, 0x73, 0x33, 0x32, 0xD6, 0xFF, 0x5C, 0x2A, 0xAD, 0x80, 0xA4, 0x74, 0x73, 0x36, 0x34, 0xD7, 0xFF,
        0x77, 0x35, 0x94, 0x00, 0x5C, 0x2A, 0xAD, 0x80, 0xA4, 0x74, 0x73, 0x39, 0x36, 0xC7, 0x0C, 0xFF, 0x1D, 0xCD, 0x65,
        0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xA3, 0x6F, 0x6C, 0x64, 0xC7, 0x0C, 0xFF, 0x0E, 0xE6, 0xB2,
        0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x7C, 0x55, 0x81, 0x80, 0xA3, 0x62, 0x69, 0x6E, 0xC4, 0x03, 0x01, 0x02, 0x03, 0xA4,
        0x74, 0x65, 0x78, 0x74, 0xA6, 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F, 0xA6, 0x6E, 0x65, 0x73, 0x74, 0x65, 0x64, 0x81,
        0xA4, 0x6C, 0x69, 0x73, 0x74, 0x95, 0xC0, 0xC3, 0xCB, 0x3F, 0xF8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xD2,
        0x80, 0x00, 0x00, 0x00,
    ]

    static let expectedMap: JSONValue = [
        "ts32": "2019-01-01T00:00:00Z",
        "ts64": "2019-01-01T00:00:00.5Z",
        "ts96": "1969-12-31T23:59:59.5Z",
        "old": "1900-01-01T00:00:00.25Z",
        "bin": "AQID",
        "text": "héllo",
        "nested": ["list": [nil, true, 1.5, -1, .int(Int64(Int32.min))]],
    ]

    /// [Int64.max (uint 64), Int64.min (int 64), UInt64.max (uint 64), 2^53 + 1 (uint 64)].
    static let integers: [UInt8] = [
        0x94, 0xCF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xD3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xCF, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    ]
    static let integersText = "[9223372036854775807,-9223372036854775808,18446744073709551615,9007199254740993]"

    @Test func aMapWithTimestampsBinaryAndNestedValuesReadsAsJSON() throws {
        let value = try MessagePackDecoder().decode(JSONValue.self, from: Self.mixedMap)
        #expect(value == Self.expectedMap)
        #expect(
            value.jsonString
                == #"{"bin":"AQID","nested":{"list":[null,true,1.5,-1,-2147483648]},"old":"1900-01-01T00:00:00.25Z","text":"héllo","ts32":"2019-01-01T00:00:00Z","ts64":"2019-01-01T00:00:00.5Z","ts96":"1969-12-31T23:59:59.5Z"}"#
        )
    }

    @Test func aCompletionResultHoldingThatMapReadsAsJSONThroughTheHubProtocol() throws {
        let msgpack = MessagePackHubProtocol()
        // Completion: [3, {}, "1", 3 (non-void result), <map>].
        var framed: [UInt8] = []
        BinaryMessageFormat.write([0x95, 0x03, 0x80, 0xA1, 0x31, 0x03] + Self.mixedMap, into: &framed)
        let messages = try msgpack.parseMessages(framed[...]).messages
        guard case .completion(let completion) = try #require(messages.first), case .value(let result) = completion.result else {
            Issue.record("expected a completion with a result")
            return
        }
        #expect(try msgpack.decode(JSONValue.self, from: result) == Self.expectedMap)
        // A JSONValue inside a Codable type reads the same way.
        struct Wrapper: Decodable { var nested: JSONValue; var ts96: JSONValue }
        let wrapper = try msgpack.decode(Wrapper.self, from: result)
        #expect(wrapper.ts96 == "1969-12-31T23:59:59.5Z")
    }

    @Test func otherMapKeysAndExtensionsHaveAJSONForm() throws {
        // {1: ext(type 5, [0xFF]), true: float32 0.5}
        let bytes: [UInt8] = [0x82, 0x01, 0xD4, 0x05, 0xFF, 0xC3, 0xCA, 0x3F, 0x00, 0x00, 0x00]
        #expect(try MessagePackDecoder().decode(JSONValue.self, from: bytes) == ["1": "/w==", "true": 0.5])
    }

    @Test func timestampsFormatAsISO8601InUTC() {
        #expect(JSONValue(messagePack: .timestamp(seconds: 0, nanoseconds: 0)) == "1970-01-01T00:00:00Z")
        #expect(JSONValue(messagePack: .timestamp(seconds: -1, nanoseconds: 0)) == "1969-12-31T23:59:59Z")
        #expect(JSONValue(messagePack: .timestamp(seconds: 951_782_400, nanoseconds: 1)) == "2000-02-29T00:00:00.000000001Z")
        #expect(JSONValue(messagePack: .timestamp(seconds: 253_402_300_799, nanoseconds: 120_000_000)) == "9999-12-31T23:59:59.12Z")
    }

    @Test func integersAreExactThroughJSONText() throws {
        let value = try JSONValue(parsing: Self.integersText)
        #expect(value == [.int(.max), .int(.min), .uint(.max), .int(9_007_199_254_740_993)])
        #expect(value.jsonString == Self.integersText)
    }

    @Test func integersAreExactThroughMessagePack() throws {
        let value = try MessagePackDecoder().decode(JSONValue.self, from: Self.integers)
        #expect(value.jsonString == Self.integersText)
        // And back: UInt64.max is written as uint 64.
        let written = try MessagePackEncoder().encode(value)
        #expect(try MessagePackDecoder().decode(JSONValue.self, from: written) == value)
        #expect(try MessagePackDecoder().decode([UInt64].self, from: [0x91] + Array(Self.integers[19..<28])) == [.max])
    }

    @Test(arguments: [false, true])
    func int64AndUInt64ArgumentsRoundTripThroughBothProtocols(binary: Bool) throws {
        let hubProtocol: any HubProtocol = binary ? MessagePackHubProtocol() : JSONHubProtocol()
        let message = HubMessage.invocation(
            InvocationMessage(
                invocationId: "1", target: "M",
                arguments: [HubValue(Int64.max), HubValue(Int64.min), HubValue(UInt64.max), HubValue(UInt64(9_007_199_254_740_993))]
            )
        )
        let written = try hubProtocol.writeMessage(message)
        guard case .invocation(let parsed) = try #require(try hubProtocol.parseMessages(written[...]).messages.first) else {
            Issue.record("expected an invocation")
            return
        }
        #expect(try hubProtocol.decode(Int64.self, from: parsed.arguments[0]) == .max)
        #expect(try hubProtocol.decode(Int64.self, from: parsed.arguments[1]) == .min)
        #expect(try hubProtocol.decode(UInt64.self, from: parsed.arguments[2]) == .max)
        #expect(try hubProtocol.decode(UInt64.self, from: parsed.arguments[3]) == 9_007_199_254_740_993)
        let all = try parsed.arguments.map { try hubProtocol.decode(JSONValue.self, from: $0) }
        #expect(JSONValue.array(all).jsonString == Self.integersText)
    }
}
