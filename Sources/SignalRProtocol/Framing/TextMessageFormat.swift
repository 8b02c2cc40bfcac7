/// Text framing: every record ends with the ASCII record separator 0x1E.
///
/// Used by the JSON hub protocol and by the handshake of every protocol.
public enum TextMessageFormat {
    /// The record separator that ends each JSON record.
    public static let recordSeparator: UInt8 = 0x1E

    /// Appends `record` and its separator to `buffer`.
    public static func write(_ record: some Collection<UInt8>, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: record)
        buffer.append(recordSeparator)
    }

    /// Finds the complete records at the start of `input`.
    ///
    /// - Parameters:
    ///   - input: received bytes; may end inside a record.
    ///   - maximumRecordSize: the largest record accepted, in bytes (without its separator).
    /// - Returns: each record's bytes (without the separator) and the bytes consumed.
    /// - Throws: ``HubProtocolError/Code/messageTooLarge`` when a record, finished or not,
    ///   is already longer than `maximumRecordSize`.
    public static func split(
        _ input: ArraySlice<UInt8>,
        maximumRecordSize: Int
    ) throws -> (records: [ArraySlice<UInt8>], consumed: Int) {
        var records: [ArraySlice<UInt8>] = []
        var start = input.startIndex
        while let end = input[start...].firstIndex(of: recordSeparator) {
            if end - start > maximumRecordSize { throw tooLarge(maximumRecordSize) }
            records.append(input[start..<end])
            start = end + 1
        }
        if input.endIndex - start > maximumRecordSize { throw tooLarge(maximumRecordSize) }
        return (records, start - input.startIndex)
    }

    private static func tooLarge(_ limit: Int) -> HubProtocolError {
        HubProtocolError(.messageTooLarge, "The message exceeds the maximum supported size of \(limit) bytes.")
    }
}
