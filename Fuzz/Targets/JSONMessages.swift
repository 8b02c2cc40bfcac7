import SignalRProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONMessages(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzHubMessages(Array(UnsafeBufferPointer(start: data, count: size)), hubProtocol: JSONHubProtocol())
    return 0
}
