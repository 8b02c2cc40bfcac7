import Foundation

// Values written without going through `encode(to:)`: the standard primitives (so that
// `[Int]` or `[String: String]` elements cost no encoder node) and the Foundation types
// with a MessagePack form of their own.
extension MessagePackEncodingNode {
    /// Writes `value` directly when its type has a native form.
    /// - Returns: false when `value` must be encoded through `encode(to:)`.
    static func writeNative<T: Encodable>(
        _ value: T, to writer: inout MessagePackWriter, path: () -> [any CodingKey]
    ) throws -> Bool {
        // `unsafeBitCast` only ever converts a type to itself here (each branch checks
        // `T.self` first); unlike `as?` it costs nothing when this code runs unspecialized,
        // as it does for the elements of `[Int]` or `[String]`. In specialized code the
        // whole chain folds to one branch.
        if T.self == String.self {
            writer.write(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            writer.write(Int64(unsafeBitCast(value, to: Int.self)))
        } else if T.self == Bool.self {
            writer.write(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            writer.write(unsafeBitCast(value, to: Double.self))
        } else if T.self == Float.self {
            writer.write(unsafeBitCast(value, to: Float.self))
        } else if T.self == Int64.self {
            writer.write(unsafeBitCast(value, to: Int64.self))
        } else if T.self == Int32.self {
            writer.write(Int64(unsafeBitCast(value, to: Int32.self)))
        } else if T.self == Int16.self {
            writer.write(Int64(unsafeBitCast(value, to: Int16.self)))
        } else if T.self == Int8.self {
            writer.write(Int64(unsafeBitCast(value, to: Int8.self)))
        } else if T.self == UInt.self {
            writer.write(UInt64(unsafeBitCast(value, to: UInt.self)))
        } else if T.self == UInt64.self {
            writer.write(unsafeBitCast(value, to: UInt64.self))
        } else if T.self == UInt32.self {
            writer.write(UInt64(unsafeBitCast(value, to: UInt32.self)))
        } else if T.self == UInt16.self {
            writer.write(UInt64(unsafeBitCast(value, to: UInt16.self)))
        } else if T.self == UInt8.self {
            writer.write(UInt64(unsafeBitCast(value, to: UInt8.self)))
        } else if T.self == Date.self {
            let value = unsafeBitCast(value, to: Date.self)
            guard let (seconds, nanoseconds) = MessagePackTimestamp.parts(of: value) else {
                // The error carries the interval, not the date: describing a NaN date traps
                // in Foundation, and errors get described.
                throw EncodingError.invalidValue(
                    value.timeIntervalSince1970, EncodingError.Context(
                        codingPath: path(),
                        debugDescription: "A date \(value.timeIntervalSince1970) s after 1970 does not fit in a MessagePack timestamp."))
            }
            writer.writeTimestamp(seconds: seconds, nanoseconds: nanoseconds)
        } else if T.self == Data.self {
            writer.writeBinary(unsafeBitCast(value, to: Data.self))
        } else if T.self == URL.self {
            writer.write(unsafeBitCast(value, to: URL.self).absoluteString)
        } else if T.self == Decimal.self {
            writer.write(unsafeBitCast(value, to: Decimal.self).description)
        } else {
            return false
        }
        return true
    }
}

/// Conversions between `Date` and the timestamp extension's seconds and nanoseconds.
enum MessagePackTimestamp {
    /// Seconds from 1970-01-01 to 2001-01-01, `Date`'s reference date.
    private static let referenceDateOffset: Int64 = 978_307_200

    /// The timestamp of `date`, rounded to the nearest nanosecond; nil when it is not finite
    /// or beyond `Int64` seconds.
    static func parts(of date: Date) -> (seconds: Int64, nanoseconds: UInt32)? {
        // Split the reference-date interval itself: its fraction is exact, whereas
        // `timeIntervalSince1970` would first round the sum.
        let interval = date.timeIntervalSinceReferenceDate
        guard interval.isFinite else { return nil }
        let whole = interval.rounded(.down)
        guard var seconds = Int64(exactly: whole) else { return nil }
        var nanoseconds = ((interval - whole) * 1_000_000_000).rounded()
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            seconds += 1
        }
        let (shifted, overflow) = seconds.addingReportingOverflow(referenceDateOffset)
        guard !overflow else { return nil }
        return (shifted, UInt32(nanoseconds))
    }

    /// The date of a timestamp (the nearest `Date`; `Date` holds a `Double`).
    static func date(seconds: Int64, nanoseconds: UInt32) -> Date {
        // The subtraction is exact for any realistic date, leaving a single rounding.
        let whole = Double(seconds) - Double(referenceDateOffset)
        return Date(timeIntervalSinceReferenceDate: whole + Double(nanoseconds) / 1_000_000_000)
    }
}
