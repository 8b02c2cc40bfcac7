/// Points where a test harness may change how a ``HubServer`` answers, and see what it
/// received: `SignalRServerTesting`'s fault switches and request recorder implement them
/// (``HubServerConfiguration/hooks``). A server without hooks answers as ASP.NET Core does.
public protocol HubServerHooks: Sendable {
    /// An answer to use in place of the next negotiate's, or nil to negotiate normally.
    func negotiateOverride() async -> NegotiateOverride?
    /// Transports neither offered by negotiate nor accepted at the connection endpoint.
    func disabledTransports() async -> Set<TransportKind>
    /// How long to wait before answering a handshake request.
    func handshakeDelay() async -> Duration
    /// `Set-Cookie` values for the answer to a request of `kind` (WebSocket upgrades excepted).
    func cookies(for kind: HubRequestKind) -> [String]
    /// A request was answered; `record` builds its description only when called.
    func requestAnswered(_ record: () -> HubRequestRecord)
}

/// A negotiate answer that replaces the normal one.
public enum NegotiateOverride: Sendable, Equatable {
    /// Answer with this HTTP status and an empty body.
    case status(Int)
    /// Answer 200 with `{"error": text}`.
    case error(String)
    /// Answer 200 with `{"url": url, "accessToken": token}` (Azure SignalR Service style).
    case redirect(url: String, accessToken: String?)
}

/// One answered HTTP request, as ``HubServerHooks/requestAnswered(_:)`` sees it.
public struct HubRequestRecord: Sendable {
    /// What the request was for.
    public var kind: HubRequestKind
    /// The hub path.
    public var path: String
    /// The request headers, names lowercased, repeated headers joined with ", ".
    public var headers: [String: String]
    /// The percent-decoded query parameters.
    public var query: [String: String]
    /// The status the server answered (101 for an accepted WebSocket upgrade).
    public var status: Int

    /// Creates a record.
    public init(kind: HubRequestKind, path: String, headers: [String: String], query: [String: String], status: Int) {
        self.kind = kind
        self.path = path
        self.headers = headers
        self.query = query
        self.status = status
    }
}

/// The hooks of a server configured without any: nothing changes, nothing is recorded.
struct NoHubServerHooks: HubServerHooks {
    func negotiateOverride() async -> NegotiateOverride? { nil }
    func disabledTransports() async -> Set<TransportKind> { [] }
    func handshakeDelay() async -> Duration { .zero }
    func cookies(for kind: HubRequestKind) -> [String] { [] }
    func requestAnswered(_ record: () -> HubRequestRecord) {}
}
