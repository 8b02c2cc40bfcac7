import Foundation

/// Why a value with a native MessagePack form could not be decoded. The container that
/// asked turns it into a `DecodingError` with its coding path; keeping the path out of
/// these functions keeps them non-generic, which matters in unspecialized callers.
enum MessagePackNativeFailure: Error {
    case reader(MessagePackError)
    case corrupted(String)

    /// The `DecodingError` for `error` met while decoding a `type` value at `path`;
    /// errors of other kinds pass through.
    static func decodingError(_ error: any Error, _ type: Any.Type, _ path: [any CodingKey]) -> any Error {
        switch error as? MessagePackNativeFailure {
        case .reader(.typeMismatch(_, 0xc0)):
            return DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: path, debugDescription: "Expected \(type) value but found nil."))
        case .reader(let readerError):
            if case .typeMismatch(_, let found) = readerError {
                return DecodingError.typeMismatch(
                    type, DecodingError.Context(
                        codingPath: path,
                        debugDescription: "Expected to decode \(type) but found \(MessagePackFormat.describe(found)).",
                        underlyingError: readerError))
            }
            return DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: path, debugDescription: "\(readerError) (decoding \(type)).", underlyingError: readerError))
        case .corrupted(let message):
            return DecodingError.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: message))
        case nil:
            return error
        }
    }
}

// Types read straight from the bytes: the standard primitives and the Foundation types
// with a MessagePack form of their own.
extension MessagePackDecodingContext {
    typealias Failure = MessagePackNativeFailure

    func decodeBool(from reader: inout MessagePackReader) throws(Failure) -> Bool {
        do { return try reader.readBool() } catch { throw .reader(error) }
    }

    /// Any value, with the mapping ``JSONValue`` documents for what JSON has no form of.
    func decodeJSONValue(from reader: inout MessagePackReader) throws(Failure) -> JSONValue {
        do { return JSONValue(messagePack: try reader.readValue()) } catch { throw .reader(error) }
    }

    func decodeString(from reader: inout MessagePackReader) throws(Failure) -> String {
        do { return try reader.readString() } catch { throw .reader(error) }
    }

    func decodeDouble(from reader: inout MessagePackReader) throws(Failure) -> Double {
        do { return try reader.readDouble() } catch { throw .reader(error) }
    }

    /// Any number as a `Float`; a finite value beyond `Float`'s range is an error rather
    /// than infinity.
    func decodeFloat(from reader: inout MessagePackReader) throws(Failure) -> Float {
        let double = try decodeDouble(from: &reader)
        let float = Float(double)
        guard float.isFinite || !double.isFinite else { throw .corrupted("Number \(double) does not fit in Float.") }
        return float
    }

    /// Any int or uint format whose value fits in `I`.
    func decodeInteger<I: FixedWidthInteger>(_ type: I.Type, from reader: inout MessagePackReader) throws(Failure) -> I {
        let value: MessagePackReader.IntegerValue
        do { value = try reader.readIntegerValue() } catch { throw .reader(error) }
        switch value {
        case .signed(let number):
            if let converted = I(exactly: number) { return converted }
            throw .corrupted("Number \(number) does not fit in \(I.self).")
        case .unsigned(let number):
            if let converted = I(exactly: number) { return converted }
            throw .corrupted("Number \(number) does not fit in \(I.self).")
        }
    }

    /// A timestamp extension, a number of seconds since 1970, or an ISO-8601 string.
    func decodeDate(from reader: inout MessagePackReader) throws(Failure) -> Date {
        do {
            switch try reader.peekFormatByte() {
            case 0xc7...0xc9, 0xd4...0xd8:
                let (seconds, nanoseconds) = try reader.readTimestamp()
                return MessagePackTimestamp.date(seconds: seconds, nanoseconds: nanoseconds)
            case 0xa0...0xbf, 0xd9...0xdb:
                let text = try reader.readString()
                guard let date = Self.parseISO8601(text) else {
                    throw Failure.corrupted("Expected an ISO-8601 date but found \"\(text.prefix(64))\".")
                }
                return date
            default:
                let seconds = try reader.readDouble()
                guard seconds.isFinite else { throw Failure.corrupted("Date seconds \(seconds) are not finite.") }
                return Date(timeIntervalSince1970: seconds)
            }
        } catch let error as Failure {
            throw error
        } catch let error as MessagePackError {
            throw .reader(error)
        } catch {
            throw .corrupted("\(error)")
        }
    }

    private static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// Bin or str bytes.
    func decodeData(from reader: inout MessagePackReader) throws(Failure) -> Data {
        do { return Data(bytes[try reader.readBinaryRange()]) } catch { throw .reader(error) }
    }

    func decodeURL(from reader: inout MessagePackReader) throws(Failure) -> URL {
        let text = try decodeString(from: &reader)
        guard let url = URL(string: text) else { throw .corrupted("Invalid URL string \"\(text.prefix(64))\".") }
        return url
    }

    /// A decimal string (what the encoder writes) or any number.
    func decodeDecimal(from reader: inout MessagePackReader) throws(Failure) -> Decimal {
        let format: UInt8
        do { format = try reader.peekFormatByte() } catch { throw .reader(error) }
        switch format {
        case 0xa0...0xbf, 0xd9...0xdb:
            let text = try decodeString(from: &reader)
            guard let decimal = Decimal(string: text) else {
                throw .corrupted("Invalid decimal string \"\(text.prefix(64))\".")
            }
            return decimal
        case 0xca, 0xcb:
            let double = try decodeDouble(from: &reader)
            guard double.isFinite else { throw .corrupted("Number \(double) is not a finite Decimal.") }
            return Decimal(double)
        default:
            let value: MessagePackReader.IntegerValue
            do { value = try reader.readIntegerValue() } catch { throw .reader(error) }
            switch value {
            case .signed(let number): return Decimal(number)
            case .unsigned(let number): return Decimal(number)
            }
        }
    }
}
