import SignalRServer

/// Switches that make a running ``HubServer`` misbehave on purpose, for client tests.
///
/// Settings apply to requests that arrive after they are set; ``reset()`` turns everything off.
/// Actions on live connections (drop, close) are methods of ``HubServer``.
///
/// ```swift
/// await server.faults.refuseNegotiate(status: 503, times: 2)   // the next two negotiates fail
/// await server.faults.disable(.webSockets)                     // negotiate stops offering it; upgrades fail
/// await server.faults.delayHandshake(by: .seconds(2))
/// ```
public actor FaultSwitches {
    /// How negotiate misbehaves: an answer in place of the normal one.
    public typealias NegotiateFault = NegotiateOverride

    private var negotiateFault: NegotiateFault?
    /// One-shot faults answered before ``negotiateFault``, in order (a redirect chain).
    private var queuedNegotiateFaults: [NegotiateFault] = []
    private var negotiateFaultRemaining: Int?
    /// How long the server waits before answering a handshake request.
    public private(set) var handshakeDelay: Duration = .zero
    /// Transports refused at negotiate and at the connection endpoint.
    public private(set) var disabledTransports: Set<TransportKind> = []

    init() {}

    /// Makes negotiate answer with `status` and no body.
    /// - Parameters:
    ///   - status: the HTTP status code, e.g. 500 or 401.
    ///   - times: how many negotiate requests fail; nil for all until ``clearNegotiateFault()``.
    public func refuseNegotiate(status: Int, times: Int? = nil) {
        set(.status(status), times: times)
    }

    /// Makes negotiate answer 200 with `{"error": message}`.
    /// - Parameter times: how many negotiate requests fail; nil for all until cleared.
    public func refuseNegotiate(error message: String, times: Int? = nil) {
        set(.error(message), times: times)
    }

    /// Makes negotiate answer with a redirect to `url` (the client negotiates again there,
    /// with `accessToken` as its bearer token).
    /// - Parameters:
    ///   - url: an absolute hub URL, e.g. `server.url(for: "/hubs/chat")`.
    ///   - accessToken: the token the client must use from then on; nil for none.
    ///   - times: how many negotiate requests are redirected; nil for all until cleared.
    public func redirectNegotiate(to url: String, accessToken: String?, times: Int? = nil) {
        set(.redirect(url: url, accessToken: accessToken), times: times)
    }

    /// Makes the next negotiate requests answer with these redirects, one each, in order (a chain
    /// of hops, as Azure SignalR Service's redirect followed by another); later requests are answered
    /// normally (or by the fault set with the other methods).
    /// - Parameter chain: each hop's absolute hub URL and the access token the client must use from then on.
    public func redirectNegotiate(chain: [(url: String, accessToken: String?)]) {
        queuedNegotiateFaults = chain.map { .redirect(url: $0.url, accessToken: $0.accessToken) }
    }

    /// Makes negotiate behave normally again.
    public func clearNegotiateFault() {
        negotiateFault = nil
        negotiateFaultRemaining = nil
        queuedNegotiateFaults = []
    }

    /// Delays every handshake response by `delay` (zero turns it off).
    public func delayHandshake(by delay: Duration) {
        handshakeDelay = delay
    }

    /// Stops offering and accepting `transport`.
    public func disable(_ transport: TransportKind) {
        disabledTransports.insert(transport)
    }

    /// Offers and accepts `transport` again.
    public func enable(_ transport: TransportKind) {
        disabledTransports.remove(transport)
    }

    /// Turns every switch off.
    public func reset() {
        clearNegotiateFault()
        handshakeDelay = .zero
        disabledTransports = []
    }

    private func set(_ fault: NegotiateFault, times: Int?) {
        negotiateFault = fault
        negotiateFaultRemaining = times
    }

    /// The fault for the current negotiate request, counting it down.
    func takeNegotiateFault() -> NegotiateFault? {
        if !queuedNegotiateFaults.isEmpty { return queuedNegotiateFaults.removeFirst() }
        guard let fault = negotiateFault else { return nil }
        if let remaining = negotiateFaultRemaining {
            if remaining <= 1 { clearNegotiateFault() } else { negotiateFaultRemaining = remaining - 1 }
        }
        return fault
    }
}
