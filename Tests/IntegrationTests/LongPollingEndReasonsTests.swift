import Foundation
import NIOConcurrencyHelpers
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// How a Long Polling connection ends, 100 times per scenario on one hub, with a second thread
/// spinning meanwhile so the client's tasks are scheduled late and in many orders (the races
/// that once replaced the end reason with a cancelled request's text, or skipped the DELETE,
/// showed only on a busy machine). Every run must give the exact result.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LongPollingEndReasonsTests {
    static let runs = 100
    static let cell = TransportCase(transport: .longPolling, kind: .json)

    /// A hub whose polls are held 30 ms, so idle connections see empty 200s all the time.
    static var configuration: HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.longPollTimeout = .milliseconds(30)
        return configuration
    }

    /// Runs `body` while another thread keeps a core busy.
    static func withBusyCore(_ body: () async throws -> Void) async rethrows {
        let running = NIOLockedValueBox(true)
        let thread = Thread {
            var spins = 0
            while running.withLockedValue({ $0 }) { spins &+= 1 }
        }
        thread.start()
        defer { running.withLockedValue { $0 = false } }
        try await body()
    }

    /// A connection with an invocation and a stream pending (an upload keeps POSTs going).
    static func openWithPendingCalls(_ server: HubServer) async throws -> (
        HubConnection, EventRecorder<String>, (invoke: Task<Void, any Error>, stream: Task<Void, any Error>)
    ) {
        let connection = try await cell.connect(await server.testHubURL)
        let closes = EventRecorder<String>()
        await connection.onClose { error in closes.record(error?.message ?? "no error") }
        let pending = try await TransportMatrixEndTests.pendingCalls(connection)
        return (connection, closes, pending)
    }

    /// Ends a connection with pending calls `runs` times with `end` (given the connection id);
    /// the user's onClose and both pending calls must get `expected` every time.
    static func expectEveryEnd(
        _ expected: String, _ end: @escaping @Sendable (HubServer, String) async -> Bool
    ) async throws {
        try await withServer(configuration: configuration) { server in
            try await withBusyCore {
                for run in 0..<runs {
                    let (connection, closes, pending) = try await openWithPendingCalls(server)
                    let connectionId = try #require(await connection.connectionId)
                    #expect(await end(server, connectionId))
                    let reason = try await closes.first()
                    let failures = await TransportMatrixEndTests.failures(of: pending)
                    #expect(reason == expected, "run \(run)")
                    #expect(failures == [expected, expected], "run \(run)")
                    if reason != expected || failures != [expected, expected] { return }
                }
            }
        }
    }

    @Test func aServerCloseWithAnErrorAlwaysReachesTheUser() async throws {
        try await Self.expectEveryEnd("Server returned an error on close: Going away.") { server, connectionId in
            await server.close(connectionId: connectionId, error: "Going away.")
        }
    }

    @Test func aPollAnswered404AlwaysReportsItsStatus() async throws {
        try await Self.expectEveryEnd("Not Found: Status code '404'") { server, connectionId in
            await server.drop(connectionId: connectionId)
        }
    }

    @Test func stopAfterEmptyPollsAlwaysSendsTheDelete() async throws {
        try await withServer(configuration: Self.configuration) { server in
            try await Self.withBusyCore {
                for run in 0..<Self.runs {
                    server.requests.start()
                    let connection = try await Self.cell.connect(await server.testHubURL)
                    // Wait until two polls came back empty (held 30 ms each).
                    try await withTimeout(.seconds(10), "two empty polls") {
                        await server.requests.waitUntil { records in
                            records.filter { $0.kind == .poll && $0.status == 200 }.count >= 3
                        }
                    }
                    try await connection.stop()
                    let deletes = server.requests.recorded.filter { $0.kind == .delete }
                    #expect(deletes.count == 1, "run \(run): \(deletes.count) DELETE requests")
                    if deletes.count != 1 { return }
                }
            }
        }
    }
}
