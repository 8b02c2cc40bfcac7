/// What an HTTP request to a hub is for, as the server tells them apart.
public enum HubRequestKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `POST {hub}/negotiate`.
    case negotiate
    /// A WebSocket upgrade `GET {hub}?id=…`.
    case webSocket
    /// A Server-Sent Events `GET {hub}?id=…` (`Accept: text/event-stream`).
    case serverSentEvents
    /// A Long Polling poll, `GET {hub}?id=…`.
    case poll
    /// A send, `POST {hub}?id=…` (Server-Sent Events and Long Polling).
    case send
    /// The Long Polling `DELETE {hub}?id=…` that ends a connection.
    case delete

    public var description: String { rawValue }
}

/// What the authorization hook (``HubServerConfiguration/authorize``) is asked about one request.
public struct HubAuthorizationRequest: Sendable {
    /// What the request is for.
    public var kind: HubRequestKind
    /// The hub path, e.g. `/hubs/test`.
    public var path: String
    /// The bearer token from `Authorization: Bearer …`, else from the `access_token` query parameter
    /// (ASP.NET Core's JWT bearer setup for SignalR reads both); nil when there is none.
    public var accessToken: String?

    /// Creates a request description.
    public init(kind: HubRequestKind, path: String, accessToken: String?) {
        self.kind = kind
        self.path = path
        self.accessToken = accessToken
    }
}
