/// An incremental parser for the `text/event-stream` format (WHATWG HTML, "Server-sent events"),
/// keeping only what SignalR uses: the `data` of each event. No I/O: feed it the bytes as they
/// arrive with ``parse(_:)``, in pieces of any size.
///
/// - Lines end with LF, CR or CRLF; a line, or a CRLF, may be split across reads.
/// - `data:value` or `data: value` (one leading space is dropped) adds `value` to the event;
///   several `data` lines are joined with LF. A `data` line without a colon adds an empty line.
/// - An empty line dispatches the event; an event without `data` lines dispatches nothing.
/// - Comments (lines starting with `:`) and other fields (`event`, `id`, `retry`, …) are ignored.
/// - A UTF-8 byte order mark at the start of the stream is skipped. An event still incomplete
///   when the stream ends is never dispatched (the stream's owner simply stops calling).
///
/// ```swift
/// var parser = ServerSentEventsParser()
/// let payloads = try parser.parse(Array("data: {}\u{1E}\r\n\r\n".utf8))  // [Array("{}\u{1E}".utf8)]
/// ```
public struct ServerSentEventsParser: Sendable {
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let dataField = Array("data".utf8)

    /// The largest event (its line being read plus its data so far) accepted, in bytes.
    public let maximumEventSize: Int

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var lastReadEndedWithCR = false
    private var atStreamStart = true

    /// Creates a parser for a new stream.
    /// - Parameter maximumEventSize: the size limit of one event in bytes (64 MiB by default).
    public init(maximumEventSize: Int = 1 << 26) {
        self.maximumEventSize = maximumEventSize
    }

    /// Reads the next bytes of the stream.
    /// - Parameter bytes: the bytes that arrived, any amount (a partial line is kept for the next call).
    /// - Returns: the payloads of the events completed by these bytes, in order: each event's
    ///   `data` lines joined with LF, as UTF-8 bytes (possibly empty, for `data:` alone).
    /// - Throws: ``SignalRError`` (``SignalRError/Code/protocolError``) when an event exceeds
    ///   ``maximumEventSize``; the parser must then not be used again.
    public mutating func parse(_ bytes: some Collection<UInt8>) throws -> [[UInt8]] {
        var events: [[UInt8]] = []
        var index = bytes.startIndex
        if lastReadEndedWithCR, index < bytes.endIndex {
            lastReadEndedWithCR = false
            if bytes[index] == Self.lineFeed { index = bytes.index(after: index) }
        }
        var lineStart = index
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == Self.lineFeed || byte == Self.carriageReturn else {
                index = bytes.index(after: index)
                continue
            }
            line.append(contentsOf: bytes[lineStart..<index])
            try checkSize()
            if let payload = endLine() { events.append(payload) }
            index = bytes.index(after: index)
            if byte == Self.carriageReturn {
                if index == bytes.endIndex {
                    lastReadEndedWithCR = true
                } else if bytes[index] == Self.lineFeed {
                    index = bytes.index(after: index)
                }
            }
            lineStart = index
        }
        line.append(contentsOf: bytes[lineStart..<bytes.endIndex])
        try checkSize()
        return events
    }

    private func checkSize() throws {
        guard line.count + data.count > maximumEventSize else { return }
        throw SignalRError(
            .protocolError, "Server-Sent Events event larger than \(maximumEventSize) bytes."
        )
    }

    /// Handles the complete line in `line`; returns the payload when it dispatched an event.
    private mutating func endLine() -> [UInt8]? {
        defer { line.removeAll(keepingCapacity: true) }
        var content = line[...]
        if atStreamStart {
            atStreamStart = false
            if content.starts(with: Self.byteOrderMark) { content = content.dropFirst(Self.byteOrderMark.count) }
        }
        if content.isEmpty { return dispatch() }
        if content.first == Self.colon { return nil }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colonIndex = content.firstIndex(of: Self.colon) {
            field = content[..<colonIndex]
            value = content[content.index(after: colonIndex)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            field = content
            value = []
        }
        guard field.elementsEqual(Self.dataField) else { return nil }
        if hasData { data.append(Self.lineFeed) }
        data.append(contentsOf: value)
        hasData = true
        return nil
    }

    private mutating func dispatch() -> [UInt8]? {
        guard hasData else { return nil }
        let payload = data
        data.removeAll(keepingCapacity: true)
        hasData = false
        return payload
    }
}
