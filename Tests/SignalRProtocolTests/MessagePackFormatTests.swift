import Testing

@testable import SignalRProtocol

/// Parses "cc 80 ..." into bytes.
func mpBytes(_ text: String) -> [UInt8] {
    text.split(separator: " ").compactMap { UInt8($0, radix: 16) }
}

private func written(_ body: (inout MessagePackWriter) -> Void) -> [UInt8] {
    var writer = MessagePackWriter()
    body(&writer)
    return writer.bytes
}

/// Every format's boundaries: the exact bytes written, and reading them back.
@Suite struct MessagePackFormatTests {
    @Test(arguments: [
        (UInt64(0), "00"), (127, "7f"), (128, "cc 80"), (255, "cc ff"), (256, "cd 01 00"),
        (65535, "cd ff ff"), (65536, "ce 00 01 00 00"), (4_294_967_295, "ce ff ff ff ff"),
        (4_294_967_296, "cf 00 00 00 01 00 00 00 00"), (UInt64.max, "cf ff ff ff ff ff ff ff ff"),
    ])
    func unsignedBoundaries(value: UInt64, expected: String) throws {
        let bytes = written { $0.write(value) }
        #expect(bytes == mpBytes(expected))
        var reader = MessagePackReader(bytes)
        #expect(try reader.readUInt64() == value)
        #expect(reader.isAtEnd)
        if let signed = Int64(exactly: value) {
            #expect(written { $0.write(signed) } == bytes)
        }
    }

    @Test(arguments: [
        (Int64(-1), "ff"), (-32, "e0"), (-33, "d0 df"), (-128, "d0 80"), (-129, "d1 ff 7f"),
        (-32768, "d1 80 00"), (-32769, "d2 ff ff 7f ff"), (-2_147_483_648, "d2 80 00 00 00"),
        (-2_147_483_649, "d3 ff ff ff ff 7f ff ff ff"), (Int64.min, "d3 80 00 00 00 00 00 00 00"),
        (Int64.max, "cf 7f ff ff ff ff ff ff ff"), (0, "00"), (127, "7f"), (128, "cc 80"),
    ])
    func signedBoundaries(value: Int64, expected: String) throws {
        let bytes = written { $0.write(value) }
        #expect(bytes == mpBytes(expected))
        var reader = MessagePackReader(bytes)
        #expect(try reader.readInt64() == value)
        #expect(reader.isAtEnd)
    }

    @Test func signedFormatsHoldingSmallValuesAreRead() throws {
        for text in ["d0 05", "d1 00 05", "d2 00 00 00 05", "d3 00 00 00 00 00 00 00 05", "cc 05", "cd 00 05", "ce 00 00 00 05"] {
            var reader = MessagePackReader(mpBytes(text))
            #expect(try reader.readInt64() == 5)
            var unsigned = MessagePackReader(mpBytes(text))
            #expect(try unsigned.readUInt64() == 5)
            var value = MessagePackReader(mpBytes(text))
            let expected: MessagePackValue = text.hasPrefix("d") ? .int(5) : .uint(5)
            #expect(try value.readValue() == expected)
        }
    }

    @Test func floats() throws {
        #expect(written { $0.write(Float(1.5)) } == mpBytes("ca 3f c0 00 00"))
        #expect(written { $0.write(1.5) } == mpBytes("cb 3f f8 00 00 00 00 00 00"))
        for value in [0.0, -0.0, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity] {
            var reader = MessagePackReader(written { $0.write(value) })
            #expect(try reader.readDouble().bitPattern == value.bitPattern)
        }
        var float32 = MessagePackReader(mpBytes("ca 3f c0 00 00"))
        #expect(try float32.readDouble() == 1.5)
        var nan = MessagePackReader(written { $0.write(Double.nan) })
        #expect(try nan.readDouble().isNaN)
        var integer = MessagePackReader(mpBytes("d0 80"))
        #expect(try integer.readDouble() == -128)
        var float = MessagePackReader(mpBytes("cb 3f f8 00 00 00 00 00 00"))
        #expect(try float.readFloat() == 1.5)
    }

    @Test(arguments: [(0, "a0"), (31, "bf"), (32, "d9 20"), (255, "d9 ff"), (256, "da 01 00"),
                      (65535, "da ff ff"), (65536, "db 00 01 00 00")])
    func stringLengths(length: Int, header: String) throws {
        let text = String(repeating: "x", count: length)
        let bytes = written { $0.write(text) }
        let expectedHeader = mpBytes(header)
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        #expect(bytes.count == expectedHeader.count + length)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readString() == text)
        #expect(reader.isAtEnd)
        var skipper = MessagePackReader(bytes)
        #expect(try skipper.skipValue() == 0..<bytes.count)
    }

    @Test func stringsAreUTF8() throws {
        let text = "héllo, 世界 🎉"
        let bytes = written { $0.write(text) }
        #expect(bytes.count == 1 + text.utf8.count)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readString() == text)
    }

    @Test(arguments: [(0, "c4 00"), (255, "c4 ff"), (256, "c5 01 00"), (65535, "c5 ff ff"), (65536, "c6 00 01 00 00")])
    func binaryLengths(length: Int, header: String) throws {
        let data = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        let bytes = written { $0.writeBinary(data) }
        let expectedHeader = mpBytes(header)
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readBinary() == data)
        var value = MessagePackReader(bytes)
        #expect(try value.readValue() == .binary(data))
    }

    @Test(arguments: [(0, "90"), (15, "9f"), (16, "dc 00 10"), (65535, "dc ff ff"), (65536, "dd 00 01 00 00")])
    func arrayHeaders(count: Int, header: String) throws {
        let bytes = written { writer in
            writer.writeArrayHeader(count)
            for _ in 0..<count { writer.writeNil() }
        }
        let expectedHeader = mpBytes(header)
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readArrayHeader() == count)
        var value = MessagePackReader(bytes)
        #expect(try value.readValue() == .array(Array(repeating: .nil, count: count)))
        var skipper = MessagePackReader(bytes)
        #expect(try skipper.skipValue() == 0..<bytes.count)
    }

    @Test(arguments: [(0, "80"), (15, "8f"), (16, "de 00 10"), (65535, "de ff ff"), (65536, "df 00 01 00 00")])
    func mapHeaders(count: Int, header: String) throws {
        let bytes = written { writer in
            writer.writeMapHeader(count)
            for index in 0..<count {
                writer.write(Int64(index))
                writer.write(true)
            }
        }
        let expectedHeader = mpBytes(header)
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        var reader = MessagePackReader(bytes)
        #expect(try reader.readMapHeader() == count)
        var value = MessagePackReader(bytes)
        let pairs = (0..<count).map { MessagePackValue.Pair(.uint(UInt64($0)), .bool(true)) }
        #expect(try value.readValue() == .map(pairs))
        var skipper = MessagePackReader(bytes)
        #expect(try skipper.skipValue() == 0..<bytes.count)
    }

    @Test(arguments: [(1, "d4 05"), (2, "d5 05"), (4, "d6 05"), (8, "d7 05"), (16, "d8 05"), (0, "c7 00 05"),
                      (3, "c7 03 05"), (17, "c7 11 05"), (255, "c7 ff 05"), (256, "c8 01 00 05"), (65536, "c9 00 01 00 00 05")])
    func extensionSizes(length: Int, header: String) throws {
        let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let bytes = written { $0.writeExtension(type: 5, data: data) }
        let expectedHeader = mpBytes(header)
        #expect(Array(bytes.prefix(expectedHeader.count)) == expectedHeader)
        #expect(bytes.count == expectedHeader.count + length)
        var reader = MessagePackReader(bytes)
        let (type, payload) = try reader.readExtension()
        #expect(type == 5 && payload == data)
        var value = MessagePackReader(bytes)
        #expect(try value.readValue() == .ext(type: 5, data: data))
        var skipper = MessagePackReader(bytes)
        #expect(try skipper.skipValue() == 0..<bytes.count)
    }

    @Test(arguments: [
        (Int64(0), UInt32(0), "d6 ff 00 00 00 00"),
        (4_294_967_295, 0, "d6 ff ff ff ff ff"),
        (4_294_967_296, 0, "d7 ff 00 00 00 01 00 00 00 00"),
        (1, 1, "d7 ff 00 00 00 04 00 00 00 01"),
        (17_179_869_183, 999_999_999, "d7 ff ee 6b 27 ff ff ff ff ff"),
        (17_179_869_184, 0, "c7 0c ff 00 00 00 00 00 00 00 04 00 00 00 00"),
        (-1, 0, "c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff"),
        (-1, 500_000_000, "c7 0c ff 1d cd 65 00 ff ff ff ff ff ff ff ff"),
        (Int64.min, 999_999_999, "c7 0c ff 3b 9a c9 ff 80 00 00 00 00 00 00 00"),
        (Int64.max, 0, "c7 0c ff 00 00 00 00 7f ff ff ff ff ff ff ff"),
    ])
    func timestamps(seconds: Int64, nanoseconds: UInt32, expected: String) throws {
        let bytes = written { $0.writeTimestamp(seconds: seconds, nanoseconds: nanoseconds) }
        #expect(bytes == mpBytes(expected))
        var reader = MessagePackReader(bytes)
        let read = try reader.readTimestamp()
        #expect(read.seconds == seconds && read.nanoseconds == nanoseconds)
        var value = MessagePackReader(bytes)
        #expect(try value.readValue() == .timestamp(seconds: seconds, nanoseconds: nanoseconds))
        #expect(written { $0.write(MessagePackValue.timestamp(seconds: seconds, nanoseconds: nanoseconds)) } == bytes)
    }

    @Test func timestampNanosecondsCarryIntoSeconds() throws {
        var reader = MessagePackReader(written { $0.writeTimestamp(seconds: 1, nanoseconds: 2_500_000_000) })
        let read = try reader.readTimestamp()
        #expect(read.seconds == 3 && read.nanoseconds == 500_000_000)
    }

    @Test func invalidTimestampsThrow() throws {
        // Nanoseconds of 10^9 in timestamp 64 and 96, and a 3-byte payload.
        for text in ["d7 ff ee 6b 28 00 00 00 00 00", "c7 0c ff 3b 9a ca 00 00 00 00 00 00 00 00 00", "c7 03 ff 00 00 00"] {
            var reader = MessagePackReader(mpBytes(text))
            #expect(throws: MessagePackError.invalidTimestamp) { try reader.readTimestamp() }
            var value = MessagePackReader(mpBytes(text))
            #expect(throws: MessagePackError.invalidTimestamp) { try value.readValue() }
            #expect(value.index == 0)
        }
        var other = MessagePackReader(mpBytes("d4 01 00"))
        #expect(throws: MessagePackError.typeMismatch(expected: "timestamp", found: 0xd4)) { try other.readTimestamp() }
    }

    @Test func knownEncodings() {
        let value: MessagePackValue = ["compact": true, "schema": 0]
        #expect(written { $0.write(value) } == mpBytes("82 a7 63 6f 6d 70 61 63 74 c3 a6 73 63 68 65 6d 61 00"))
        #expect(written { $0.writeNil() } == [0xc0])
        #expect(written { $0.write(false) } == [0xc2])
        #expect(written { $0.write(true) } == [0xc3])
        #expect(written { $0.write(MessagePackValue.array([1, -1, "a", nil, 1.5])) }
            == mpBytes("95 01 ff a1 61 c0 cb 3f f8 00 00 00 00 00 00"))
        #expect(written { $0.writeRaw([0x92, 0x01]); $0.write(Int64(2)) } == mpBytes("92 01 02"))
    }

    @Test func valueRoundTrips() throws {
        let value: MessagePackValue = .map([
            .init("nil", nil), .init("bool", false), .init("uint", .uint(.max)), .init("int", .int(.min)),
            .init("float", .float(-2.25)), .init("double", .double(1e300)), .init("string", "ü"),
            .init("binary", .binary([0, 255])), .init(.uint(7), .array([[], [:], [[1]]])),
            .init("time", .timestamp(seconds: -5, nanoseconds: 7)), .init("ext", .ext(type: -128, data: [1, 2, 3])),
        ])
        var writer = MessagePackWriter()
        writer.write(value)
        var reader = MessagePackReader(writer.bytes)
        #expect(try reader.readValue() == value)
        #expect(reader.isAtEnd)
        #expect(value["uint"]?.uint64Value == .max)
        #expect(value["int"]?.int64Value == .min)
        #expect(value["double"]?.doubleValue == 1e300)
        #expect(value["missing"] == nil)
    }

    @Test func writerReuse() {
        var writer = MessagePackWriter(reservingCapacity: 0)
        writer.write("abc")
        #expect(writer.count == 4)
        writer.removeAll()
        writer.write(Int64(-1))
        #expect(writer.bytes == [0xff])
    }
}
