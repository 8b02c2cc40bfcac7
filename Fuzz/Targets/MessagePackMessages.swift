import SignalRProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessagePackMessages(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzHubMessages(Array(UnsafeBufferPointer(start: data, count: size)), hubProtocol: MessagePackHubProtocol())
    return 0
}
