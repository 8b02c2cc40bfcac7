/// What a hub method knows about the connection that called it.
public struct HubConnectionInfo: Sendable {
    /// The connection id (`connectionId` of negotiate; differs from the connection token).
    public var connectionId: String
    /// The path of the hub, e.g. `/hubs/test`.
    public var hubPath: String
    /// The transport that carried the connection's first request.
    public var transport: TransportKind
    /// The request headers of the connection's first transport request (names lowercased).
    public var headers: [String: String]
    /// The query parameters of that request (percent-decoded; the last value of a repeated key).
    public var query: [String: String]
    /// The access token from `Authorization: Bearer …` or else the `access_token` query parameter.
    public var accessToken: String?
    /// The hub protocol the client chose in its handshake (`json`, `messagepack`).
    public var protocolName: String
    /// The handshake's protocol version (2 enables stateful reconnect's Ack and Sequence).
    public var protocolVersion: Int

    /// The value of header `name`, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// The context of one hub method call: the caller, the other clients, groups.
///
/// ```swift
/// hub.on("JoinGroup") { (context: HubContext, group: String) in
///     await context.groups.add(context.connectionId, to: group)
/// }
/// ```
public struct HubContext: Sendable {
    let connection: ServerConnection
    let endpoint: HubEndpoint

    /// The caller's connection details.
    public let info: HubConnectionInfo

    init(connection: ServerConnection, endpoint: HubEndpoint, info: HubConnectionInfo) {
        self.connection = connection
        self.endpoint = endpoint
        self.info = info
    }

    /// The caller's connection id.
    public var connectionId: String { info.connectionId }

    /// The clients of this hub, relative to the caller.
    public var clients: HubClients { HubClients(endpoint: endpoint, callerId: info.connectionId) }

    /// Adds and removes connections to and from groups of this hub.
    public var groups: HubGroups { HubGroups(registry: endpoint.registry) }

    /// Drops the caller's connection abruptly: the transport closes without a Close message
    /// (with stateful reconnect on, the client may come back within the reconnect window).
    public func abort() async {
        await connection.drop()
    }

    /// Sends a Close message to the caller and ends its connection.
    /// - Parameters:
    ///   - error: the Close message's `error`; nil for none.
    ///   - allowReconnect: tells a client with automatic reconnect to reconnect.
    public func close(error: String? = nil, allowReconnect: Bool = false) async {
        await connection.close(.server(error: error, allowReconnect: allowReconnect))
    }
}

/// Group membership of a hub's connections.
public struct HubGroups: Sendable {
    let registry: ConnectionRegistry

    /// Adds a connection to a group (created on first use).
    public func add(_ connectionId: String, to group: String) async {
        await registry.addToGroup(connectionId: connectionId, group: group)
    }

    /// Removes a connection from a group; nothing happens when it was not in it.
    public func remove(_ connectionId: String, from group: String) async {
        await registry.removeFromGroup(connectionId: connectionId, group: group)
    }
}
