import SignalRProtocol

/// The negotiate response: parses or throws `SignalRError`; what parses, written back as JSON,
/// parses to an equal response.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNegotiate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let response: NegotiateResponse
    do {
        response = try NegotiateResponse.parse(bytes)
    } catch {
        guard error is SignalRError else { finding("untyped error \(error)") }
        return 0
    }
    var object: [String: JSONValue] = [
        "negotiateVersion": .int(Int64(response.negotiateVersion)),
        "availableTransports": .array(
            response.availableTransports.map { transport in
                .object(["transport": .string(transport.transport), "transferFormats": .array(transport.transferFormats.map(JSONValue.string))])
            }
        ),
        "useStatefulReconnect": .bool(response.useStatefulReconnect),
    ]
    if let id = response.connectionId { object["connectionId"] = .string(id) }
    if response.negotiateVersion >= 1, let token = response.connectionToken { object["connectionToken"] = .string(token) }
    if let url = response.url { object["url"] = .string(url) }
    if let token = response.accessToken { object["accessToken"] = .string(token) }
    if let error = response.error { object["error"] = .string(error) }
    let written = Array(JSONValue.object(object).jsonString.utf8)
    guard let again = try? NegotiateResponse.parse(written), again == response else {
        finding("a negotiate response written back does not parse to itself")
    }
    return 0
}
