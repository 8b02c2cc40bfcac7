import SignalRServer

/// The hooks ``SignalRTestServer`` installs in its servers: the fault switches and the request
/// recorder, reached as `server.faults` and `server.requests`.
final class TestServerHooks: HubServerHooks {
    let faults = FaultSwitches()
    let requests = RequestRecorder()

    func negotiateOverride() async -> NegotiateOverride? { await faults.takeNegotiateFault() }
    func disabledTransports() async -> Set<TransportKind> { await faults.disabledTransports }
    func handshakeDelay() async -> Duration { await faults.handshakeDelay }
    func cookies(for kind: HubRequestKind) -> [String] { requests.cookies(for: kind) }
    func requestAnswered(_ make: () -> HubRequestRecord) { requests.record(make()) }
}

extension HubServer {
    /// Fault injection switches (negotiate refusals, redirects, delays, disabled transports) of
    /// a server made by ``SignalRTestServer``.
    public nonisolated var faults: FaultSwitches { testHooks.faults }
    /// Records the HTTP requests (headers per request kind) and sets test cookies, when
    /// started, for a server made by ``SignalRTestServer``.
    public nonisolated var requests: RequestRecorder { testHooks.requests }

    private nonisolated var testHooks: TestServerHooks {
        guard let hooks = configuration.hooks as? TestServerHooks else {
            preconditionFailure("Only servers made by SignalRTestServer have fault switches and a request recorder.")
        }
        return hooks
    }
}
