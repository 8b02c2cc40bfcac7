import Foundation
import Testing

@testable import SignalRProtocol

/// A value that uses every format family, for cut-point and mutation tests.
private let complexValue: MessagePackValue = .map([
    .init("a", [1, -1, 200, -200, 70_000, -70_000, .uint(.max), .int(.min)]),
    .init("f", [.float(1.5), .double(-2.5)]),
    .init("s", .string(String(repeating: "é", count: 20))),
    .init("b", .binary(Array(repeating: 9, count: 40))),
    .init("t", [.timestamp(seconds: 1, nanoseconds: 0), .timestamp(seconds: 1, nanoseconds: 1), .timestamp(seconds: -1, nanoseconds: 1)]),
    .init("e", [.ext(type: 3, data: [1]), .ext(type: 4, data: [1, 2, 3])]),
    .init("n", [nil, true, false, [:], []]),
    .init(.uint(99), .array((0..<20).map { .uint(UInt64($0)) })),
])

private func encoded(_ value: MessagePackValue) -> [UInt8] {
    var writer = MessagePackWriter()
    writer.write(value)
    return writer.bytes
}

/// A deterministic generator so fuzz failures reproduce.
private struct MessagePackFuzzGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

private struct FuzzTarget: Codable {
    var name: String
    var values: [Int?]
    var nested: [String: Double]?
}

@Suite struct MessagePackReaderTests {
    @Test func typeMismatchReportsTheFormatByteAndRestoresIndex() throws {
        var reader = MessagePackReader(mpBytes("a1 61"))
        #expect(throws: MessagePackError.typeMismatch(expected: "integer", found: 0xa1)) { try reader.readInt64() }
        #expect(throws: MessagePackError.typeMismatch(expected: "bool", found: 0xa1)) { try reader.readBool() }
        #expect(throws: MessagePackError.typeMismatch(expected: "nil", found: 0xa1)) { try reader.readNil() }
        #expect(throws: MessagePackError.typeMismatch(expected: "array", found: 0xa1)) { try reader.readArrayHeader() }
        #expect(throws: MessagePackError.typeMismatch(expected: "map", found: 0xa1)) { try reader.readMapHeader() }
        #expect(throws: MessagePackError.typeMismatch(expected: "number", found: 0xa1)) { try reader.readDouble() }
        #expect(reader.index == 0)
        #expect(try reader.readString() == "a")
        #expect(reader.isAtEnd)
    }

    @Test func integersThatDoNotFitThrowOverflow() throws {
        var negative = MessagePackReader(mpBytes("ff"))
        #expect(throws: MessagePackError.integerOverflow) { try negative.readUInt64() }
        #expect(negative.index == 0)
        var huge = MessagePackReader(mpBytes("cf ff ff ff ff ff ff ff ff"))
        #expect(throws: MessagePackError.integerOverflow) { try huge.readInt64() }
        #expect(huge.index == 0)
        var threeHundred = MessagePackReader(mpBytes("cd 01 2c"))
        #expect(throws: MessagePackError.integerOverflow) { try threeHundred.readInteger(UInt8.self) }
        #expect(try threeHundred.readInteger(Int16.self) == 300)
    }

    @Test func nilAndOptionalStrings() throws {
        var reader = MessagePackReader(mpBytes("c0 c0 a1 78"))
        #expect(try reader.peekIsNil())
        #expect(reader.index == 0)
        try reader.readNil()
        #expect(try reader.readOptionalString() == nil)
        #expect(try reader.readOptionalString() == "x")
        #expect(throws: MessagePackError.truncated) { try reader.peekIsNil() }
    }

    @Test func binaryAcceptsStrings() throws {
        var reader = MessagePackReader(mpBytes("a2 68 69"))
        #expect(try reader.readBinary() == [0x68, 0x69])
    }

    @Test func unusedFormatByteThrows() throws {
        var value = MessagePackReader(mpBytes("c1"))
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try value.readValue() }
        var skipper = MessagePackReader(mpBytes("c1"))
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try skipper.skipValue() }
        var integer = MessagePackReader(mpBytes("c1"))
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try integer.readInt64() }
        var nested = MessagePackReader(mpBytes("92 01 c1"))
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try nested.skipValue() }
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try nested.readValue() }
        #expect(nested.index == 0)
        #expect(throws: MessagePackError.invalidFormat(0xc1)) { try MessagePackDecoder().decode([Int].self, from: mpBytes("92 01 c1")) }
    }

    @Test func invalidUTF8Throws() {
        // Invalid lead byte, overlong "/", a surrogate, a truncated sequence, above U+10FFFF.
        for text in ["a1 ff", "a2 c0 af", "a3 ed a0 80", "a2 e2 82", "a4 f4 90 80 80"] {
            var reader = MessagePackReader(mpBytes(text))
            #expect(throws: MessagePackError.invalidUTF8) { try reader.readString() }
            #expect(reader.index == 0)
            let payload = Array(mpBytes(text).dropFirst())
            #expect(!MessagePackUTF8.isValid(payload[...]))
        }
    }

    @Test func fallbackUTF8ValidatorAgreesWithTheStandardLibrary() {
        var generator = MessagePackFuzzGenerator(state: 7)
        let interesting: [UInt8] = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...6, using: &generator)
            let bytes = (0..<length).map { _ in interesting.randomElement(using: &generator) ?? 0 }
            // Decoding repairs invalid input, so the bytes survive exactly when they are valid.
            let expected = String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
            #expect(MessagePackUTF8.isValid(bytes[...]) == expected, "\(bytes)")
        }
        #expect(MessagePackUTF8.isValid(Array("héllo 世界 🎉".utf8)[...]))
    }

    @Test func truncationAtEveryCutPointThrowsTruncated() throws {
        let bytes = encoded(complexValue)
        for cut in 0..<bytes.count {
            let prefix = bytes[0..<cut]
            var skipper = MessagePackReader(prefix)
            #expect(throws: MessagePackError.truncated) { try skipper.skipValue() }
            #expect(skipper.index == 0)
            var reader = MessagePackReader(prefix)
            #expect(throws: MessagePackError.truncated) { try reader.readValue() }
            #expect(reader.index == 0)
            #expect(throws: MessagePackError.truncated) {
                try MessagePackDecoder().decode([String: MessagePackFuzzAny].self, from: prefix)
            }
        }
        var whole = MessagePackReader(bytes)
        #expect(try whole.readValue() == complexValue)
    }

    @Test func readsRetryAfterMoreBytesArrive() throws {
        var buffer: [UInt8] = []
        var reader = MessagePackReader(buffer)
        #expect(throws: MessagePackError.truncated) { try reader.readString() }
        buffer = mpBytes("a5 68 65")
        reader = MessagePackReader(buffer)
        #expect(throws: MessagePackError.truncated) { try reader.readString() }
        #expect(reader.index == 0)
        buffer += mpBytes("6c 6c 6f")
        reader = MessagePackReader(buffer)
        #expect(try reader.readString() == "hello")
    }

    @Test func sliceIndicesAreAbsolute() throws {
        let base = mpBytes("ff ff 92 01 a1 61 ff")
        var reader = MessagePackReader(base[2..<6])
        #expect(reader.index == 2)
        #expect(try reader.skipValue() == 2..<6)
        #expect(reader.isAtEnd)
    }

    @Test(arguments: ["dd ff ff ff ff", "dc ff ff 00", "df ff ff ff ff", "de 00 02 01 01 01", "db ff ff ff ff",
                      "c6 ff ff ff ff", "c9 ff ff ff ff 01", "da 01 00 41"])
    func hugeDeclaredLengthsThrowTruncated(text: String) {
        let bytes = mpBytes(text)
        var skipper = MessagePackReader(bytes)
        #expect(throws: MessagePackError.truncated) { try skipper.skipValue() }
        var reader = MessagePackReader(bytes)
        #expect(throws: MessagePackError.truncated) { try reader.readValue() }
        #expect(throws: MessagePackError.truncated) { try MessagePackDecoder().decode([Int].self, from: bytes) }
        var header = MessagePackReader(bytes)
        switch bytes[0] {
        case 0xdc, 0xdd: #expect(throws: MessagePackError.truncated) { try header.readArrayHeader() }
        case 0xde, 0xdf: #expect(throws: MessagePackError.truncated) { try header.readMapHeader() }
        default: break
        }
    }

    @Test func deepNestingThrowsDepthLimitExceeded() throws {
        let deep = Array(repeating: UInt8(0x91), count: 10_000) + [0xc0]
        var skipper = MessagePackReader(deep)
        #expect(throws: MessagePackError.depthLimitExceeded) { try skipper.skipValue() }
        var reader = MessagePackReader(deep)
        #expect(throws: MessagePackError.depthLimitExceeded) { try reader.readValue() }
        #expect(throws: MessagePackError.depthLimitExceeded) { try MessagePackDecoder().decode(MessagePackFuzzAny.self, from: deep) }
        let maps = Array(repeating: mpBytes("81 a0"), count: 10_000).joined() + [0xc0]
        var mapReader = MessagePackReader(Array(maps))
        #expect(throws: MessagePackError.depthLimitExceeded) { try mapReader.skipValue() }

        let atLimit = Array(repeating: UInt8(0x91), count: 100) + [0xc0]
        var ok = MessagePackReader(atLimit)
        _ = try ok.readValue()
        var overLimit = MessagePackReader(atLimit + [0xc0], maxDepth: 99)
        #expect(throws: MessagePackError.depthLimitExceeded) { try overLimit.skipValue() }
        var unlimited = MessagePackReader(deep, maxDepth: .max)
        #expect(unlimited.maxDepth == MessagePackReader.maximumDepthLimit)
        #expect(throws: MessagePackError.depthLimitExceeded) { try unlimited.skipValue() }
    }

    @Test func errorsDescribeThemselves() {
        #expect("\(MessagePackError.typeMismatch(expected: "string", found: 0xc3))" == "Expected MessagePack string but found true (0xc3)")
        #expect("\(MessagePackError.invalidFormat(0xc1))" == "Invalid MessagePack format byte 0xc1")
        #expect(MessagePackFormat.describe(0xdd) == "array 32 (0xdd)")
        #expect(MessagePackFormat.describe(0xe5) == "negative fixint (0xe5)")
    }

    @Test func randomBytesNeverCrash() {
        var generator = MessagePackFuzzGenerator(state: 0x5EED)
        // Format bytes that declare lengths and nesting make the interesting cases likelier.
        let formats: [UInt8] = [0x91, 0x92, 0x81, 0xa3, 0xc4, 0xc7, 0xd4, 0xd6, 0xd7, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xc1, 0xcf, 0xd3, 0xca, 0xff, 0x00]
        var readable = 0
        for iteration in 0..<20_000 {
            let length = Int.random(in: 0...48, using: &generator)
            let bytes: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &generator) ? (formats.randomElement(using: &generator) ?? 0) : UInt8.random(in: 0...255, using: &generator)
            }
            if checkConsistency(bytes, iteration: iteration) { readable += 1 }
            _ = try? MessagePackDecoder().decode(FuzzTarget.self, from: bytes)
            _ = try? MessagePackDecoder().decode([String: [Int]].self, from: bytes)
            _ = try? MessagePackDecoder().decode(MessagePackFuzzAny.self, from: bytes)
        }
        // Mutations of a valid encoding reach deeper than uniform noise.
        let valid = encoded(complexValue)
        for iteration in 0..<5_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
            checkConsistency(bytes, iteration: iteration)
            _ = try? MessagePackDecoder().decode(MessagePackFuzzAny.self, from: bytes)
        }
        // The inputs must reach past the first byte often enough to mean something.
        #expect(readable > 1_000)
    }

    /// Reading and skipping must agree on where a value ends, and a value that reads
    /// must survive a write/read round trip.
    /// - Returns: whether the bytes start with a readable value.
    @discardableResult
    private func checkConsistency(_ bytes: [UInt8], iteration: Int) -> Bool {
        var skipper = MessagePackReader(bytes)
        let skipped = try? skipper.skipValue()
        var reader = MessagePackReader(bytes)
        guard let value = try? reader.readValue() else { return false }
        #expect(skipped?.upperBound == reader.index, "iteration \(iteration): \(bytes)")
        var again = MessagePackReader(encoded(value))
        let reread = try? again.readValue()
        #expect(reread.map { encoded($0) } == encoded(value), "iteration \(iteration)")
        return true
    }
}

/// Decodes any MessagePack value through the Codable containers (for fuzzing the decoder).
indirect enum MessagePackFuzzAny: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case data([UInt8])
    case array([MessagePackFuzzAny])
    case map([String: MessagePackFuzzAny])

    init(from decoder: any Decoder) throws {
        if let map = try? decoder.container(keyedBy: MessagePackCodingKey.self) {
            var result: [String: MessagePackFuzzAny] = [:]
            for key in map.allKeys { result[key.stringValue] = try map.decode(MessagePackFuzzAny.self, forKey: key) }
            self = .map(result)
        } else if var array = try? decoder.unkeyedContainer() {
            var result: [MessagePackFuzzAny] = []
            while !array.isAtEnd { result.append(try array.decode(MessagePackFuzzAny.self)) }
            self = .array(result)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let bool = try? single.decode(Bool.self) {
                self = .bool(bool)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else if let string = try? single.decode(String.self) {
                self = .string(string)
            } else {
                self = .data(Array(try single.decode(Data.self)))
            }
        }
    }
}
