/// One MessagePack value of any type, as a tree.
///
/// Reading never merges integer cases: non-negative values stored in positive fixint or
/// uint formats read as ``uint(_:)``, everything stored in int formats (and negative
/// fixint) as ``int(_:)``. So `.int(5)` and `.uint(5)` are different values even though
/// ``MessagePackWriter`` writes both as the same byte; compare numbers with
/// ``int64Value`` or ``uint64Value`` when the format should not matter.
public enum MessagePackValue: Sendable, Hashable {
    /// `nil` (0xc0).
    case `nil`
    /// `true` or `false`.
    case bool(Bool)
    /// A signed integer (negative fixint or int 8/16/32/64).
    case int(Int64)
    /// An unsigned integer (positive fixint or uint 8/16/32/64).
    case uint(UInt64)
    /// A float 32.
    case float(Float)
    /// A float 64.
    case double(Double)
    /// A UTF-8 string.
    case string(String)
    /// Binary data (bin 8/16/32).
    case binary([UInt8])
    /// An array.
    case array([MessagePackValue])
    /// A map, with its pairs in the order they were read or are to be written.
    case map([Pair])
    /// The timestamp extension (type -1): seconds since 1970-01-01T00:00:00Z plus
    /// nanoseconds (0..<1,000,000,000) added to them, also for negative seconds.
    case timestamp(seconds: Int64, nanoseconds: UInt32)
    /// Any other extension type with its payload bytes.
    case ext(type: Int8, data: [UInt8])

    /// One key-value pair of a map.
    public struct Pair: Sendable, Hashable {
        /// The key.
        public var key: MessagePackValue
        /// The value.
        public var value: MessagePackValue

        /// Creates a pair.
        public init(_ key: MessagePackValue, _ value: MessagePackValue) {
            self.key = key
            self.value = value
        }
    }
}

extension MessagePackValue {
    /// Whether this is ``nil``.
    public var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// The boolean, or nil for other types.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer as `Int64` from either integer case, or nil when it is not an
    /// integer or does not fit.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    /// The integer as `UInt64` from either integer case, or nil when it is not an
    /// integer or is negative.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let value): return UInt64(exactly: value)
        case .uint(let value): return value
        default: return nil
        }
    }

    /// Any number (integer or float) as a `Double`, or nil for other types.
    /// Integers beyond 2^53 are rounded.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .float(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The string, or nil for other types.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The binary bytes, or nil for other types.
    public var binaryValue: [UInt8]? {
        if case .binary(let value) = self { return value }
        return nil
    }

    /// The array elements, or nil for other types.
    public var arrayValue: [MessagePackValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The map pairs in order, or nil for other types.
    public var mapValue: [Pair]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The value of the first pair whose key is the string `key`, or nil when this is
    /// not a map or has no such key. Linear in the number of pairs.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let pairs) = self else { return nil }
        for pair in pairs {
            if case .string(let name) = pair.key, name == key { return pair.value }
        }
        return nil
    }
}

extension MessagePackValue: ExpressibleByNilLiteral {
    /// Creates ``nil``.
    public init(nilLiteral: ()) { self = .nil }
}

extension MessagePackValue: ExpressibleByBooleanLiteral {
    /// Creates ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MessagePackValue: ExpressibleByIntegerLiteral {
    /// Creates ``uint(_:)`` for non-negative literals and ``int(_:)`` for negative ones,
    /// matching what reading their smallest encoding gives back.
    public init(integerLiteral value: Int64) {
        self = value >= 0 ? .uint(UInt64(value.magnitude)) : .int(value)
    }
}

extension MessagePackValue: ExpressibleByFloatLiteral {
    /// Creates ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension MessagePackValue: ExpressibleByStringLiteral {
    /// Creates ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension MessagePackValue: ExpressibleByArrayLiteral {
    /// Creates ``array(_:)``.
    public init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
}

extension MessagePackValue: ExpressibleByDictionaryLiteral {
    /// Creates ``map(_:)`` keeping the literal's order (duplicate keys are kept too).
    public init(dictionaryLiteral elements: (MessagePackValue, MessagePackValue)...) {
        self = .map(elements.map { Pair($0.0, $0.1) })
    }
}
