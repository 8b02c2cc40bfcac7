/// Appends MessagePack values to a byte array, always choosing the smallest format.
///
/// Counts and lengths above `UInt32.max` cannot be represented in MessagePack; writing
/// them is a programming error and traps.
public struct MessagePackWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer.
    /// - Parameter reservingCapacity: bytes to reserve up front.
    public init(reservingCapacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(max(0, reservingCapacity))
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.count }

    /// Removes everything written, keeping the storage by default so the writer can be reused.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Writes `nil` (0xc0).
    public mutating func writeNil() {
        bytes.append(0xc0)
    }

    /// Writes `true` (0xc3) or `false` (0xc2).
    public mutating func write(_ value: Bool) {
        bytes.append(value ? 0xc3 : 0xc2)
    }

    /// Writes an integer in its smallest format, as the `Int64` overload does.
    public mutating func write(_ value: Int) {
        write(Int64(value))
    }

    /// Writes an integer in its smallest format. Like MessagePack-CSharp, non-negative
    /// values use the positive fixint and uint formats and negative ones the negative
    /// fixint and int formats.
    public mutating func write(_ value: Int64) {
        if value >= 0 {
            write(UInt64(value.magnitude))
        } else if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int8.min) {
            bytes.append(0xd0)
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value >= Int64(Int16.min) {
            bytes.append(0xd1)
            appendBigEndian(UInt16(truncatingIfNeeded: value))
        } else if value >= Int64(Int32.min) {
            bytes.append(0xd2)
            appendBigEndian(UInt32(truncatingIfNeeded: value))
        } else {
            bytes.append(0xd3)
            appendBigEndian(UInt64(truncatingIfNeeded: value))
        }
    }

    /// Writes an unsigned integer in its smallest format (positive fixint or uint 8/16/32/64).
    public mutating func write(_ value: UInt64) {
        if value <= 0x7f {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value <= UInt64(UInt8.max) {
            bytes.append(0xcc)
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else if value <= UInt64(UInt16.max) {
            bytes.append(0xcd)
            appendBigEndian(UInt16(truncatingIfNeeded: value))
        } else if value <= UInt64(UInt32.max) {
            bytes.append(0xce)
            appendBigEndian(UInt32(truncatingIfNeeded: value))
        } else {
            bytes.append(0xcf)
            appendBigEndian(value)
        }
    }

    /// Writes a float 64.
    public mutating func write(_ value: Double) {
        bytes.append(0xcb)
        appendBigEndian(value.bitPattern)
    }

    /// Writes a float 32.
    public mutating func write(_ value: Float) {
        bytes.append(0xca)
        appendBigEndian(value.bitPattern)
    }

    /// Writes a string as UTF-8 in fixstr or str 8/16/32.
    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeLengthHeader(utf8.count, fix: 0xa0, fixLimit: 31, formats: (0xd9, 0xda, 0xdb))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes bytes as bin 8/16/32.
    public mutating func writeBinary(_ value: some Collection<UInt8>) {
        writeLengthHeader(value.count, fix: nil, fixLimit: -1, formats: (0xc4, 0xc5, 0xc6))
        bytes.append(contentsOf: value)
    }

    /// Writes the header of an array of `count` elements; the caller writes the elements next.
    public mutating func writeArrayHeader(_ count: Int) {
        writeLengthHeader(count, fix: 0x90, fixLimit: 15, formats: (nil, 0xdc, 0xdd))
    }

    /// Writes the header of a map of `count` pairs; the caller writes key, value, key, value… next.
    public mutating func writeMapHeader(_ count: Int) {
        writeLengthHeader(count, fix: 0x80, fixLimit: 15, formats: (nil, 0xde, 0xdf))
    }

    /// Writes an extension value: fixext 1/2/4/8/16 when the payload has one of those
    /// sizes, otherwise ext 8/16/32.
    public mutating func writeExtension(type: Int8, data: some Collection<UInt8>) {
        let length = data.count
        switch length {
        case 1: bytes.append(0xd4)
        case 2: bytes.append(0xd5)
        case 4: bytes.append(0xd6)
        case 8: bytes.append(0xd7)
        case 16: bytes.append(0xd8)
        default: writeLengthHeader(length, fix: nil, fixLimit: -1, formats: (0xc7, 0xc8, 0xc9))
        }
        bytes.append(UInt8(bitPattern: type))
        bytes.append(contentsOf: data)
    }

    /// Writes the timestamp extension (type -1) in the smallest of timestamp 32/64/96.
    /// - Parameters:
    ///   - seconds: seconds since 1970-01-01T00:00:00Z (may be negative).
    ///   - nanoseconds: nanoseconds added to `seconds`; values of one second or more
    ///     carry into `seconds` (saturating at the `Int64` limits).
    public mutating func writeTimestamp(seconds: Int64, nanoseconds: UInt32) {
        var seconds = seconds
        var nanoseconds = nanoseconds
        if nanoseconds >= 1_000_000_000 {
            let (sum, overflow) = seconds.addingReportingOverflow(Int64(nanoseconds / 1_000_000_000))
            seconds = overflow ? .max : sum
            nanoseconds = overflow ? 999_999_999 : nanoseconds % 1_000_000_000
        }
        if seconds >= 0, seconds >> 34 == 0 {
            let unsignedSeconds = UInt64(seconds.magnitude)
            if nanoseconds == 0, unsignedSeconds <= UInt64(UInt32.max) {
                bytes.append(contentsOf: [0xd6, 0xff])
                appendBigEndian(UInt32(truncatingIfNeeded: unsignedSeconds))
            } else {
                bytes.append(contentsOf: [0xd7, 0xff])
                appendBigEndian(UInt64(nanoseconds) << 34 | unsignedSeconds)
            }
        } else {
            bytes.append(contentsOf: [0xc7, 12, 0xff])
            appendBigEndian(nanoseconds)
            appendBigEndian(UInt64(bitPattern: seconds))
        }
    }

    /// Appends bytes that already hold complete MessagePack values, unchanged.
    public mutating func writeRaw(_ bytes: some Collection<UInt8>) {
        self.bytes.append(contentsOf: bytes)
    }

    /// Writes a value tree. Integers use their smallest format whatever the case,
    /// so `.int(5)` is written as the positive fixint 0x05.
    public mutating func write(_ value: MessagePackValue) {
        switch value {
        case .nil: writeNil()
        case .bool(let bool): write(bool)
        case .int(let int): write(int)
        case .uint(let uint): write(uint)
        case .float(let float): write(float)
        case .double(let double): write(double)
        case .string(let string): write(string)
        case .binary(let binary): writeBinary(binary)
        case .array(let elements):
            writeArrayHeader(elements.count)
            for element in elements { write(element) }
        case .map(let pairs):
            writeMapHeader(pairs.count)
            for pair in pairs {
                write(pair.key)
                write(pair.value)
            }
        case .timestamp(let seconds, let nanoseconds): writeTimestamp(seconds: seconds, nanoseconds: nanoseconds)
        case .ext(let type, let data): writeExtension(type: type, data: data)
        }
    }

    /// Writes a length in the fix format when it fits (`fix` is nil when the type has none),
    /// else in the 8-, 16- or 32-bit format (a nil 8-bit format means the type has none).
    private mutating func writeLengthHeader(
        _ length: Int, fix: UInt8?, fixLimit: Int, formats: (UInt8?, UInt8, UInt8)
    ) {
        precondition(length >= 0 && UInt64(length) <= UInt64(UInt32.max), "MessagePack lengths are limited to UInt32.max")
        if let fix, length <= fixLimit {
            bytes.append(fix | UInt8(truncatingIfNeeded: length))
        } else if let format8 = formats.0, length <= Int(UInt8.max) {
            bytes.append(format8)
            bytes.append(UInt8(truncatingIfNeeded: length))
        } else if length <= Int(UInt16.max) {
            bytes.append(formats.1)
            appendBigEndian(UInt16(truncatingIfNeeded: length))
        } else {
            bytes.append(formats.2)
            appendBigEndian(UInt32(truncatingIfNeeded: length))
        }
    }

    private mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
            shift -= 8
        }
    }
}

// Used by MessagePackEncoder, which learns a container's element count only after
// writing its elements.
extension MessagePackWriter {
    /// Appends a one-byte placeholder for an array or map header and returns its offset.
    mutating func reserveContainerHeader() -> Int {
        bytes.append(0xc0)
        return bytes.count - 1
    }

    /// Replaces the placeholder at `offset` with the smallest header for `count`,
    /// shifting the elements after it when the header needs more than one byte.
    mutating func patchContainerHeader(at offset: Int, count: Int, isMap: Bool) {
        if count <= 15 {
            bytes[offset] = (isMap ? 0x80 : 0x90) | UInt8(truncatingIfNeeded: count)
            return
        }
        var header = MessagePackWriter(reservingCapacity: 5)
        if isMap { header.writeMapHeader(count) } else { header.writeArrayHeader(count) }
        bytes.replaceSubrange(offset..<offset + 1, with: header.bytes)
    }

    /// Inserts already-encoded bytes at `offset`.
    mutating func insert(_ other: [UInt8], at offset: Int) {
        bytes.insert(contentsOf: other, at: offset)
    }

    /// Drops everything written after the first `count` bytes.
    mutating func truncate(to count: Int) {
        if count < bytes.count { bytes.removeSubrange(count...) }
    }
}
