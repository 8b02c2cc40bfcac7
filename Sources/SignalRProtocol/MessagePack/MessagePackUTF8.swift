/// Strict UTF-8 decoding for MessagePack strings: invalid bytes are an error, never
/// silently replaced with U+FFFD.
enum MessagePackUTF8 {
    /// Makes a `String` from UTF-8 bytes.
    /// - Throws: ``MessagePackError/invalidUTF8`` when the bytes are not valid UTF-8.
    static func makeString(_ utf8: ArraySlice<UInt8>) throws(MessagePackError) -> String {
        // Validating here and then decoding (which cannot need repairs any more) is much
        // faster than `String(validating:as:)`, which is not specialized for this input.
        let string: String? = utf8.withUnsafeBufferPointer { buffer in
            isValid(buffer) ? String(decoding: buffer, as: UTF8.self) : nil
        }
        guard let string else { throw .invalidUTF8 }
        return string
    }

    /// Whether `utf8` is well-formed UTF-8.
    static func isValid(_ utf8: ArraySlice<UInt8>) -> Bool {
        utf8.withUnsafeBufferPointer { isValid($0) }
    }

    /// Whether `utf8` is well-formed UTF-8 (Unicode Table 3-7: no overlong forms,
    /// no surrogates, nothing above U+10FFFF).
    static func isValid(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        let end = utf8.count
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
