/// The Server-Sent Events parser: the whole input and random chunks give the same payloads (or
/// both fail with its typed error); the payloads written as events parse back to themselves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerSentEvents(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var whole = ServerSentEventsParser(maximumEventSize: 4096)
    let payloads: [[UInt8]]?
    do {
        payloads = try whole.parse(bytes)
    } catch {
        guard error is SignalRError else { finding("untyped error \(error)") }
        payloads = nil
    }
    var chunked = ServerSentEventsParser(maximumEventSize: 4096)
    var chunkedPayloads: [[UInt8]] = []
    var chunkedFailed = false
    for chunk in randomChunks(bytes) {
        do {
            chunkedPayloads += try chunked.parse(chunk)
        } catch {
            guard error is SignalRError else { finding("untyped error \(error)") }
            chunkedFailed = true
            break
        }
    }
    guard let payloads else { return 0 }  // a size limit may trip in one split and not the other
    if !chunkedFailed, chunkedPayloads != payloads { finding("chunks gave other payloads") }
    // Written back as events (a payload's lines as data lines), they parse to themselves.
    var written: [UInt8] = []
    for payload in payloads {
        for line in payload.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            written += Array("data: ".utf8) + line + [UInt8(ascii: "\n")]
        }
        written.append(UInt8(ascii: "\n"))
    }
    var again = ServerSentEventsParser(maximumEventSize: Int.max)
    guard let reparsed = try? again.parse(written), reparsed == payloads.filter({ !$0.isEmpty }) || reparsed == payloads else {
        finding("written events do not parse back to their payloads")
    }
    return 0
}
