/// A small pull reader over UTF-8 JSON bytes.
///
/// The hub protocol only needs the message envelope: it reads the few fields it
/// knows and keeps every argument, item and result as the byte range of its
/// token, so the handler's `Decodable` types read them later. Nesting is limited
/// so hostile input cannot exhaust the stack; every failure is a ``HubProtocolError``.
struct JSONScanner {
    let bytes: ArraySlice<UInt8>
    var index: Int
    let maxDepth: Int

    init(_ bytes: ArraySlice<UInt8>, maxDepth: Int = 100) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.maxDepth = maxDepth
    }

    var isAtEnd: Bool { index >= bytes.endIndex }

    static func isNullToken(_ token: ArraySlice<UInt8>) -> Bool {
        var scanner = JSONScanner(token)
        scanner.skipWhitespace()
        guard scanner.consumeLiteral("null") else { return false }
        scanner.skipWhitespace()
        return scanner.isAtEnd
    }

    mutating func skipWhitespace() {
        while index < bytes.endIndex {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard index < bytes.endIndex else { throw Self.error("Unexpected end of JSON input.") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else {
            throw Self.error("Expected '\(Character(Unicode.Scalar(byte)))' at offset \(offset).")
        }
        index += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func consume(_ byte: UInt8) throws -> Bool {
        if try peek() == byte {
            index += 1
            return true
        }
        return false
    }

    var offset: Int { index - bytes.startIndex }

    static func error(_ message: String) -> HubProtocolError {
        HubProtocolError(.invalidJSON, message)
    }

    mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.endIndex - index >= count else { return false }
        let matches = literal.withUTF8Buffer { literalBytes in
            literalBytes.elementsEqual(bytes[index..<index + count])
        }
        if matches { index += count }
        return matches
    }

    // MARK: Strings

    /// Reads a string token; `index` must be at its opening quote (after whitespace).
    mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") {
                index = start
                return try readEscapedString()
            }
            if byte < 0x20 { throw Self.error("Invalid control character in JSON string at offset \(offset).") }
            index += 1
        }
        throw Self.error("Unterminated JSON string.")
    }

    /// Reads `null` as nil, else a string.
    mutating func readOptionalString() throws -> String? {
        if try peek() == UInt8(ascii: "n") {
            guard consumeLiteral("null") else { throw Self.error("Invalid JSON literal at offset \(offset).") }
            return nil
        }
        return try readString()
    }

    private mutating func readEscapedString() throws -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard index < bytes.endIndex else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    flush()
                    scalars.append(try readUnicodeEscape())
                default:
                    throw Self.error("Invalid escape sequence in JSON string at offset \(offset).")
                }
            default:
                if byte < 0x20 { throw Self.error("Invalid control character in JSON string at offset \(offset).") }
                utf8.append(byte)
            }
        }
        throw Self.error("Unterminated JSON string.")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard bytes.endIndex - index >= 4 else { throw Self.error("Unterminated unicode escape.") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Self.error("Invalid unicode escape at offset \(offset).")
            }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func readUnicodeEscape() throws -> Unicode.Scalar {
        let first = try readHex4()
        if (0xD800...0xDBFF).contains(first) {
            // A high surrogate must pair with a following \uDC00-\uDFFF escape.
            if consumeLiteral("\\u") {
                let second = try readHex4()
                if (0xDC00...0xDFFF).contains(second) {
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    if let scalar = Unicode.Scalar(combined) { return scalar }
                }
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }
}
