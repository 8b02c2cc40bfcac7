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

/// Decoding leniency, shape errors and hostile input.
@Suite struct MessagePackDecodingErrorTests {
    @Test func integersDecodeFromEveryFormatThatFits() throws {
        let decoder = MessagePackDecoder()
        #expect(try decoder.decode(UInt8.self, from: mpBytes("d0 7f")) == 127)
        #expect(try decoder.decode(Int8.self, from: mpBytes("cc 7f")) == 127)
        #expect(try decoder.decode(Int8.self, from: mpBytes("d3 ff ff ff ff ff ff ff 80")) == -128)
        #expect(try decoder.decode(UInt64.self, from: mpBytes("cf ff ff ff ff ff ff ff ff")) == .max)
        #expect(try decoder.decode(Int.self, from: mpBytes("ce ff ff ff ff")) == 4_294_967_295)
        #expect(try decoder.decode(Double.self, from: mpBytes("d1 80 00")) == -32768)
        #expect(try decoder.decode(Float.self, from: mpBytes("cb 3f f8 00 00 00 00 00 00")) == 1.5)
    }

    @Test(arguments: [("cd 01 2c", "UInt8"), ("ff", "UInt"), ("cf ff ff ff ff ff ff ff ff", "Int64"), ("d0 80", "UInt16"), ("cc 80", "Int8")])
    func integerOverflowThrowsDataCorrupted(text: String, typeName: String) {
        do {
            switch typeName {
            case "UInt8": _ = try MessagePackDecoder().decode(UInt8.self, from: mpBytes(text))
            case "UInt": _ = try MessagePackDecoder().decode(UInt.self, from: mpBytes(text))
            case "Int64": _ = try MessagePackDecoder().decode(Int64.self, from: mpBytes(text))
            case "UInt16": _ = try MessagePackDecoder().decode([UInt16].self, from: [0x91] + mpBytes(text))
            default: _ = try MessagePackDecoder().decode([String: Int8].self, from: mpBytes("81 a1 6b") + mpBytes(text))
            }
            Issue.record("expected an error")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("does not fit in \(typeName)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode(Float.self, from: mpBytes("cb 7f ef ff ff ff ff ff ff")) }
    }

    @Test func shapeErrorsCarryCodingPaths() throws {
        // {"name": "x", "tags": [1]} -> tags[0] is not a String.
        let wrongElement = mpBytes("82 a4 6e 61 6d 65 a1 78 a4 74 61 67 73 91 01")
        do {
            _ = try MessagePackDecoder().decode(Inner.self, from: wrongElement)
            Issue.record("expected typeMismatch")
        } catch DecodingError.typeMismatch(let type, let context) {
            #expect(ObjectIdentifier(type) == ObjectIdentifier(String.self))
            #expect(context.codingPath.map(\.stringValue) == ["tags", "Index 0"])
        }
        // {"name": "x"} -> tags missing.
        do {
            _ = try MessagePackDecoder().decode(Inner.self, from: mpBytes("81 a4 6e 61 6d 65 a1 78"))
            Issue.record("expected keyNotFound")
        } catch DecodingError.keyNotFound(let key, let context) {
            #expect(key.stringValue == "tags" && context.codingPath.isEmpty)
        }
        // {"name": nil, ...}
        do {
            _ = try MessagePackDecoder().decode([Inner].self, from: mpBytes("91 82 a4 6e 61 6d 65 c0 a4 74 61 67 73 90"))
            Issue.record("expected valueNotFound")
        } catch DecodingError.valueNotFound(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["Index 0", "name"])
        }
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode(Inner.self, from: mpBytes("91 01")) }
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode([Int].self, from: mpBytes("80")) }
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode(String.self, from: mpBytes("a1 ff")) }
    }

    @Test func unknownAndIntegerKeys() throws {
        // {"extra": [1, {}], 7: "ignored", nil: 1, "compact": false, "schema": 3}
        let bytes = mpBytes("85 a5 65 78 74 72 61 92 01 80 07 a7 69 67 6e 6f 72 65 64 c0 01 a7 63 6f 6d 70 61 63 74 c2 a6 73 63 68 65 6d 61 03")
        #expect(try MessagePackDecoder().decode(Settings.self, from: bytes) == Settings(compact: false, schema: 3))
        #expect(try MessagePackDecoder().decode([Int: String].self, from: mpBytes("82 01 a1 61 ff a1 62")) == [1: "a", -1: "b"])
    }

    @Test func datesDecodeLeniently() throws {
        let decoder = MessagePackDecoder()
        let expected = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try decoder.decode(Date.self, from: mpBytes("d6 ff 65 53 f1 00")) == expected)
        #expect(try decoder.decode(Date.self, from: mpBytes("d7 ff 00 00 00 00 65 53 f1 00")) == expected)
        #expect(try decoder.decode(Date.self, from: mpBytes("c7 0c ff 00 00 00 00 00 00 00 00 65 53 f1 00")) == expected)
        #expect(try decoder.decode(Date.self, from: mpBytes("ce 65 53 f1 00")) == expected)
        #expect(try decoder.decode(Date.self, from: try MessagePackEncoder().encode(1_700_000_000.5)) == expected + 0.5)
        let iso = try MessagePackEncoder().encode("2023-11-14T22:13:20Z")
        #expect(try decoder.decode(Date.self, from: iso) == expected)
        let fractional = try MessagePackEncoder().encode("2023-11-14T22:13:20.250Z")
        #expect(try decoder.decode(Date.self, from: fractional) == expected + 0.25)
        #expect(throws: DecodingError.self) { try decoder.decode(Date.self, from: try MessagePackEncoder().encode("soon")) }
        #expect(throws: DecodingError.self) { try decoder.decode(Date.self, from: mpBytes("d4 01 00")) }
        #expect(throws: DecodingError.self) { try decoder.decode(Date.self, from: mpBytes("d7 ff ee 6b 28 00 00 00 00 00")) }
    }

    @Test func dataDecodesFromBinOrString() throws {
        #expect(try MessagePackDecoder().decode(Data.self, from: mpBytes("a2 68 69")) == Data("hi".utf8))
        #expect(try MessagePackDecoder().decode(Data.self, from: mpBytes("c4 00")) == Data())
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode(Data.self, from: mpBytes("92 01 02")) }
        #expect(try MessagePackDecoder().decode(Decimal.self, from: mpBytes("d0 85")) == Decimal(-123))
    }

    @Test func nilAndOptionals() throws {
        #expect(try MessagePackDecoder().decode(Int?.self, from: [0xc0]) == nil)
        #expect(try MessagePackDecoder().decode([Int?].self, from: mpBytes("92 c0 05")) == [nil, 5])
        #expect(throws: DecodingError.self) { try MessagePackDecoder().decode(Int.self, from: [0xc0]) }
        // An explicit nil for an optional property.
        let inner = try MessagePackDecoder().decode(Inner.self, from: mpBytes("83 a4 6e 61 6d 65 a0 a4 74 61 67 73 90 a5 73 63 6f 72 65 c0"))
        #expect(inner == Inner(name: "", tags: [], score: nil))
    }

    @Test func trailingBytesAndMalformedInputPassThrough() {
        #expect(throws: MessagePackError.trailingBytes) { try MessagePackDecoder().decode(Int.self, from: mpBytes("01 02")) }
        #expect(throws: MessagePackError.truncated) { try MessagePackDecoder().decode(Int.self, from: []) }
        #expect(throws: MessagePackError.truncated) { try MessagePackDecoder().decode(String.self, from: mpBytes("a5 61")) }
    }

    @Test func hostileValuesForFoundationTypesNeverCrash() throws {
        var generator = MessagePackFixtures.Generator(state: 99)
        let alphabet = Array("0123456789+-.:eETZWn ".utf8)
        let decoder = MessagePackDecoder()
        for _ in 0..<3_000 {
            let text = String(decoding: (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator) ?? 0
            }, as: UTF8.self)
            let bytes = try MessagePackEncoder().encode(text)
            _ = try? decoder.decode(Date.self, from: bytes)
            _ = try? decoder.decode(Decimal.self, from: bytes)
            _ = try? decoder.decode(URL.self, from: bytes)
        }
        for text in ["1e999999999", "-1e-999999999", String(repeating: "9", count: 5_000), "NaN", "+", "."] {
            _ = try? decoder.decode(Decimal.self, from: try MessagePackEncoder().encode(text))
        }
        let extremes: [[UInt8]] = [
            mpBytes("c7 0c ff 00 00 00 00 7f ff ff ff ff ff ff ff"), mpBytes("c7 0c ff 00 00 00 00 80 00 00 00 00 00 00 00"),
            mpBytes("cb 7f ef ff ff ff ff ff ff"), mpBytes("cb 7f f0 00 00 00 00 00 00"), mpBytes("cb 7f f8 00 00 00 00 00 00"),
            mpBytes("cf ff ff ff ff ff ff ff ff"), mpBytes("d3 80 00 00 00 00 00 00 00"),
        ]
        for bytes in extremes {
            if let date = try? decoder.decode(Date.self, from: bytes) { _ = try? MessagePackEncoder().encode(date) }
            _ = try? decoder.decode(Decimal.self, from: bytes)
        }
        // Random corruption of a value that uses every Foundation type.
        let valid = try MessagePackEncoder().encode(Everything())
        for _ in 0..<3_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? decoder.decode(Everything.self, from: bytes)
        }
    }
}
