import SignalRProtocol
import Testing

/// Feeds random and mutated frames to both parsers: each must return messages or
/// throw a `HubProtocolError`, never crash, hang or trap.
@Suite struct ParserFuzzTests {
    static let protocols: [any HubProtocol] = [
        JSONHubProtocol(maximumMessageSize: 1 << 16), MessagePackHubProtocol(maximumMessageSize: 1 << 16),
    ]

    func exercise(_ hubProtocol: any HubProtocol, _ input: [UInt8]) -> Bool {
        do {
            let (messages, _) = try hubProtocol.parseMessages(input[...])
            // Decoding the lazily kept values must be just as safe.
            for message in messages {
                if case .invocation(let invocation) = message {
                    for argument in invocation.arguments {
                        _ = try? hubProtocol.decode(JSONValue.self, from: argument)
                        _ = try? hubProtocol.decode(Int.self, from: argument)
                        _ = try? hubProtocol.decode(String.self, from: argument)
                    }
                }
            }
            return true
        } catch is HubProtocolError {
            return true
        } catch {
            return false
        }
    }

    @Test func randomBytes() {
        var random = SplitMix64(seed: 0x5EED)
        for hubProtocol in Self.protocols {
            for _ in 0..<5000 {
                let length = Int.random(in: 0..<64, using: &random)
                var input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                if hubProtocol.transferFormat == .text { input.append(0x1E) }
                #expect(exercise(hubProtocol, input))
            }
        }
    }

    @Test func mutatedValidFrames() throws {
        var random = SplitMix64(seed: 42)
        for hubProtocol in Self.protocols {
            let valid = try SampleMessages.all.map { try hubProtocol.writeMessage($0) }
            for _ in 0..<20_000 {
                var input = valid[Int.random(in: 0..<valid.count, using: &random)]
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    let index = Int.random(in: 0..<input.count, using: &random)
                    input[index] = UInt8.random(in: 0...255, using: &random)
                case 1:
                    let index = Int.random(in: 0..<input.count, using: &random)
                    input[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                case 2:
                    input = Array(input.prefix(Int.random(in: 0..<input.count, using: &random)))
                default:
                    let index = Int.random(in: 0...input.count, using: &random)
                    input.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
                #expect(exercise(hubProtocol, input))
            }
        }
    }

    @Test func hugeDeclaredLengthsDoNotAllocate() {
        // A MessagePack array header claiming 2^32-1 elements inside a tiny frame.
        let msgpack = MessagePackHubProtocol()
        let body: [UInt8] = [0x96, 0x01, 0x80, 0xC0, 0xA1, 0x6D, 0xDD, 0xFF, 0xFF, 0xFF, 0xFF]
        var framed: [UInt8] = []
        BinaryMessageFormat.write(body, into: &framed)
        #expect(throws: HubProtocolError.self) { try msgpack.parseMessages(framed[...]) }
        let string: [UInt8] = [0x96, 0x01, 0x80, 0xDB, 0xFF, 0xFF, 0xFF, 0xF0]
        framed = []
        BinaryMessageFormat.write(string, into: &framed)
        #expect(throws: HubProtocolError.self) { try msgpack.parseMessages(framed[...]) }
    }
}
