// Whole values: skipping and reading a value tree. Both recurse once per nesting
// level, which `maxDepth` (at most `maximumDepthLimit`) bounds.
extension MessagePackReader {
    /// Skips one complete value, including everything nested in it.
    ///
    /// Skipping checks structure only: string contents are not validated as UTF-8.
    /// - Returns: the value's absolute byte range in the slice's base array.
    /// - Throws: ``MessagePackError/truncated``, ``MessagePackError/invalidFormat(_:)`` or
    ///   ``MessagePackError/depthLimitExceeded``.
    public mutating func skipValue() throws(MessagePackError) -> Range<Int> {
        let start = index
        do throws(MessagePackError) {
            try skipOne(depth: 0)
            return start..<index
        } catch {
            index = start
            throw error
        }
    }

    /// Reads one complete value as a tree.
    /// - Throws: any ``MessagePackError`` the value's bytes call for.
    public mutating func readValue() throws(MessagePackError) -> MessagePackValue {
        let start = index
        do throws(MessagePackError) {
            return try readOne(depth: 0)
        } catch {
            index = start
            throw error
        }
    }

    private mutating func skipOne(depth: Int) throws(MessagePackError) {
        let format = try readByte()
        switch format {
        case 0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3:
            return
        case 0x80...0x8f:
            try skipContainer(count: Int(format & 0x0f), isMap: true, depth: depth)
        case 0x90...0x9f:
            try skipContainer(count: Int(format & 0x0f), isMap: false, depth: depth)
        case 0xa0...0xbf:
            _ = try take(Int(format & 0x1f))
        case 0xc1:
            throw .invalidFormat(format)
        case 0xc4...0xc6:
            _ = try take(try readLength(width: format - 0xc4))
        case 0xd9...0xdb:
            _ = try take(try readLength(width: format - 0xd9))
        case 0xc7...0xc9:
            // The type byte, then the payload.
            let length = try readLength(width: format - 0xc7)
            _ = try take(1)
            _ = try take(length)
        case 0xd4...0xd8:
            _ = try take(1 + (1 << Int(format - 0xd4)))
        case 0xca, 0xce, 0xd2:
            _ = try take(4)
        case 0xcb, 0xcf, 0xd3:
            _ = try take(8)
        case 0xcc, 0xd0:
            _ = try take(1)
        case 0xcd, 0xd1:
            _ = try take(2)
        case 0xdc, 0xdd:
            try skipContainer(count: try readLength(width: format - 0xdb), isMap: false, depth: depth)
        default:  // 0xde, 0xdf
            try skipContainer(count: try readLength(width: format - 0xdd), isMap: true, depth: depth)
        }
    }

    private mutating func skipContainer(count: Int, isMap: Bool, depth: Int) throws(MessagePackError) {
        guard depth < maxDepth else { throw .depthLimitExceeded }
        let elements = try Self.elementCount(count, isMap: isMap, remaining: remainingCount)
        for _ in 0..<elements {
            try skipOne(depth: depth + 1)
        }
    }

    /// The number of values a container holds, after checking that the input can hold
    /// them (each takes at least one byte) so that a declared count cannot make a loop
    /// or an allocation larger than the input.
    private static func elementCount(_ count: Int, isMap: Bool, remaining: Int) throws(MessagePackError) -> Int {
        guard count <= (isMap ? remaining / 2 : remaining) else { throw .truncated }
        return isMap ? count * 2 : count
    }

    private mutating func readOne(depth: Int) throws(MessagePackError) -> MessagePackValue {
        let format = try peekFormatByte()
        switch format {
        case 0xc0:
            index += 1
            return .nil
        case 0xc2, 0xc3:
            return .bool(try readBool())
        case 0x00...0x7f, 0xcc...0xd3, 0xe0...0xff:
            switch try readIntegerValue() {
            case .signed(let value): return .int(value)
            case .unsigned(let value): return .uint(value)
            }
        case 0xca:
            return .float(try readFloat())
        case 0xcb:
            return .double(try readDouble())
        case 0xa0...0xbf, 0xd9...0xdb:
            return .string(try readString())
        case 0xc4...0xc6:
            return .binary(try readBinary())
        case 0x90...0x9f, 0xdc, 0xdd:
            guard depth < maxDepth else { throw .depthLimitExceeded }
            let count = try readArrayHeader()
            var elements: [MessagePackValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try readOne(depth: depth + 1))
            }
            return .array(elements)
        case 0x80...0x8f, 0xde, 0xdf:
            guard depth < maxDepth else { throw .depthLimitExceeded }
            let count = try readMapHeader()
            var pairs: [MessagePackValue.Pair] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let key = try readOne(depth: depth + 1)
                pairs.append(MessagePackValue.Pair(key, try readOne(depth: depth + 1)))
            }
            return .map(pairs)
        case 0xc7...0xc9, 0xd4...0xd8:
            let (type, range) = try readExtensionRange()
            if type == -1 {
                let (seconds, nanoseconds) = try timestamp(in: range)
                return .timestamp(seconds: seconds, nanoseconds: nanoseconds)
            }
            return .ext(type: type, data: Array(bytes[range]))
        default:  // 0xc1
            throw .invalidFormat(format)
        }
    }
}
