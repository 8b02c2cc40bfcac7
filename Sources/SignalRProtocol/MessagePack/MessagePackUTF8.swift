/// Strict UTF-8 decoding for MessagePack strings: invalid bytes are an error, never
/// silently replaced with U+FFFD.
enum MessagePackUTF8 {
    /// Makes a `String` from UTF-8 bytes.
    /// - Throws: ``MessagePackError/invalidUTF8`` when the bytes are not valid UTF-8.
    static func makeString(_ utf8: ArraySlice<UInt8>) throws(MessagePackError) -> String {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) {
            guard let string = String(validating: utf8, as: UTF8.self) else { throw .invalidUTF8 }
            return string
        }
        guard isValid(utf8) else { throw .invalidUTF8 }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Whether `utf8` is well-formed UTF-8 (Unicode Table 3-7: no overlong forms,
    /// no surrogates, nothing above U+10FFFF). Used where `String(validating:as:)`
    /// is unavailable.
    static func isValid(_ utf8: ArraySlice<UInt8>) -> Bool {
        var position = utf8.startIndex
        let end = utf8.endIndex
        while position < end {
            let lead = utf8[position]
            if lead < 0x80 {
                position += 1
                continue
            }
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xbf
            switch lead {
            case 0xc2...0xdf: length = 2
            case 0xe0: length = 3; secondRange = 0xa0...0xbf
            case 0xe1...0xec, 0xee...0xef: length = 3
            case 0xed: length = 3; secondRange = 0x80...0x9f
            case 0xf0: length = 4; secondRange = 0x90...0xbf
            case 0xf1...0xf3: length = 4
            case 0xf4: length = 4; secondRange = 0x80...0x8f
            default: return false
            }
            guard end - position >= length, secondRange.contains(utf8[position + 1]) else { return false }
            var continuation = position + 2
            while continuation < position + length {
                guard (0x80...0xbf).contains(utf8[continuation]) else { return false }
                continuation += 1
            }
            position += length
        }
        return true
    }
}
