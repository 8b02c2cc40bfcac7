import SignalRProtocol

/// The checks of the two hub-message targets: `bytes` read whole and in random chunks through
/// the frame decoder give the same messages (or both fail, with the decoder's typed error);
/// what parses writes and parses again to the same bytes.
func fuzzHubMessages(_ bytes: [UInt8], hubProtocol: any HubProtocol) {
    var whole = HubFrameDecoder.afterHandshake(hubProtocol: hubProtocol)
    let wholeMessages: [HubMessage]?
    do {
        wholeMessages = try whole.decode(bytes).messages
    } catch {
        wholeMessages = nil
        check(error.underlying)
    }
    var chunked = HubFrameDecoder.afterHandshake(hubProtocol: hubProtocol)
    var chunkedMessages: [HubMessage] = []
    var chunkedFailed = false
    for chunk in randomChunks(bytes) {
        do {
            chunkedMessages += try chunked.decode(chunk).messages
        } catch {
            check(error.underlying)
            chunkedFailed = true
            break
        }
    }
    guard let wholeMessages else {
        if !chunkedFailed { finding("the whole input failed but its chunks did not") }
        return
    }
    if chunkedFailed { finding("the chunks failed but the whole input did not") }
    if chunkedMessages.count != wholeMessages.count { finding("\(chunkedMessages.count) messages in chunks, \(wholeMessages.count) whole") }
    for message in wholeMessages {
        let written: [UInt8]
        do {
            written = try hubProtocol.writeMessage(message)
        } catch {
            // A value that parsed but has no written form (a NaN, say) must say so with the typed error.
            check(error)
            continue
        }
        let (again, consumed): ([HubMessage], Int)
        do {
            (again, consumed) = try hubProtocol.parseMessages(written[...])
        } catch {
            finding("a written message does not parse: \(error)")
        }
        guard again.count == 1, consumed == written.count else { finding("a written message parses as \(again.count) messages") }
        guard let rewritten = try? hubProtocol.writeMessage(again[0]), rewritten == written else {
            finding("a message written twice gives different bytes")
        }
    }
}

/// Errors must be the protocol's typed ones.
func check(_ error: any Error) {
    switch error {
    case is HubProtocolError, is MessagePackError: return
    default: finding("untyped error \(type(of: error)): \(error)")
    }
}
