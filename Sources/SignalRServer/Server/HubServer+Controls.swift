extension HubServer {
    /// The ids of the open connections of the hub at `path` (empty when stopped or unknown).
    public func connectionIds(hub path: String) async -> [String] {
        guard let endpoint = endpoint(path) else { return [] }
        return await endpoint.registry.connectionIds.sorted()
    }

    /// Sends to the clients of the hub at `path` from outside any hub method (ASP.NET Core `IHubContext`).
    /// - Returns: nil when the server is stopped or has no hub there.
    public func clients(hub path: String) -> HubClients? {
        endpoint(path).map { HubClients(endpoint: $0, callerId: nil) }
    }

    /// Cuts a connection's transport without a Close message (TCP close for WebSockets).
    /// With stateful reconnect the connection waits for its client to come back.
    /// - Returns: false when no hub has a connection with this id.
    @discardableResult
    public func drop(connectionId: String) async -> Bool {
        guard let connection = await findConnection(connectionId) else { return false }
        await connection.drop()
        return true
    }

    /// Drops every connection of every hub.
    public func dropAll() async {
        for endpoint in allEndpoints {
            for connection in await endpoint.registry.all { await connection.drop() }
        }
    }

    /// Sends a Close message to a connection and ends it.
    /// - Parameters:
    ///   - connectionId: the connection.
    ///   - error: the Close message's `error`; nil for none.
    ///   - allowReconnect: the Close message's `allowReconnect`.
    /// - Returns: false when no hub has a connection with this id.
    @discardableResult
    public func close(connectionId: String, error: String? = nil, allowReconnect: Bool = false) async -> Bool {
        guard let connection = await findConnection(connectionId) else { return false }
        await connection.close(.server(error: error, allowReconnect: allowReconnect))
        return true
    }

    /// Sends a Close message to every connection of every hub and ends them.
    public func closeAll(error: String? = nil, allowReconnect: Bool = false) async {
        for endpoint in allEndpoints {
            for connection in await endpoint.registry.all {
                await connection.close(.server(error: error, allowReconnect: allowReconnect))
            }
        }
    }

    private func findConnection(_ connectionId: String) async -> ServerConnection? {
        for endpoint in allEndpoints {
            if let connection = await endpoint.registry.connection(id: connectionId) { return connection }
        }
        return nil
    }
}
