import Foundation

// Types read straight from the bytes: the standard primitives and the Foundation types
// with a MessagePack form of their own.
extension MessagePackDecodingContext {
    /// Decodes `T` directly when it has a native form; nil when `T` must use `init(from:)`.
    func decodeNative<T, K: CodingKey>(
        _ type: T.Type, from reader: inout MessagePackReader, path: [any CodingKey], key: K?
    ) throws -> T? {
        // Metatype comparisons fold away in specialized code and are cheap otherwise.
        if T.self == String.self { return try decodeString(from: &reader, path, key) as? T }
        if T.self == Int.self { return try decodeInteger(Int.self, from: &reader, path, key) as? T }
        if T.self == Bool.self { return try decodeBool(from: &reader, path, key) as? T }
        if T.self == Double.self { return try decodeDouble(from: &reader, path, key) as? T }
        if T.self == Float.self { return try decodeFloat(from: &reader, path, key) as? T }
        if T.self == Int64.self { return try decodeInteger(Int64.self, from: &reader, path, key) as? T }
        if T.self == Int32.self { return try decodeInteger(Int32.self, from: &reader, path, key) as? T }
        if T.self == Int16.self { return try decodeInteger(Int16.self, from: &reader, path, key) as? T }
        if T.self == Int8.self { return try decodeInteger(Int8.self, from: &reader, path, key) as? T }
        if T.self == UInt.self { return try decodeInteger(UInt.self, from: &reader, path, key) as? T }
        if T.self == UInt64.self { return try decodeInteger(UInt64.self, from: &reader, path, key) as? T }
        if T.self == UInt32.self { return try decodeInteger(UInt32.self, from: &reader, path, key) as? T }
        if T.self == UInt16.self { return try decodeInteger(UInt16.self, from: &reader, path, key) as? T }
        if T.self == UInt8.self { return try decodeInteger(UInt8.self, from: &reader, path, key) as? T }
        if T.self == Date.self { return try decodeDate(from: &reader, path, key) as? T }
        if T.self == Data.self { return try decodeData(from: &reader, path, key) as? T }
        if T.self == URL.self { return try decodeURL(from: &reader, path, key) as? T }
        if T.self == Decimal.self { return try decodeDecimal(from: &reader, path, key) as? T }
        return nil
    }

    func decodeBool<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Bool {
        try read(Bool.self, &reader, path, key) { reader throws(MessagePackError) in try reader.readBool() }
    }

    func decodeString<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> String {
        try read(String.self, &reader, path, key) { reader throws(MessagePackError) in try reader.readString() }
    }

    func decodeDouble<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Double {
        try read(Double.self, &reader, path, key) { reader throws(MessagePackError) in try reader.readDouble() }
    }

    /// Any number as a `Float`; a finite value beyond `Float`'s range is an error rather
    /// than infinity.
    func decodeFloat<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Float {
        let double = try read(Float.self, &reader, path, key) { reader throws(MessagePackError) in
            try reader.readDouble()
        }
        let float = Float(double)
        guard float.isFinite || !double.isFinite else {
            throw corrupted("Number \(double) does not fit in Float.", path, key)
        }
        return float
    }

    /// Any int or uint format whose value fits in `I`.
    func decodeInteger<I: FixedWidthInteger, K: CodingKey>(
        _ type: I.Type, from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> I {
        let value = try read(I.self, &reader, path, key) { reader throws(MessagePackError) in
            try reader.readIntegerValue()
        }
        switch value {
        case .signed(let number):
            if let converted = I(exactly: number) { return converted }
            throw corrupted("Number \(number) does not fit in \(I.self).", path, key)
        case .unsigned(let number):
            if let converted = I(exactly: number) { return converted }
            throw corrupted("Number \(number) does not fit in \(I.self).", path, key)
        }
    }

    /// A timestamp extension, a number of seconds since 1970, or an ISO-8601 string.
    func decodeDate<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Date {
        let format = try read(Date.self, &reader, path, key) { reader throws(MessagePackError) in
            try reader.peekFormatByte()
        }
        switch format {
        case 0xc7...0xc9, 0xd4...0xd8:
            let (seconds, nanoseconds) = try read(Date.self, &reader, path, key) { reader throws(MessagePackError) in
                try reader.readTimestamp()
            }
            return MessagePackTimestamp.date(seconds: seconds, nanoseconds: nanoseconds)
        case 0xa0...0xbf, 0xd9...0xdb:
            let text = try decodeString(from: &reader, path, key)
            guard let date = Self.parseISO8601(text) else {
                throw corrupted("Expected an ISO-8601 date but found \"\(text.prefix(64))\".", path, key)
            }
            return date
        default:
            let seconds = try read(Date.self, &reader, path, key) { reader throws(MessagePackError) in
                try reader.readDouble()
            }
            guard seconds.isFinite else { throw corrupted("Date seconds \(seconds) are not finite.", path, key) }
            return Date(timeIntervalSince1970: seconds)
        }
    }

    private static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// Bin or str bytes.
    func decodeData<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Data {
        let range = try read(Data.self, &reader, path, key) { reader throws(MessagePackError) in
            try reader.readBinaryRange()
        }
        return Data(bytes[range])
    }

    func decodeURL<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> URL {
        let text = try read(URL.self, &reader, path, key) { reader throws(MessagePackError) in try reader.readString() }
        guard let url = URL(string: text) else {
            throw corrupted("Invalid URL string \"\(text.prefix(64))\".", path, key)
        }
        return url
    }

    /// A decimal string (what the encoder writes) or any number.
    func decodeDecimal<K: CodingKey>(
        from reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?
    ) throws -> Decimal {
        let format = try read(Decimal.self, &reader, path, key) { reader throws(MessagePackError) in
            try reader.peekFormatByte()
        }
        switch format {
        case 0xa0...0xbf, 0xd9...0xdb:
            let text = try decodeString(from: &reader, path, key)
            guard let decimal = Decimal(string: text) else {
                throw corrupted("Invalid decimal string \"\(text.prefix(64))\".", path, key)
            }
            return decimal
        case 0xca, 0xcb:
            let double = try decodeDouble(from: &reader, path, key)
            guard double.isFinite else { throw corrupted("Number \(double) is not a finite Decimal.", path, key) }
            return Decimal(double)
        default:
            let value = try read(Decimal.self, &reader, path, key) { reader throws(MessagePackError) in
                try reader.readIntegerValue()
            }
            switch value {
            case .signed(let number): return Decimal(number)
            case .unsigned(let number): return Decimal(number)
            }
        }
    }

    private func corrupted<K: CodingKey>(_ message: String, _ path: [any CodingKey], _ key: K?) -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: Self.path(path, key), debugDescription: message))
    }
}
