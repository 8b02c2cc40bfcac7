import Foundation

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
    /// - Throws: as the `ArraySlice` overload.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(T.self, from: bytes[...])
    }

    /// Decodes the next value of `reader` and moves the reader past it; bytes after the
    /// value are left for the caller. Uses the reader's `maxDepth`.
    /// - Throws: as the `ArraySlice` overload; `reader` does not move then.
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
        return try context.decode(T.self, from: &reader, path: { [] }, advance: false)
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
    /// Runs one reader operation, turning its error into a `DecodingError` at `path`.
    func read<R>(
        _ type: Any.Type, _ reader: inout MessagePackReader, _ path: [any CodingKey],
        _ body: (inout MessagePackReader) throws(MessagePackError) -> R
    ) throws -> R {
        do {
            return try body(&reader)
        } catch {
            throw MessagePackNativeFailure.decodingError(MessagePackNativeFailure.reader(error), type, path)
        }
    }

    /// Decodes a `T` from `reader`: natively when `T` has a MessagePack form, else through
    /// `T.init(from:)`.
    /// - Parameters:
    ///   - path: the value's coding path, built only for errors and `init(from:)`.
    ///   - advance: whether `reader` must end up after the value; only an array needs
    ///     that, and it costs `init(from:)` values an extra pass over their bytes.
    func decode<T: Decodable>(
        _ type: T.Type, from reader: inout MessagePackReader, path: () -> [any CodingKey], advance: Bool
    ) throws -> T {
        // `unsafeBitCast` only ever converts a type to itself here (each branch checks
        // `T.self` first); unlike `as? T` it costs nothing when this code runs
        // unspecialized, as it does for the elements of `[Int]` or `[String]`.
        do {
            if T.self == String.self { return unsafeBitCast(try decodeString(from: &reader), to: T.self) }
            if T.self == Int.self { return unsafeBitCast(try decodeInteger(Int.self, from: &reader), to: T.self) }
            if T.self == Bool.self { return unsafeBitCast(try decodeBool(from: &reader), to: T.self) }
            if T.self == Double.self { return unsafeBitCast(try decodeDouble(from: &reader), to: T.self) }
            if T.self == Float.self { return unsafeBitCast(try decodeFloat(from: &reader), to: T.self) }
            if T.self == Int64.self { return unsafeBitCast(try decodeInteger(Int64.self, from: &reader), to: T.self) }
            if T.self == Int32.self { return unsafeBitCast(try decodeInteger(Int32.self, from: &reader), to: T.self) }
            if T.self == Int16.self { return unsafeBitCast(try decodeInteger(Int16.self, from: &reader), to: T.self) }
            if T.self == Int8.self { return unsafeBitCast(try decodeInteger(Int8.self, from: &reader), to: T.self) }
            if T.self == UInt.self { return unsafeBitCast(try decodeInteger(UInt.self, from: &reader), to: T.self) }
            if T.self == UInt64.self { return unsafeBitCast(try decodeInteger(UInt64.self, from: &reader), to: T.self) }
            if T.self == UInt32.self { return unsafeBitCast(try decodeInteger(UInt32.self, from: &reader), to: T.self) }
            if T.self == UInt16.self { return unsafeBitCast(try decodeInteger(UInt16.self, from: &reader), to: T.self) }
            if T.self == UInt8.self { return unsafeBitCast(try decodeInteger(UInt8.self, from: &reader), to: T.self) }
            if T.self == Date.self { return unsafeBitCast(try decodeDate(from: &reader), to: T.self) }
            if T.self == Data.self { return unsafeBitCast(try decodeData(from: &reader), to: T.self) }
            if T.self == URL.self { return unsafeBitCast(try decodeURL(from: &reader), to: T.self) }
            if T.self == Decimal.self { return unsafeBitCast(try decodeDecimal(from: &reader), to: T.self) }
            if T.self == JSONValue.self { return unsafeBitCast(try decodeJSONValue(from: &reader), to: T.self) }
        } catch {
            throw MessagePackNativeFailure.decodingError(error, T.self, path())
        }
        let offset = reader.index
        if advance {
            _ = try read(T.self, &reader, path()) { reader throws(MessagePackError) in try reader.skipValue() }
        }
        return try T(from: MessagePackValueDecoder(context: self, offset: offset, codingPath: path()))
    }
}
