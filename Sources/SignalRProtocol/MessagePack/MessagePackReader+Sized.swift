// Values that carry a length: strings, binary, array and map headers, extensions.
extension MessagePackReader {
    /// Reads a string (fixstr or str 8/16/32).
    /// - Throws: ``MessagePackError/invalidUTF8`` when the bytes are not valid UTF-8,
    ///   ``MessagePackError/typeMismatch(expected:found:)`` for other types.
    public mutating func readString() throws(MessagePackError) -> String {
        let start = index
        do throws(MessagePackError) {
            return try MessagePackUTF8.makeString(bytes[try readStringRange()])
        } catch {
            index = start
            throw error
        }
    }

    /// Reads a string, or consumes a `nil` and returns nil.
    /// - Throws: as ``readString()``.
    public mutating func readOptionalString() throws(MessagePackError) -> String? {
        if try peekIsNil() {
            index += 1
            return nil
        }
        return try readString()
    }

    /// Reads binary data (bin 8/16/32); a string's UTF-8 bytes are accepted too.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for other types.
    public mutating func readBinary() throws(MessagePackError) -> [UInt8] {
        Array(bytes[try readBinaryRange()])
    }

    /// Reads an array header and returns the element count; the elements follow.
    /// - Throws: ``MessagePackError/truncated`` when fewer bytes remain than elements declared.
    public mutating func readArrayHeader() throws(MessagePackError) -> Int {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            let count: Int
            switch format {
            case 0x90...0x9f: count = Int(format & 0x0f)
            case 0xdc: count = try readLength(width: 1)
            case 0xdd: count = try readLength(width: 2)
            default: throw Self.mismatch("array", format)
            }
            // Every element takes at least one byte.
            guard count <= remainingCount else { throw .truncated }
            return count
        } catch {
            index = start
            throw error
        }
    }

    /// Reads a map header and returns the pair count; key, value, key, value… follow.
    /// - Throws: ``MessagePackError/truncated`` when fewer than two bytes per pair remain.
    public mutating func readMapHeader() throws(MessagePackError) -> Int {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            let count: Int
            switch format {
            case 0x80...0x8f: count = Int(format & 0x0f)
            case 0xde: count = try readLength(width: 1)
            case 0xdf: count = try readLength(width: 2)
            default: throw Self.mismatch("map", format)
            }
            guard count <= remainingCount / 2 else { throw .truncated }
            return count
        } catch {
            index = start
            throw error
        }
    }

    /// Reads an extension value (fixext 1/2/4/8/16 or ext 8/16/32), including timestamps.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for other types.
    public mutating func readExtension() throws(MessagePackError) -> (type: Int8, data: [UInt8]) {
        let (type, range) = try readExtensionRange()
        return (type, Array(bytes[range]))
    }

    /// Reads the timestamp extension (type -1) in its 32-, 64- or 96-bit form.
    /// - Returns: seconds since 1970-01-01T00:00:00Z and the nanoseconds (0..<10^9) to add.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for other values
    ///   (including other extension types), ``MessagePackError/invalidTimestamp``
    ///   for a malformed one.
    public mutating func readTimestamp() throws(MessagePackError) -> (seconds: Int64, nanoseconds: UInt32) {
        let start = index
        let format = try peekFormatByte()
        do throws(MessagePackError) {
            let (type, range) = try readExtensionRange()
            guard type == -1 else { throw MessagePackError.typeMismatch(expected: "timestamp", found: format) }
            return try timestamp(in: range)
        } catch {
            index = start
            throw error
        }
    }
}

extension MessagePackReader {
    /// Reads a string header and returns the range of its UTF-8 bytes, unvalidated.
    mutating func readStringRange() throws(MessagePackError) -> Range<Int> {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            switch format {
            case 0xa0...0xbf: return try take(Int(format & 0x1f))
            case 0xd9...0xdb: return try take(try readLength(width: format - 0xd9))
            default: throw Self.mismatch("string", format)
            }
        } catch {
            index = start
            throw error
        }
    }

    /// Reads bin 8/16/32 (or a string) and returns the range of its bytes.
    mutating func readBinaryRange() throws(MessagePackError) -> Range<Int> {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            switch format {
            case 0xc4...0xc6: return try take(try readLength(width: format - 0xc4))
            case 0xa0...0xbf: return try take(Int(format & 0x1f))
            case 0xd9...0xdb: return try take(try readLength(width: format - 0xd9))
            default: throw Self.mismatch("binary", format)
            }
        } catch {
            index = start
            throw error
        }
    }

    /// Reads any extension and returns its type and the range of its payload.
    mutating func readExtensionRange() throws(MessagePackError) -> (type: Int8, range: Range<Int>) {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            let length: Int
            switch format {
            case 0xd4...0xd8: length = 1 << Int(format - 0xd4)
            case 0xc7...0xc9: length = try readLength(width: format - 0xc7)
            default: throw Self.mismatch("extension", format)
            }
            let type = Int8(bitPattern: try readByte())
            return (type, try take(length))
        } catch {
            index = start
            throw error
        }
    }

    /// Interprets a timestamp payload (timestamp 32, 64 or 96).
    func timestamp(in range: Range<Int>) throws(MessagePackError) -> (seconds: Int64, nanoseconds: UInt32) {
        let seconds: Int64
        let nanoseconds: UInt32
        switch range.count {
        case 4:
            seconds = Int64(loadBigEndian(UInt32.self, at: range.lowerBound))
            nanoseconds = 0
        case 8:
            let packed = loadBigEndian(UInt64.self, at: range.lowerBound)
            nanoseconds = UInt32(truncatingIfNeeded: packed >> 34)
            seconds = Int64(packed & 0x3_ffff_ffff)
        case 12:
            nanoseconds = loadBigEndian(UInt32.self, at: range.lowerBound)
            seconds = Int64(bitPattern: loadBigEndian(UInt64.self, at: range.lowerBound + 4))
        default:
            throw .invalidTimestamp
        }
        guard nanoseconds < 1_000_000_000 else { throw .invalidTimestamp }
        return (seconds, nanoseconds)
    }
}
