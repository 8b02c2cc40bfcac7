/// Malformed or unexpected MessagePack bytes.
///
/// ``MessagePackReader`` throws these; ``MessagePackDecoder`` passes them through for
/// malformed input and reports shape problems (wrong type, missing key) as `DecodingError`.
public enum MessagePackError: Error, Sendable, Equatable {
    /// The input ended inside a value (or declares more bytes or elements than remain);
    /// more bytes may complete it.
    case truncated
    /// The next value is not of the expected kind. `found` is its format byte.
    case typeMismatch(expected: String, found: UInt8)
    /// A string's bytes are not valid UTF-8.
    case invalidUTF8
    /// Arrays and maps are nested deeper than the reader's `maxDepth`.
    case depthLimitExceeded
    /// An integer does not fit in the requested type.
    case integerOverflow
    /// The byte is not a MessagePack format (only 0xc1 is never used).
    case invalidFormat(UInt8)
    /// Bytes remain after the single top-level value the decoder was asked to read.
    case trailingBytes
    /// A timestamp extension (type -1) has a length other than 4, 8 or 12 bytes,
    /// or nanoseconds of 1,000,000,000 or more.
    case invalidTimestamp
}

extension MessagePackError: CustomStringConvertible {
    /// A sentence saying what was wrong, naming format bytes by their spec names.
    public var description: String {
        switch self {
        case .truncated:
            return "MessagePack input ended inside a value"
        case .typeMismatch(let expected, let found):
            return "Expected MessagePack \(expected) but found \(MessagePackFormat.describe(found))"
        case .invalidUTF8:
            return "MessagePack string is not valid UTF-8"
        case .depthLimitExceeded:
            return "MessagePack arrays and maps are nested too deeply"
        case .integerOverflow:
            return "MessagePack integer does not fit in the requested type"
        case .invalidFormat(let byte):
            return "Invalid MessagePack format byte \(MessagePackFormat.hex(byte))"
        case .trailingBytes:
            return "Unexpected bytes after the MessagePack value"
        case .invalidTimestamp:
            return "Invalid MessagePack timestamp extension"
        }
    }
}

/// Names of format bytes, for error messages.
enum MessagePackFormat {
    static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0f)])
    }

    /// The spec's name of the format a byte starts, e.g. "fixstr (0xa3)".
    static func describe(_ byte: UInt8) -> String {
        "\(name(byte)) (\(hex(byte)))"
    }

    static func name(_ byte: UInt8) -> String {
        switch byte {
        case 0x00...0x7f: return "positive fixint"
        case 0x80...0x8f: return "fixmap"
        case 0x90...0x9f: return "fixarray"
        case 0xa0...0xbf: return "fixstr"
        case 0xc0: return "nil"
        case 0xc1: return "never used"
        case 0xc2: return "false"
        case 0xc3: return "true"
        case 0xc4...0xc6: return "bin \(8 << Int(byte - 0xc4))"
        case 0xc7...0xc9: return "ext \(8 << Int(byte - 0xc7))"
        case 0xca: return "float 32"
        case 0xcb: return "float 64"
        case 0xcc...0xcf: return "uint \(8 << Int(byte - 0xcc))"
        case 0xd0...0xd3: return "int \(8 << Int(byte - 0xd0))"
        case 0xd4...0xd8: return "fixext \(1 << Int(byte - 0xd4))"
        case 0xd9...0xdb: return "str \(8 << Int(byte - 0xd9))"
        case 0xdc, 0xdd: return "array \(byte == 0xdc ? 16 : 32)"
        case 0xde, 0xdf: return "map \(byte == 0xde ? 16 : 32)"
        default: return "negative fixint"
        }
    }
}
