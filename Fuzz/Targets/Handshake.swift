import SignalRProtocol

/// The handshake response: parses or throws the typed error; what parses writes and parses back
/// to the same response.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandshake(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed: (response: HandshakeResponse, consumed: Int)?
    do {
        parsed = try HandshakeProtocol.parseResponse(bytes[...])
    } catch {
        check(error)
        return 0
    }
    guard let parsed else { return 0 }
    if parsed.consumed > bytes.count { finding("consumed more than the input") }
    let written = HandshakeProtocol.writeResponse(parsed.response)
    guard let again = try? HandshakeProtocol.parseResponse(written[...]), again.consumed == written.count,
        again.response.error == parsed.response.error
    else { finding("a written handshake response does not parse back to itself") }
    return 0
}
