/// Reads MessagePack values one at a time from a byte slice.
///
/// The reader is safe on hostile input: it never traps, every loop is bounded by the
/// input length, and declared lengths are checked against the remaining bytes before
/// anything is allocated. Arrays and maps nested deeper than `maxDepth` throw
/// ``MessagePackError/depthLimitExceeded``.
///
/// When a read throws, ``index`` is back where that read started, so a caller that ran
/// out of input can retry once more bytes arrive.
public struct MessagePackReader: Sendable {
    /// The input; indices are those of the slice's base array.
    let bytes: ArraySlice<UInt8>
    /// The most arrays and maps that may be nested in one value.
    public let maxDepth: Int
    /// The absolute index (in the slice's base) of the next byte to read.
    public internal(set) var index: Int

    /// The largest accepted `maxDepth`: reading and decoding recurse once per level,
    /// and this keeps that recursion well inside a secondary thread's stack.
    public static let maximumDepthLimit = 1_000

    /// Creates a reader positioned at the start of `bytes`.
    /// - Parameters:
    ///   - bytes: the input; ``index`` values refer to its base array.
    ///   - maxDepth: the most arrays and maps that may be nested in one value
    ///     (clamped to 0...``maximumDepthLimit``).
    public init(_ bytes: ArraySlice<UInt8>, maxDepth: Int = 100) {
        self.bytes = bytes
        self.maxDepth = min(max(maxDepth, 0), Self.maximumDepthLimit)
        self.index = bytes.startIndex
    }

    /// Creates a reader positioned at the start of `bytes`.
    public init(_ bytes: [UInt8], maxDepth: Int = 100) {
        self.init(bytes[...], maxDepth: maxDepth)
    }

    /// Creates a reader over `bytes` positioned at the absolute index `index`.
    init(_ bytes: ArraySlice<UInt8>, maxDepth: Int, at index: Int) {
        self.init(bytes, maxDepth: maxDepth)
        self.index = index
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { index >= bytes.endIndex }

    /// The number of bytes not read yet.
    public var remainingCount: Int { bytes.endIndex - index }

    /// The format byte of the next value, without consuming it.
    /// - Throws: ``MessagePackError/truncated`` at the end of the input.
    public func peekFormatByte() throws(MessagePackError) -> UInt8 {
        guard index < bytes.endIndex else { throw .truncated }
        return bytes[index]
    }

    /// Whether the next value is `nil`, without consuming it.
    /// - Throws: ``MessagePackError/truncated`` at the end of the input.
    public mutating func peekIsNil() throws(MessagePackError) -> Bool {
        try peekFormatByte() == 0xc0
    }

    /// Consumes a `nil`.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for any other value.
    public mutating func readNil() throws(MessagePackError) {
        let format = try peekFormatByte()
        guard format == 0xc0 else { throw Self.mismatch("nil", format) }
        index += 1
    }

    /// Reads `true` or `false`.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for any other value.
    public mutating func readBool() throws(MessagePackError) -> Bool {
        let format = try peekFormatByte()
        switch format {
        case 0xc2: index += 1; return false
        case 0xc3: index += 1; return true
        default: throw Self.mismatch("bool", format)
        }
    }

    /// Reads an integer stored in any int or uint format.
    /// - Throws: ``MessagePackError/integerOverflow`` when it is above `Int64.max`.
    public mutating func readInt64() throws(MessagePackError) -> Int64 {
        try readInteger(Int64.self)
    }

    /// Reads an integer stored in any int or uint format.
    /// - Throws: ``MessagePackError/integerOverflow`` when it is negative.
    public mutating func readUInt64() throws(MessagePackError) -> UInt64 {
        try readInteger(UInt64.self)
    }

    /// Reads an integer stored in any int or uint format as `T`.
    /// - Throws: ``MessagePackError/integerOverflow`` when the value does not fit in `T`,
    ///   ``MessagePackError/typeMismatch(expected:found:)`` when it is not an integer.
    public mutating func readInteger<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(MessagePackError) -> T {
        let start = index
        let converted: T?
        switch try readIntegerValue() {
        case .signed(let value): converted = T(exactly: value)
        case .unsigned(let value): converted = T(exactly: value)
        }
        guard let converted else {
            index = start
            throw .integerOverflow
        }
        return converted
    }

    /// Reads any number (float 32, float 64 or an integer) as a `Double`.
    /// Integers beyond 2^53 are rounded.
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for other types.
    public mutating func readDouble() throws(MessagePackError) -> Double {
        let start = index
        let format = try peekFormatByte()
        switch format {
        case 0xca, 0xcb:
            index += 1
            do throws(MessagePackError) {
                if format == 0xca { return Double(Float(bitPattern: try readBigEndian(UInt32.self))) }
                return Double(bitPattern: try readBigEndian(UInt64.self))
            } catch {
                index = start
                throw error
            }
        default:
            guard Self.isInteger(format) else { throw Self.mismatch("number", format) }
            switch try readIntegerValue() {
            case .signed(let value): return Double(value)
            case .unsigned(let value): return Double(value)
            }
        }
    }

    /// Reads any number as a `Float`, rounding float 64 and large integers to the nearest
    /// `Float` (a finite float 64 beyond `Float`'s range becomes infinity).
    /// - Throws: ``MessagePackError/typeMismatch(expected:found:)`` for other types.
    public mutating func readFloat() throws(MessagePackError) -> Float {
        let start = index
        if try peekFormatByte() == 0xca {
            index += 1
            do throws(MessagePackError) {
                return Float(bitPattern: try readBigEndian(UInt32.self))
            } catch {
                index = start
                throw error
            }
        }
        return Float(try readDouble())
    }
}

// Building blocks. These advance `index` as they go and leave restoring it on failure
// to the public methods.
extension MessagePackReader {
    /// An integer as stored: int formats are signed, uint formats and positive fixint unsigned.
    enum IntegerValue {
        case signed(Int64)
        case unsigned(UInt64)
    }

    static func isInteger(_ format: UInt8) -> Bool {
        format <= 0x7f || format >= 0xe0 || (0xcc...0xd3).contains(format)
    }

    /// The error for a value of the wrong kind; 0xc1 is reported as invalid rather than
    /// as a mismatch because it is never a value at all.
    static func mismatch(_ expected: String, _ format: UInt8) -> MessagePackError {
        format == 0xc1 ? .invalidFormat(format) : .typeMismatch(expected: expected, found: format)
    }

    /// Reads an integer without range conversion; restores `index` on failure.
    mutating func readIntegerValue() throws(MessagePackError) -> IntegerValue {
        let start = index
        do throws(MessagePackError) {
            let format = try readByte()
            switch format {
            case 0x00...0x7f: return .unsigned(UInt64(format))
            case 0xe0...0xff: return .signed(Int64(Int8(bitPattern: format)))
            case 0xcc: return .unsigned(UInt64(try readBigEndian(UInt8.self)))
            case 0xcd: return .unsigned(UInt64(try readBigEndian(UInt16.self)))
            case 0xce: return .unsigned(UInt64(try readBigEndian(UInt32.self)))
            case 0xcf: return .unsigned(try readBigEndian(UInt64.self))
            case 0xd0: return .signed(Int64(Int8(bitPattern: try readBigEndian(UInt8.self))))
            case 0xd1: return .signed(Int64(Int16(bitPattern: try readBigEndian(UInt16.self))))
            case 0xd2: return .signed(Int64(Int32(bitPattern: try readBigEndian(UInt32.self))))
            case 0xd3: return .signed(Int64(bitPattern: try readBigEndian(UInt64.self)))
            default: throw Self.mismatch("integer", format)
            }
        } catch {
            index = start
            throw error
        }
    }

    mutating func readByte() throws(MessagePackError) -> UInt8 {
        guard index < bytes.endIndex else { throw .truncated }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(MessagePackError) -> T {
        let size = T.bitWidth / 8
        guard remainingCount >= size else { throw .truncated }
        defer { index += size }
        return loadBigEndian(T.self, at: index)
    }

    /// Loads an integer from bytes already known to be in range.
    func loadBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for position in offset..<offset + T.bitWidth / 8 {
            value = value << 8 | T(bytes[position])
        }
        return value
    }

    /// Consumes `count` bytes and returns their range.
    /// - Throws: ``MessagePackError/truncated`` when fewer remain.
    mutating func take(_ count: Int) throws(MessagePackError) -> Range<Int> {
        guard count <= remainingCount else { throw .truncated }
        defer { index += count }
        return index..<index + count
    }

    /// A 32-bit length as `Int`; one that does not fit cannot be satisfied by the input anyway.
    static func length(_ value: UInt32) throws(MessagePackError) -> Int {
        guard let length = Int(exactly: value) else { throw .truncated }
        return length
    }

    /// Reads the 8/16/32-bit length that follows the format bytes of the sized formats;
    /// `width` is 0, 1 or 2 for 8, 16 and 32 bits.
    mutating func readLength(width: UInt8) throws(MessagePackError) -> Int {
        switch width {
        case 0: return Int(try readBigEndian(UInt8.self))
        case 1: return Int(try readBigEndian(UInt16.self))
        default: return try Self.length(try readBigEndian(UInt32.self))
        }
    }
}
