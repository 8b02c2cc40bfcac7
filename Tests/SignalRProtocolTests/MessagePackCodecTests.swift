import Foundation
import Testing

@testable import SignalRProtocol

private typealias Settings = MessagePackFixtures.Settings
private typealias Color = MessagePackFixtures.Color
private typealias Shape = MessagePackFixtures.Shape
private typealias Inner = MessagePackFixtures.Inner
private typealias Everything = MessagePackFixtures.Everything
private typealias Dog = MessagePackFixtures.Dog
private typealias Cat = MessagePackFixtures.Cat

@Suite struct MessagePackCodecTests {
    private func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        let bytes = try MessagePackEncoder().encode(value)
        return try MessagePackDecoder().decode(T.self, from: bytes)
    }

    @Test func knownStructEncoding() throws {
        let bytes = try MessagePackEncoder().encode(Settings(compact: true, schema: 0))
        #expect(bytes == mpBytes("82 a7 63 6f 6d 70 61 63 74 c3 a6 73 63 68 65 6d 61 00"))
        #expect(try MessagePackDecoder().decode(Settings.self, from: bytes) == Settings(compact: true, schema: 0))
    }

    @Test func topLevelValues() throws {
        let encoder = MessagePackEncoder()
        #expect(try encoder.encode(5) == [0x05])
        #expect(try encoder.encode(-33) == mpBytes("d0 df"))
        #expect(try encoder.encode("a") == mpBytes("a1 61"))
        #expect(try encoder.encode(Int?.none) == [0xc0])
        #expect(try encoder.encode([1, 2]) == mpBytes("92 01 02"))
        #expect(try encoder.encode(["k": [true]]) == mpBytes("81 a1 6b 91 c3"))
        #expect(try encoder.encode(Data([1, 2])) == mpBytes("c4 02 01 02"))
        #expect(try encoder.encode(Date(timeIntervalSince1970: 1)) == mpBytes("d6 ff 00 00 00 01"))
        #expect(try encoder.encode(Decimal(string: "1.5")) == mpBytes("a3 31 2e 35"))
        #expect(try encoder.encode(Color.red) == mpBytes("a3 72 65 64"))
        #expect(try encoder.encode(Shape.point) == mpBytes("81 a5 70 6f 69 6e 74 80"))
    }

    @Test func everythingRoundTrips() throws {
        let value = Everything()
        #expect(try roundTrip(value) == value)
        #expect(try roundTrip([value, value]) == [value, value])
        #expect(try roundTrip(["key": value]) == ["key": value])
    }

    @Test func absentOptionalsAreLeftOut() throws {
        let bytes = try MessagePackEncoder().encode(Inner(name: "n", tags: [], score: nil))
        var reader = MessagePackReader(bytes)
        #expect(try reader.readMapHeader() == 2)
    }

    @Test func largeContainersWidenTheirHeaders() throws {
        let many = (0..<70_000).map { $0 }
        let bytes = try MessagePackEncoder().encode(many)
        #expect(Array(bytes.prefix(5)) == mpBytes("dd 00 01 11 70"))
        #expect(try MessagePackDecoder().decode([Int].self, from: bytes) == many)
        let structs = (0..<20).map { Inner(name: "\($0)", tags: ["t"], score: Double($0)) }
        let structBytes = try MessagePackEncoder().encode(structs)
        #expect(Array(structBytes.prefix(3)) == mpBytes("dc 00 14"))
        #expect(try MessagePackDecoder().decode([Inner].self, from: structBytes) == structs)
        let dictionary = Dictionary(uniqueKeysWithValues: (0..<300).map { ("key\($0)", [$0]) })
        let mapBytes = try MessagePackEncoder().encode(dictionary)
        #expect(Array(mapBytes.prefix(3)) == mpBytes("de 01 2c"))
        #expect(try MessagePackDecoder().decode([String: [Int]].self, from: mapBytes) == dictionary)
    }

    @Test func classHierarchies() throws {
        let dog = try MessagePackDecoder().decode(Dog.self, from: try MessagePackEncoder().encode(Dog(name: "Rex", breed: "pug")))
        #expect(dog.name == "Rex" && dog.breed == "pug")
        let catBytes = try MessagePackEncoder().encode(Cat(name: "Tom", lives: 9))
        let cat = try MessagePackDecoder().decode(Cat.self, from: catBytes)
        #expect(cat.name == "Tom" && cat.lives == 9)
        var reader = MessagePackReader(catBytes)
        let value = try reader.readValue()
        #expect(value["extra"] == ["a": 1, "b": "late"])
        #expect(value["list"] == [10, 20])
        #expect(value["super"] == ["name": "Tom"])
        #expect(value["lives"] == 9)
    }

    @Test(arguments: [-1_000_000_000.25, -0.5, 0, 0.000_000_001, 1_700_000_000.123_456_7, 17_179_869_184.5, 1e15])
    func datesRoundTripThroughTimestamps(interval: Double) throws {
        let date = Date(timeIntervalSince1970: interval)
        let bytes = try MessagePackEncoder().encode(date)
        #expect(try MessagePackDecoder().decode(Date.self, from: bytes) == date)
        var reader = MessagePackReader(bytes)
        guard case .timestamp(let seconds, _) = try reader.readValue() else {
            Issue.record("not a timestamp")
            return
        }
        #expect(seconds == Int64(interval.rounded(.down)))
    }

    @Test func nonFiniteDatesDoNotEncode() {
        #expect(throws: EncodingError.self) { try MessagePackEncoder().encode(Date(timeIntervalSince1970: .infinity)) }
        #expect(throws: EncodingError.self) { try MessagePackEncoder().encode([Date(timeIntervalSince1970: .nan)]) }
    }

    @Test func decodingFromAReaderAdvancesIt() throws {
        let bytes = mpBytes("93 a1 61 2a c3")
        var reader = MessagePackReader(bytes)
        #expect(try reader.readArrayHeader() == 3)
        let decoder = MessagePackDecoder()
        #expect(try decoder.decode(String.self, from: &reader) == "a")
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: &reader) }
        #expect(reader.index == 3)
        #expect(try decoder.decode(Int.self, from: &reader) == 42)
        #expect(try decoder.decode(Bool.self, from: &reader))
        #expect(reader.isAtEnd)
    }

    @Test func encodingIntoAWriterAppendsOrLeavesItUnchanged() throws {
        var writer = MessagePackWriter()
        writer.writeArrayHeader(2)
        try MessagePackEncoder().encode(Settings(compact: true, schema: 0), into: &writer)
        let before = writer.bytes
        #expect(throws: EncodingError.self) {
            try MessagePackEncoder().encode(["ok": Date(), "bad": Date(timeIntervalSince1970: .infinity)], into: &writer)
        }
        #expect(writer.bytes == before)
        try MessagePackEncoder().encode(1, into: &writer)
        var reader = MessagePackReader(writer.bytes)
        #expect(try reader.readValue() == [["compact": true, "schema": 0], 1])
    }

    @Test func containerMisuseThrowsInsteadOfTrapping() throws {
        struct Mixed: Encodable {
            func encode(to encoder: any Encoder) throws {
                var keyed = encoder.container(keyedBy: MessagePackCodingKey.self)
                try keyed.encode(1, forKey: MessagePackCodingKey(stringValue: "a"))
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(2)
            }
        }
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var single = encoder.singleValueContainer()
                try single.encode(1)
                try single.encode(2)
            }
        }
        struct Empty: Codable, Equatable {}
        #expect(throws: EncodingError.self) { try MessagePackEncoder().encode(Mixed()) }
        #expect(throws: EncodingError.self) { try MessagePackEncoder().encode(Twice()) }
        #expect(try MessagePackEncoder().encode(Empty()) == [0x80])
        #expect(try MessagePackDecoder().decode(Empty.self, from: [0x80]) == Empty())
    }

    @Test func userInfoReachesCoders() throws {
        struct Probe: Codable {
            static let key = CodingUserInfoKey(rawValue: "probe")!
            init() {}
            init(from decoder: any Decoder) throws {
                #expect(decoder.userInfo[Self.key] as? String == "decoding")
                _ = try decoder.singleValueContainer().decodeNil()
            }
            func encode(to encoder: any Encoder) throws {
                #expect(encoder.userInfo[Self.key] as? String == "encoding")
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            }
        }
        var encoder = MessagePackEncoder()
        encoder.userInfo[Probe.key] = "encoding"
        var decoder = MessagePackDecoder()
        decoder.userInfo[Probe.key] = "decoding"
        _ = try decoder.decode(Probe.self, from: try encoder.encode(Probe()))
    }
}
