import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// The scoped form of the built-in transports (`Transport.run`), against the in-repo hub:
/// entering connects, leaving closes (the server sees the end), a connection kept past the scope
/// refuses sends, a failed connect throws from `run`, and a cancelled caller does not wait.
@Suite(.timeLimit(.minutes(1))) struct TransportRunTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable (Logger) -> any Transport
        var testDescription: String { name }

        static let all = [
            Case(name: "WebSockets") { WebSocketTransport(logger: $0) },
            Case(name: "ServerSentEvents") { ServerSentEventsTransport(logger: $0) },
            Case(name: "LongPolling") { LongPollingTransport(logger: $0) },
        ]
    }

    /// The server notices a cancelled event stream when it next writes: a short keep-alive.
    static var configuration: HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.keepAliveInterval = .milliseconds(200)
        return configuration
    }

    /// The server saw the connection end: it has no open connection (Long Polling: the
    /// client's `DELETE` was accepted, and ended it at once).
    static func waitForTheEnd(of cell: Case, on server: HubServer) async throws {
        try await TransportMatrixEndTests.waitForNoConnections(server)
        if cell.name == "LongPolling" {
            #expect(server.requests.recorded.first { $0.kind == .delete }?.status == 202)
        }
    }

    @Test(arguments: Case.all)
    func enteringConnectsAndLeavingCloses(cell: Case) async throws {
        try await withServer(configuration: Self.configuration) { server in
            server.requests.start()
            let negotiated = try await TransportTest.negotiate(await server.testHubURL)
            let transport = cell.make(Logger(label: "run-test"))
            let (record, kept) = try await withTimeout(.seconds(20), "the scope") {
                try await transport.run(TransportTest.request(negotiated.transportURL), isolation: #isolation) { connection in
                    let reader = RecordReader(connection.frames)
                    try await connection.send(TransportTest.handshake)
                    #expect(try await reader.next() == "{}")
                    try await connection.send(TransportTest.add(2, 3, id: "1"))
                    return (try await reader.record(containing: "\"result\""), connection)
                }
            }
            #expect(record.contains("\"result\":5"))
            // Leaving the scope closed the connection: the server saw it end.
            try await Self.waitForTheEnd(of: cell, on: server)
            await #expect(throws: (any Error).self) { try await kept.send(TransportTest.add(1, 1, id: "2")) }
        }
    }

    @Test(arguments: Case.all)
    func aFailedConnectThrowsFromRunWithoutEnteringTheBody(cell: Case) async throws {
        try await withServer { server in
            let transport = cell.make(Logger(label: "run-test"))
            // An unknown connection token: the server answers 404 (the WebSocket upgrade fails).
            let url = await server.testHubURL + "?id=unknown"
            let entered = Locked(false)
            let error = await caught {
                try await withTimeout(.seconds(20), "run") {
                    try await transport.run(TransportTest.request(url), isolation: #isolation) { _ in
                        entered.withLock { $0 = true }
                    }
                }
            }
            #expect((error as? SignalRError)?.code == .transportFailed)
            #expect(!entered.withLock { $0 })
        }
    }

    @Test(arguments: Case.all)
    func anErrorFromTheBodyClosesTheConnectionAndIsRethrown(cell: Case) async throws {
        struct BodyFailed: Error {}
        try await withServer(configuration: Self.configuration) { server in
            server.requests.start()
            let negotiated = try await TransportTest.negotiate(await server.testHubURL)
            let transport = cell.make(Logger(label: "run-test"))
            let error = await caught {
                try await withTimeout(.seconds(20), "run") {
                    try await transport.run(TransportTest.request(negotiated.transportURL), isolation: #isolation) { connection in
                        try await connection.send(TransportTest.handshake)
                        throw BodyFailed()
                    }
                }
            }
            #expect(error is BodyFailed)
            try await Self.waitForTheEnd(of: cell, on: server)
        }
    }

    /// Over the HTTP transports the connect request observes cancellation. (A WebSocket
    /// upgrade that the server never answers cannot be abandoned: swift-websocket waits for the
    /// upgrade without observing cancellation; see the README's known gaps.)
    @Test(arguments: Case.all.filter { $0.name != "WebSockets" })
    func aCancelledCallerStopsWaitingForTheServer(cell: Case) async throws {
        try await withServer { server in
            let negotiated = try await TransportTest.negotiate(await server.testHubURL)
            // A proxy that accepts the TCP connection and never passes the request on.
            let proxy = try await FaultProxy.start(forwardingTo: try #require(await server.port))
            await proxy.setStalled(true)
            let transport = cell.make(Logger(label: "run-test"))
            let url = negotiated.transportURL.replacingOccurrences(
                of: ":\(try #require(await server.port))/", with: ":\(proxy.port)/"
            )
            let entered = Locked(false)
            let running = Task {
                try await transport.run(TransportTest.request(url), isolation: nil) { _ in entered.withLock { $0 = true } }
            }
            try await withTimeout(.seconds(10), "the connect attempt") { await proxy.waitForAcceptedConnections(1) }
            running.cancel()
            let error = await caught { try await withTimeout(.seconds(10), "the cancelled run") { try await running.value } }
            #expect(error is CancellationError)
            #expect(!entered.withLock { $0 })
            await proxy.stop()
        }
    }
}
