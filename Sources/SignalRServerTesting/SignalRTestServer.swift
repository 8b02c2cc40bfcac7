import SignalRServer

/// A ``HubServer`` with the test hub at `/hubs/test` and the chat hub at `/hubs/chat`, and the
/// test hooks: `server.faults` (``FaultSwitches``) and `server.requests` (``RequestRecorder``).
///
/// ```swift
/// let server = try await SignalRTestServer.start()          // 127.0.0.1, a free port
/// let url = await server.url(for: SignalRTestServer.testHubPath)
/// …
/// await server.stop()
/// ```
public enum SignalRTestServer {
    /// The path of ``TestHub``.
    public static let testHubPath = "/hubs/test"
    /// The path of ``ChatHub``.
    public static let chatHubPath = "/hubs/chat"

    /// The test server's hubs by path.
    public static func hubs() -> [String: Hub] {
        [testHubPath: TestHub.make(), chatHubPath: ChatHub.make()]
    }

    /// Creates a server with the test and chat hubs, not started.
    public static func make(
        host: String = "127.0.0.1", port: Int = 0, configuration: HubServerConfiguration = HubServerConfiguration()
    ) -> HubServer {
        var configuration = configuration
        if configuration.hooks == nil { configuration.hooks = TestServerHooks() }
        return HubServer(host: host, port: port, hubs: hubs(), configuration: configuration)
    }

    /// Creates and starts a server with the test and chat hubs.
    /// - Parameters:
    ///   - host: the address to bind.
    ///   - port: the TCP port; 0 for any free one (read it from ``HubServer/port``).
    ///   - configuration: timeouts, transports and logger.
    /// - Returns: the running server; call ``HubServer/stop()`` when done.
    /// - Throws: the bind error.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, configuration: HubServerConfiguration = HubServerConfiguration()
    ) async throws -> HubServer {
        let server = make(host: host, port: port, configuration: configuration)
        try await server.start()
        return server
    }

    /// Runs the test server until the calling task is cancelled, then stops it.
    /// - Parameters:
    ///   - onStarted: called with the running server (e.g. to print its URLs).
    /// - Throws: the bind error.
    public static func runUntilCancelled(
        host: String = "127.0.0.1", port: Int = 5000, configuration: HubServerConfiguration = HubServerConfiguration(),
        onStarted: @Sendable (HubServer) async -> Void = { _ in }
    ) async throws {
        let server = try await start(host: host, port: port, configuration: configuration)
        await onStarted(server)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await server.stop()
    }
}
