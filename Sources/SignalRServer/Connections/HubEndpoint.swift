import Logging
import SignalRProtocol

/// A hub mounted at a path of a server, with its connections.
final class HubEndpoint: Sendable {
    let path: String
    let hub: Hub
    let configuration: HubServerConfiguration
    /// The configuration's clock: every connection timer's deadlines are offsets on it.
    let clock: ErasedClock
    let registry = ConnectionRegistry()
    /// The configuration's hooks, or none.
    let hooks: any HubServerHooks
    let counters: CounterStore
    let spawner: TaskSpawner
    /// Wakes the connections at their timer deadlines; runs while the server does.
    let scheduler: DeadlineScheduler
    let logger: Logger
    /// The hub protocols a client may choose in its handshake.
    let protocols: [any HubProtocol]

    init(
        path: String, hub: Hub, configuration: HubServerConfiguration,
        counters: CounterStore, spawner: TaskSpawner
    ) {
        self.path = path
        self.hub = hub
        self.configuration = configuration
        let clock = ErasedClock(configuration.clock)
        self.clock = clock
        self.scheduler = DeadlineScheduler(clock: clock)
        self.hooks = configuration.hooks ?? NoHubServerHooks()
        self.counters = counters
        self.spawner = spawner
        var logger = configuration.logger
        logger[metadataKey: "signalr.hub"] = .string(path)
        self.logger = logger
        self.protocols = [
            JSONHubProtocol(maximumMessageSize: configuration.maximumReceiveMessageSize),
            MessagePackHubProtocol(maximumMessageSize: configuration.maximumReceiveMessageSize),
        ]
    }

    /// The protocol named `name` (case-insensitive, as ASP.NET Core's resolver).
    func hubProtocol(named name: String) -> (any HubProtocol)? {
        protocols.first { $0.name.matchesIgnoringCase(name) }
    }

    /// Creates a connection, registers it and starts its lifetime task.
    /// - Parameters:
    ///   - negotiateVersion: 0 (the token is the id) or 1 (a separate token).
    ///   - statefulReconnect: whether negotiate granted stateful reconnect.
    /// - Returns: nil when the server is stopping.
    func createConnection(negotiateVersion: Int, statefulReconnect: Bool) async -> ServerConnection? {
        let id = ConnectionToken.make()
        let token = negotiateVersion >= 1 ? ConnectionToken.make() : id
        let connection = ServerConnection(
            id: id, token: token, negotiateVersion: negotiateVersion,
            statefulReconnect: statefulReconnect, endpoint: self)
        await registry.add(connection)
        guard spawner.spawn({ await connection.run() }) else {
            await registry.remove(connection)
            return nil
        }
        await counters.update {
            $0.connectionsCreated += 1
            $0.openConnections += 1
        }
        return connection
    }
}

extension String {
    fileprivate func matchesIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
