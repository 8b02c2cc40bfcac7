/// Binary framing: every message is a VarInt length prefix followed by that many bytes.
///
/// The VarInt carries 7 bits per byte, least significant group first; a set high
/// bit means another byte follows. Lengths fit in 31 bits, so at most 5 bytes.
public enum BinaryMessageFormat {
    /// The most bytes a length prefix may take.
    public static let maximumPrefixLength = 5

    /// Appends the VarInt prefix for `payload.count` and then `payload`.
    public static func write(_ payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
        writeLengthPrefix(payload.count, into: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// Appends the VarInt encoding of `length`.
    public static func writeLengthPrefix(_ length: Int, into buffer: inout [UInt8]) {
        var remaining = UInt32(truncatingIfNeeded: length)
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            buffer.append(byte)
        } while remaining > 0
    }

    /// The result of reading a length prefix.
    public enum PrefixReadResult: Equatable, Sendable {
        /// The prefix was complete: the body has `length` bytes and starts `prefixLength` bytes in.
        case complete(length: Int, prefixLength: Int)
        /// More bytes are needed to finish the prefix.
        case needMoreData
    }

    /// Reads the VarInt length prefix at the start of `input`.
    /// - Throws: ``HubProtocolError/Code/invalidLengthPrefix`` when the prefix is longer than
    ///   5 bytes or its value exceeds 2^31 - 1.
    public static func readLengthPrefix(_ input: ArraySlice<UInt8>) throws -> PrefixReadResult {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            value |= UInt64(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 {
                guard value <= UInt64(Int32.max) else {
                    throw HubProtocolError(.invalidLengthPrefix, "Messages over 2GB in size are not supported.")
                }
                return .complete(length: Int(value), prefixLength: index - input.startIndex)
            }
            shift += 7
            if index - input.startIndex >= maximumPrefixLength {
                throw HubProtocolError(.invalidLengthPrefix, "Messages over 2GB in size are not supported.")
            }
        }
        return .needMoreData
    }

    /// Finds the complete messages at the start of `input`.
    ///
    /// - Parameters:
    ///   - input: received bytes; may end inside a prefix or a body.
    ///   - maximumMessageSize: the largest body accepted, in bytes; checked against the
    ///     declared length before waiting for the body, so no memory is reserved for it.
    /// - Returns: each message body and the bytes consumed.
    /// - Throws: ``HubProtocolError`` for a bad prefix or a declared length over the limit.
    public static func split(
        _ input: ArraySlice<UInt8>,
        maximumMessageSize: Int
    ) throws -> (messages: [ArraySlice<UInt8>], consumed: Int) {
        var messages: [ArraySlice<UInt8>] = []
        var start = input.startIndex
        while start < input.endIndex {
            guard case .complete(let length, let prefixLength) = try readLengthPrefix(input[start...]) else { break }
            if length > maximumMessageSize {
                throw HubProtocolError(
                    .messageTooLarge, "The message exceeds the maximum supported size of \(maximumMessageSize) bytes.")
            }
            let bodyStart = start + prefixLength
            guard input.endIndex - bodyStart >= length else { break }
            messages.append(input[bodyStart..<bodyStart + length])
            start = bodyStart + length
        }
        return (messages, start - input.startIndex)
    }
}
