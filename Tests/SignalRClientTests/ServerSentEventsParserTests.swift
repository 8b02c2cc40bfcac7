import Testing
@testable import SignalRClient

@Suite("ServerSentEventsParser", .timeLimit(.minutes(1)))
struct ServerSentEventsParserTests {
    /// Feeds `input` in the given pieces and returns the payloads as strings.
    private func parse(_ pieces: [[UInt8]]) throws -> [String] {
        var parser = ServerSentEventsParser()
        var payloads: [[UInt8]] = []
        for piece in pieces { payloads += try parser.parse(piece) }
        return payloads.map { String(decoding: $0, as: UTF8.self) }
    }

    private func parse(_ input: String) throws -> [String] {
        try parse([Array(input.utf8)])
    }

    /// Two events with several data lines, a comment, another field, every line-end form.
    static let multiEvent = ":\r\ndata: {\"type\":1}\u{1E}\r\ndata: second line\r\n\r\nevent: x\ndata:b\rdata: é😀\r\r\n: c\ndata\n\n"
    static let multiEventPayloads = ["{\"type\":1}\u{1E}\nsecond line", "b\né😀", ""]

    @Test("each line-end form", arguments: ["\n", "\r", "\r\n"])
    func lineEnds(_ end: String) throws {
        #expect(try parse("data: a\(end)data: b\(end)\(end)data: c\(end)\(end)") == ["a\nb", "c"])
    }

    @Test("mixed line ends in one stream")
    func mixedLineEnds() throws {
        #expect(try parse(Self.multiEvent) == Self.multiEventPayloads)
    }

    @Test("every split point into two reads")
    func everySplitPoint() throws {
        let bytes = Array(Self.multiEvent.utf8)
        for split in 0...bytes.count {
            let payloads = try parse([Array(bytes[..<split]), Array(bytes[split...])])
            #expect(payloads == Self.multiEventPayloads, "split at \(split)")
        }
    }

    @Test("every split point into three reads")
    func everyPairOfSplitPoints() throws {
        let bytes = Array(Self.multiEvent.utf8)
        for first in 0...bytes.count {
            for second in first...bytes.count {
                let pieces = [Array(bytes[..<first]), Array(bytes[first..<second]), Array(bytes[second...])]
                #expect(try parse(pieces) == Self.multiEventPayloads, "splits at \(first), \(second)")
            }
        }
    }

    @Test("one byte per read")
    func oneBytePerRead() throws {
        let pieces = Self.multiEvent.utf8.map { [$0] }
        #expect(try parse(pieces) == Self.multiEventPayloads)
    }

    @Test("random chunks, with empty reads in between")
    func randomChunks() throws {
        let bytes = Array(Self.multiEvent.utf8)
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<500 {
            var pieces: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let length = min(Int(random.next() % 9), bytes.count - index)
                pieces.append(Array(bytes[index..<index + length]))
                index += length
            }
            #expect(try parse(pieces) == Self.multiEventPayloads)
        }
    }

    @Test("a CR at the end of one read and its LF at the start of the next are one line end")
    func crlfSplitAcrossReads() throws {
        // Were the LF read as a second line end, "a" and "b" would be two events.
        #expect(try parse([Array("data: a\r".utf8), Array("\ndata: b\r\n\r\n".utf8)]) == ["a\nb"])
        #expect(try parse([Array("data: a\r".utf8), [], Array("\n".utf8), Array("\r".utf8), Array("\n".utf8)]) == ["a"])
    }

    @Test("CR CR is two line ends")
    func doubleCR() throws {
        #expect(try parse("data: a\r\rdata: b\r\r") == ["a", "b"])
    }

    @Test("several data lines are joined with LF")
    func multiLineData() throws {
        #expect(try parse("data: one\ndata: two\ndata: three\n\n") == ["one\ntwo\nthree"])
    }

    @Test("comments and other fields are ignored")
    func commentsAndOtherFields() throws {
        #expect(try parse(": hello\nevent: message\nid: 7\nretry: 100\ndata: a\nunknown: x\n:data: no\n\n") == ["a"])
        #expect(try parse("Data: a\ndata : b\n\n") == [])
    }

    @Test("an event without data lines dispatches nothing")
    func eventWithoutData() throws {
        #expect(try parse("event: x\n\n\n\n: only a comment\n\n") == [])
    }

    @Test("data with and without the optional space")
    func optionalSpace() throws {
        #expect(try parse("data:abc\n\ndata: abc\n\ndata:  two spaces\n\n") == ["abc", "abc", " two spaces"])
        #expect(try parse("data:a:b: c\n\n") == ["a:b: c"])
    }

    @Test("an empty data line is an empty line of data")
    func emptyDataLine() throws {
        #expect(try parse("data:\n\n") == [""])
        #expect(try parse("data\n\n") == [""])
        #expect(try parse("data: \n\n") == [""])
        #expect(try parse("data:\ndata:\n\n") == ["\n"])
        #expect(try parse("data: a\ndata:\n\n") == ["a\n"])
    }

    @Test("UTF-8 multibyte characters split across reads")
    func utf8SplitAcrossReads() throws {
        let bytes = Array("data: héllo wörld 😀 ✓\n\n".utf8)
        for split in 0...bytes.count {
            #expect(try parse([Array(bytes[..<split]), Array(bytes[split...])]) == ["héllo wörld 😀 ✓"])
        }
    }

    @Test("a byte order mark at the start is skipped, even split across reads")
    func byteOrderMark() throws {
        #expect(try parse([[0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8)]) == ["a"])
        #expect(try parse([[0xEF], [0xBB], [0xBF, UInt8(ascii: "d")], Array("ata: a\n\n".utf8)]) == ["a"])
    }

    @Test("an event incomplete at the end of the input is not dispatched yet")
    func incompleteEvent() throws {
        var parser = ServerSentEventsParser()
        #expect(try parser.parse(Array("data: a\n".utf8)).isEmpty)
        #expect(try parser.parse(Array("data: b".utf8)).isEmpty)
        #expect(try parser.parse(Array("\n\n".utf8)) == [Array("a\nb".utf8)])
    }

    @Test("an event over the size limit throws")
    func sizeLimit() throws {
        var parser = ServerSentEventsParser(maximumEventSize: 16)
        #expect(try parser.parse(Array("data: 0123456789\n\n".utf8)) == [Array("0123456789".utf8)])
        #expect(throws: SignalRError.self) { try parser.parse(Array("data: 0123456789abcdefghij".utf8)) }
        var parser2 = ServerSentEventsParser(maximumEventSize: 16)
        #expect(throws: SignalRError.self) {
            try parser2.parse(Array("data: 0123456789\ndata: 0123456789\n".utf8))
        }
    }

    @Test("the ASP.NET Core stream: an opening comment, then one event per message")
    func aspNetCoreStream() throws {
        let stream = ":\r\ndata: {}\u{1E}\r\n\r\ndata: {\"type\":6}\u{1E}\r\n\r\n"
        #expect(try parse(stream) == ["{}\u{1E}", "{\"type\":6}\u{1E}"])
    }
}

/// A small deterministic random number generator for reproducible chunkings.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
