/// The first message a client sends: which hub protocol and version it will speak.
public struct HandshakeRequest: Sendable, Equatable {
    /// The protocol name (`json`, `messagepack`).
    public var protocolName: String
    /// The protocol version: 1, or 2 when stateful reconnect (Ack and Sequence) is on.
    public var version: Int

    /// Creates a request.
    public init(protocolName: String, version: Int) {
        self.protocolName = protocolName
        self.version = version
    }
}

/// The server's answer to the handshake: empty on success, or an error text.
public struct HandshakeResponse: Sendable, Equatable {
    /// Why the server refused the handshake; nil when it accepted it.
    public var error: String?

    /// Creates a response.
    public init(error: String? = nil) { self.error = error }
}

/// Reads and writes the handshake messages, which are JSON text ended by 0x1E
/// whatever the hub protocol is (spec: HubProtocol.md, "Overview").
public enum HandshakeProtocol {
    /// The largest handshake message accepted, in bytes.
    public static let maximumHandshakeSize = 64 * 1024

    /// `{"protocol":"json","version":1}` followed by 0x1E.
    public static func writeRequest(_ request: HandshakeRequest) -> [UInt8] {
        var buffer: [UInt8] = Array(#"{"protocol":"#.utf8)
        JSONWriter.writeString(request.protocolName, into: &buffer)
        buffer.append(contentsOf: #","version":"#.utf8)
        JSONWriter.writeInteger(request.version, into: &buffer)
        buffer.append(UInt8(ascii: "}"))
        buffer.append(TextMessageFormat.recordSeparator)
        return buffer
    }

    /// `{}` or `{"error":"…"}` followed by 0x1E.
    public static func writeResponse(_ response: HandshakeResponse) -> [UInt8] {
        var buffer: [UInt8] = [UInt8(ascii: "{")]
        if let error = response.error {
            buffer.append(contentsOf: #""error":"#.utf8)
            JSONWriter.writeString(error, into: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
        buffer.append(TextMessageFormat.recordSeparator)
        return buffer
    }

    /// Parses the handshake request at the start of `input`.
    /// - Returns: the request and the bytes it used, or nil when its 0x1E has not arrived yet.
    /// - Throws: ``HubProtocolError/Code/invalidHandshake`` for a malformed request.
    public static func parseRequest(_ input: ArraySlice<UInt8>) throws -> (request: HandshakeRequest, consumed: Int)? {
        guard let (record, consumed) = try firstRecord(input) else { return nil }
        var protocolName: String?
        var version: Int64?
        try readObject(record) { key, scanner in
            switch key {
            case "protocol": protocolName = try scanner.readString()
            case "version": version = try scanner.readInt64()
            default: _ = try scanner.skipValue()
            }
        }
        guard let protocolName else { throw invalid("Missing required property 'protocol'.") }
        guard let version else { throw invalid("Missing required property 'version'.") }
        return (HandshakeRequest(protocolName: protocolName, version: Int(truncatingIfNeeded: version)), consumed)
    }

    /// Parses the handshake response at the start of `input`; hub messages may follow it.
    /// - Returns: the response and the bytes it used, or nil when its 0x1E has not arrived yet.
    /// - Throws: ``HubProtocolError/Code/invalidHandshake`` for a malformed response, or when
    ///   the server sent a hub message instead ("Expected a handshake response from the server.").
    public static func parseResponse(_ input: ArraySlice<UInt8>) throws -> (response: HandshakeResponse, consumed: Int)? {
        guard let (record, consumed) = try firstRecord(input) else { return nil }
        var error: String?
        try readObject(record) { key, scanner in
            switch key {
            case "error": error = try scanner.readOptionalString()
            case "type": throw invalid("Expected a handshake response from the server.")
            default: _ = try scanner.skipValue()
            }
        }
        return (HandshakeResponse(error: error), consumed)
    }

    private static func firstRecord(_ input: ArraySlice<UInt8>) throws -> (ArraySlice<UInt8>, Int)? {
        guard let end = input.firstIndex(of: TextMessageFormat.recordSeparator) else {
            if input.count > maximumHandshakeSize { throw invalid("The handshake message is too large.") }
            return nil
        }
        return (input[input.startIndex..<end], end + 1 - input.startIndex)
    }

    private static func readObject(
        _ record: ArraySlice<UInt8>, _ field: (String, inout JSONScanner) throws -> Void
    ) throws {
        var scanner = JSONScanner(record)
        do {
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.readString()
                    try scanner.expect(UInt8(ascii: ":"))
                    try field(key, &scanner)
                } while try scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            try scanner.expectEnd()
        } catch let error as HubProtocolError where error.code != .invalidHandshake {
            throw invalid("The handshake message is not valid JSON: \(error.message)")
        }
    }

    private static func invalid(_ message: String) -> HubProtocolError {
        HubProtocolError(.invalidHandshake, message)
    }
}
