import Foundation
import Testing

/// Types the MessagePack Codable tests encode and decode.
enum MessagePackFixtures {
    struct Settings: Codable, Equatable {
        var compact: Bool
        var schema: Int
    }

    enum Color: String, Codable, CaseIterable {
        case red, green
    }

    enum Level: Int, Codable {
        case low = 1
        case high = 300
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Double)
        case rectangle(Double, Double)
        case point
    }

    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String]
        var score: Double?
    }

    struct Everything: Codable, Equatable {
        var bool = true
        var int = -42
        var int8 = Int8.min
        var int16 = Int16.max
        var int32 = Int32.min
        var int64 = Int64.max
        var uint = UInt.max
        var uint8 = UInt8.max
        var uint16 = UInt16.max
        var uint32 = UInt32.max
        var uint64 = UInt64.max
        var float: Float = 1.25
        var double = -0.1
        var string = "héllo"
        var optionalPresent: Int? = 7
        var optionalAbsent: String?
        var color = Color.green
        var level = Level.high
        var shapes: [Shape] = [.circle(radius: 2), .rectangle(1, 2), .point]
        var inner = Inner(name: "in", tags: ["a", "b"], score: nil)
        var inners = [Inner(name: "x", tags: [], score: 1.5)]
        var dictionary = ["one": 1, "two": 2]
        var intKeys = [1: "one", -5: "minus five"]
        var nestedOptionals: [Int?] = [1, nil, 3]
        var matrix: [[Int]] = [[1, 2], [], [3]]
        var date = Date(timeIntervalSince1970: 1_700_000_000.123_456)
        var data = Data([0, 1, 2, 255])
        var bytes: [UInt8] = [1, 2]
        var url = URL(string: "https://example.com/a?b=c")
        var decimal = Decimal(string: "12345.6789")
        var uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")
        var set: Set<Int> = [3]
    }

    class Animal: Codable {
        var name: String
        init(name: String) { self.name = name }
    }

    /// Encodes its superclass through the same keyed container (no `superEncoder`).
    final class Dog: Animal {
        var breed: String
        init(name: String, breed: String) {
            self.breed = breed
            super.init(name: name)
        }
        enum CodingKeys: String, CodingKey { case breed }
        required init(from decoder: any Decoder) throws {
            breed = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .breed)
            try super.init(from: decoder)
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(breed, forKey: .breed)
            try super.encode(to: encoder)
        }
    }

    /// Uses `superEncoder()` / `superDecoder()` and nested containers written out of order.
    final class Cat: Animal {
        var lives: Int
        init(name: String, lives: Int) {
            self.lives = lives
            super.init(name: name)
        }
        enum CodingKeys: String, CodingKey { case lives, extra, list }
        enum ExtraKeys: String, CodingKey { case a, b }
        required init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            lives = try container.decode(Int.self, forKey: .lives)
            let extra = try container.nestedContainer(keyedBy: ExtraKeys.self, forKey: .extra)
            #expect(try extra.decode(Int.self, forKey: .a) == 1 && extra.decode(String.self, forKey: .b) == "late")
            var list = try container.nestedUnkeyedContainer(forKey: .list)
            #expect(try list.decode(Int.self) == 10 && list.decode(Int.self) == 20 && list.isAtEnd)
            try super.init(from: container.superDecoder())
        }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            var extra = container.nestedContainer(keyedBy: ExtraKeys.self, forKey: .extra)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try extra.encode(1, forKey: .a)
            try container.encode(lives, forKey: .lives)
            try list.encode(10)
            try super.encode(to: container.superEncoder())
            try extra.encode("late", forKey: .b)
            try list.encode(20)
        }
    }

    /// A deterministic generator so fuzz failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }
}
