import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// A SignalR hub server on Hummingbird: negotiate (versions 0 and 1), WebSockets,
/// Server-Sent Events and Long Polling, the JSON and MessagePack hub protocols, and hooks
/// for fault injection in tests (``HubServerConfiguration/hooks``).
///
/// ```swift
/// var hub = Hub()
/// hub.on("Echo") { (text: String) in text }
/// let server = HubServer(hubs: ["/hubs/echo": hub])
/// try await server.start()                  // port 0: any free port
/// print(await server.url(for: "/hubs/echo"))
/// await server.stop()
/// ```
public actor HubServer {
    /// The address the server binds to.
    public nonisolated let host: String
    /// The settings of every hub.
    public nonisolated let configuration: HubServerConfiguration

    private let hubs: [String: Hub]
    private let counterStore = CounterStore()
    private var requestedPort: Int
    private var state: State = .stopped

    private enum State {
        case stopped
        case starting
        case running(Running)
        case stopping
    }

    /// What exists while the server runs.
    private struct Running {
        var port: Int
        var endpoints: [String: HubEndpoint]
        var spawner: TaskSpawner
        var serviceGroup: ServiceGroup
        var task: Task<Void, Never>
    }

    /// Creates a server; nothing listens until ``start()``.
    /// - Parameters:
    ///   - host: the address to bind, e.g. `127.0.0.1`.
    ///   - port: the TCP port; 0 picks a free one (see ``port``).
    ///   - hubs: the hubs by path, e.g. `["/hubs/chat": chatHub]`.
    ///   - configuration: timeouts, transports, limits and the logger.
    public init(
        host: String = "127.0.0.1", port: Int = 0, hubs: [String: Hub],
        configuration: HubServerConfiguration = HubServerConfiguration()
    ) {
        self.host = host
        self.requestedPort = port
        self.hubs = Dictionary(
            hubs.map { (WebSocketTransport.normalizedPath($0.key.hasPrefix("/") ? $0.key : "/" + $0.key), $0.value) },
            uniquingKeysWith: { _, last in last })
        self.configuration = configuration
    }

    /// The bound port while running; nil when stopped.
    public var port: Int? {
        if case .running(let running) = state { return running.port }
        return nil
    }

    /// `http://host:port/path` for a hub path (the port of the running server, else the requested one);
    /// `https://` when the server has a ``HubServerConfiguration/tlsConfiguration``.
    public func url(for path: String) -> String {
        let boundPort = port ?? requestedPort
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let scheme = configuration.tlsConfiguration == nil ? "http" : "https"
        return "\(scheme)://\(hostPart):\(boundPort)\(path.hasPrefix("/") ? path : "/" + path)"
    }

    /// What the server has counted since it was created.
    public var counters: ServerCounters {
        get async { await counterStore.counters }
    }

    /// Returns once the counters satisfy `condition`, checked now and after each change, so a
    /// test awaits what it expects (a connection's end, another poll) instead of polling.
    /// Bound it with a timeout: it waits as long as the condition does not hold.
    public nonisolated func waitForCounters(_ condition: @escaping @Sendable (ServerCounters) -> Bool) async {
        await counterStore.waitUntil(condition)
    }

    /// Binds and starts serving; returns once the port is bound.
    /// - Throws: ``HubServerError`` when already running, the bind error (e.g. port in use), or the
    ///   TLS error when ``HubServerConfiguration/tlsConfiguration`` cannot be used.
    public func start() async throws {
        guard case .stopped = state else { throw HubServerError("The server is already running.") }
        state = .starting
        let spawner = TaskSpawner()
        var endpoints: [String: HubEndpoint] = [:]
        for (path, hub) in hubs {
            endpoints[path] = HubEndpoint(
                path: path, hub: hub, configuration: configuration, counters: counterStore, spawner: spawner)
        }
        let (events, eventSink) = AsyncStream.makeStream(of: StartEvent.self)
        let application: any Service
        do {
            application = try ApplicationFactory.make(
                host: host, port: requestedPort, endpoints: endpoints, configuration: configuration,
                hooks: configuration.hooks ?? NoHubServerHooks(), logger: configuration.logger,
                onRunning: { port in eventSink.yield(.running(port)) })
        } catch {
            state = .stopped
            throw error
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: configuration.logger))
        let schedulers = endpoints.values.map(\.scheduler)
        let task = Task {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    do {
                        try await serviceGroup.run()
                    } catch {
                        eventSink.yield(.failed(error))
                    }
                    eventSink.yield(.stopped)
                    spawner.finish()
                }
                group.addTask {
                    await withDiscardingTaskGroup { timers in
                        for scheduler in schedulers { timers.addTask { await scheduler.run() } }
                        // The connections' timers run until the last connection has ended.
                        await spawner.run()
                        for scheduler in schedulers { scheduler.finish() }
                    }
                }
            }
        }
        var outcome: StartEvent = .stopped
        for await event in events {
            outcome = event
            break
        }
        switch outcome {
        case .running(let port):
            requestedPort = port
            state = .running(Running(
                port: port, endpoints: endpoints, spawner: spawner, serviceGroup: serviceGroup, task: task))
        case .failed(let error):
            spawner.finish()
            await task.value
            state = .stopped
            throw error
        case .stopped:
            spawner.finish()
            await task.value
            state = .stopped
            throw HubServerError("The server stopped while starting.")
        }
    }

    private enum StartEvent: Sendable {
        case running(Int)
        case failed(any Error)
        case stopped
    }

    /// Closes every connection (with a Close message where a handshake completed), stops
    /// listening and waits until every task of the server has ended. Does nothing when stopped.
    public func stop() async {
        guard case .running(let running) = state else { return }
        state = .stopping
        for endpoint in running.endpoints.values {
            for connection in await endpoint.registry.all {
                await connection.close(.serverStopping)
            }
        }
        running.spawner.finish()
        await running.serviceGroup.triggerGracefulShutdown()
        // Transports flush their Close messages; anything still running after a grace period is cancelled.
        let task = running.task
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                task.cancel()
            }
            await task.value
            group.cancelAll()
        }
        state = .stopped
    }

    /// Stops, then starts again on the same port (connections are lost, counters kept).
    /// - Throws: what ``start()`` throws.
    public func restart() async throws {
        await stop()
        try await start()
    }

    func endpoint(_ path: String) -> HubEndpoint? {
        guard case .running(let running) = state else { return nil }
        return running.endpoints[WebSocketTransport.normalizedPath(path)]
    }

    var allEndpoints: [HubEndpoint] {
        guard case .running(let running) = state else { return [] }
        return Array(running.endpoints.values)
    }
}

/// An error starting or controlling a ``HubServer``.
public struct HubServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
