import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// Dynamic results (`invoke(_:arguments:)`, what `signalr invoke` prints) hold every value the
/// hub sends: MessagePack timestamps and bytes, and integers beyond 2^53, digit for digit.
@Suite(.timeLimit(.minutes(1))) struct DynamicValuesTests {
    @Test func aMessagePackResultWithTimestampsAndBytesReadsAsJSON() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, .messagepack)
            let value = try await connection.invoke("GetMixedValues", arguments: [])
            #expect(
                value.jsonString
                    == #"{"bin":"AQID","nested":{"list":[null,true,1.5,-1,-2147483648]},"text":"héllo","ts32":"2019-01-01T00:00:00Z","ts64":"2019-01-01T00:00:00.5Z","ts96":"1969-12-31T23:59:59.5Z"}"#
            )
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func bigIntegersComeOutDigitForDigit(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let value = try await connection.invoke("GetBigIntegers", arguments: [])
            #expect(value.jsonString == "[9223372036854775807,-9223372036854775808,18446744073709551615,9007199254740993]")
            let typed = try await connection.invoke("GetBigIntegers", returning: [JSONValue].self)
            #expect(typed == [.int(.max), .int(.min), .uint(.max), .int(9_007_199_254_740_993)])
            // Int64 and UInt64 arguments and results round-trip exactly.
            #expect(try await connection.invoke("EchoValue", UInt64.max, returning: UInt64.self) == .max)
            #expect(try await connection.invoke("EchoValue", Int64.min, returning: Int64.self) == .min)
            try await connection.stop()
        }
    }
}
