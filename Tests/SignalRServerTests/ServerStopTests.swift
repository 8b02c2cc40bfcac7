import NIOCore
import NIOPosix
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// `HubServer.stop()` returns while clients still hold connections it did not hear from.
@Suite(.timeLimit(.minutes(1))) struct ServerStopTests {
    /// A TCP connection that never sends a request (as an HTTP client's pool opens ahead of
    /// need) once held stop() for ever: Hummingbird's WebSocket upgrade pipeline waited for
    /// the first request through shutdown and cancellation alike.
    @Test func stopClosesAConnectionThatNeverSentARequest() async throws {
        let server = try await SignalRTestServer.start()
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: try #require(await server.port))
            .get()
        try await withTimeout(.seconds(10), "stop() with a silent connection open") { await server.stop() }
        // The server closed it rather than leaving it behind.
        try await withTimeout(.seconds(10), "the silent connection to close") { try await silent.closeFuture.get() }
    }

    /// The same with an idle keep-alive connection, after a request was answered on it.
    @Test func stopClosesAnIdleKeepAliveConnection() async throws {
        let server = try await SignalRTestServer.start()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: try #require(await server.port))
            .get()
        let request = "POST /hubs/test/negotiate?negotiateVersion=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        try await withTimeout(.seconds(10), "the negotiate answer") {
            await server.waitForCounters { $0.negotiateRequests == 1 }
        }
        try await withTimeout(.seconds(10), "stop() with an idle keep-alive connection") { await server.stop() }
        try await withTimeout(.seconds(10), "the idle connection to close") { try await channel.closeFuture.get() }
    }
}
