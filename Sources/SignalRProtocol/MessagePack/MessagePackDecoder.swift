/// Decodes `Decodable` values from MessagePack, reading straight from the bytes (no
/// intermediate ``MessagePackValue`` tree).
///
/// - The whole input is first checked for structure (lengths, depth, unused formats),
///   so malformed bytes throw ``MessagePackError`` before any `init(from:)` runs, and
///   bytes after the top-level value throw ``MessagePackError/trailingBytes``.
/// - Shape problems throw `DecodingError` with the coding path: `keyNotFound`,
///   `typeMismatch`, `valueNotFound` for an unexpected `nil`, and `dataCorrupted` for
///   an integer that does not fit its type, invalid UTF-8 or a bad timestamp.
/// - Keyed containers read maps; keys may be strings or integers, unknown keys are
///   ignored. Unkeyed containers read arrays.
/// - Integer types accept every int and uint format whose value fits; `Float` and
///   `Double` accept any number. `Date` accepts the timestamp extension (32/64/96), a
///   number of seconds since 1970 or an ISO-8601 string; `Data` accepts bin or str;
///   `URL` a string; `Decimal` a string or any number.
public struct MessagePackDecoder: Sendable {
    /// The most arrays and maps that may be nested in the input (see
    /// ``MessagePackReader/maximumDepthLimit``).
    public var maxDepth: Int
    /// Values passed to every `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates a decoder.
    /// - Parameter maxDepth: the most arrays and maps that may be nested in the input.
    public init(maxDepth: Int = 100) {
        self.maxDepth = maxDepth
    }

    /// Decodes a value from `bytes`, which must hold exactly one MessagePack value.
    /// - Throws: ``MessagePackError`` for malformed input, `DecodingError` when the
    ///   value does not have the shape `T` expects.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws -> T {
        var reader = MessagePackReader(bytes, maxDepth: maxDepth)
        let range = try reader.skipValue()
        guard reader.isAtEnd else { throw MessagePackError.trailingBytes }
        return try decodeValidated(T.self, in: bytes, maxDepth: reader.maxDepth, at: range.lowerBound)
    }

    /// Decodes a value from `bytes`, which must hold exactly one MessagePack value.
    /// - Throws: as ``decode(_:from:)-(_,ArraySlice<UInt8>)``.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(T.self, from: bytes[...])
    }

    /// Decodes the next value of `reader` and moves the reader past it; bytes after the
    /// value are left for the caller. Uses the reader's `maxDepth`.
    /// - Throws: as ``decode(_:from:)-(_,ArraySlice<UInt8>)``; `reader` does not move then.
    public func decode<T: Decodable>(_ type: T.Type, from reader: inout MessagePackReader) throws -> T {
        var probe = reader
        let range = try probe.skipValue()
        let value = try decodeValidated(T.self, in: reader.bytes, maxDepth: reader.maxDepth, at: range.lowerBound)
        reader = probe
        return value
    }

    private func decodeValidated<T: Decodable>(
        _ type: T.Type, in bytes: ArraySlice<UInt8>, maxDepth: Int, at offset: Int
    ) throws -> T {
        let context = MessagePackDecodingContext(bytes: bytes, maxDepth: maxDepth, userInfo: userInfo)
        var reader = context.reader(at: offset)
        return try context.decode(T.self, from: &reader, path: [], key: nil as MessagePackCodingKey?)
    }
}

/// State shared by every decoder and container of one `decode` call.
final class MessagePackDecodingContext {
    /// The input, already checked for structure.
    let bytes: ArraySlice<UInt8>
    let maxDepth: Int
    let userInfo: [CodingUserInfoKey: Any]

    init(bytes: ArraySlice<UInt8>, maxDepth: Int, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.userInfo = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 as Any }
    }

    func reader(at offset: Int) -> MessagePackReader {
        MessagePackReader(bytes, maxDepth: maxDepth, at: offset)
    }
}

/// The `Decoder` for the value that starts at `offset`.
struct MessagePackValueDecoder: Decoder {
    let context: MessagePackDecodingContext
    let offset: Int
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(
            try MessagePackKeyedDecodingContainer<Key>(context: context, offset: offset, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try MessagePackUnkeyedDecodingContainer(context: context, offset: offset, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        MessagePackSingleValueDecodingContainer(context: context, offset: offset, codingPath: codingPath)
    }
}

extension MessagePackDecodingContext {
    /// `base` plus `key`, built only when a path is actually needed.
    static func path<K: CodingKey>(_ base: [any CodingKey], _ key: K?) -> [any CodingKey] {
        guard let key else { return base }
        return base + [key]
    }

    /// The `DecodingError` for a reader error met while decoding a `type` value at `path`.
    static func decodingError(_ error: MessagePackError, _ type: Any.Type, _ path: [any CodingKey]) -> DecodingError {
        switch error {
        case .typeMismatch(_, 0xc0):
            return DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: path, debugDescription: "Expected \(type) value but found nil."))
        case .typeMismatch(_, let found):
            return DecodingError.typeMismatch(
                type, DecodingError.Context(
                    codingPath: path,
                    debugDescription: "Expected to decode \(type) but found \(MessagePackFormat.describe(found)).",
                    underlyingError: error))
        default:
            return DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: path, debugDescription: "\(error) (decoding \(type)).", underlyingError: error))
        }
    }

    /// Runs one reader operation, turning its error into a `DecodingError`.
    func read<R, K: CodingKey>(
        _ type: Any.Type, _ reader: inout MessagePackReader, _ path: [any CodingKey], _ key: K?,
        _ body: (inout MessagePackReader) throws(MessagePackError) -> R
    ) throws -> R {
        do {
            return try body(&reader)
        } catch {
            throw Self.decodingError(error, type, Self.path(path, key))
        }
    }

    /// Decodes a `T` from `reader`, moving it past the value: natively when `T` has a
    /// MessagePack form, else through `T.init(from:)`.
    func decode<T: Decodable, K: CodingKey>(
        _ type: T.Type, from reader: inout MessagePackReader, path: [any CodingKey], key: K?
    ) throws -> T {
        if let value = try decodeNative(T.self, from: &reader, path: path, key: key) { return value }
        let offset = reader.index
        _ = try read(T.self, &reader, path, key) { reader throws(MessagePackError) in try reader.skipValue() }
        let decoder = MessagePackValueDecoder(context: self, offset: offset, codingPath: Self.path(path, key))
        return try T(from: decoder)
    }
}
