import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Concurrent calls over the HTTP transports share `POST`s, as in the official client: the hub
/// connection's outbound queue joins the messages queued during a `POST` into the next send (the
/// official client's `TransportSendQueue` in its `HttpConnection`; the transports do not join).
@Suite(.timeLimit(.minutes(1))) struct TransportBatchingTests {
    /// What the transport saw: the most sends in flight at once, the most records in one send.
    final class SendWatch: Sendable {
        private struct State {
            var inFlight = 0
            var maxInFlight = 0
            var maxRecords = 0
        }

        private let state = Locked(State())

        var maxInFlight: Int { state.withLock { $0.maxInFlight } }
        var maxRecords: Int { state.withLock { $0.maxRecords } }

        func begin(_ bytes: [UInt8]) {
            let records = bytes.count { $0 == 0x1E }
            state.withLock { state in
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                state.maxRecords = max(state.maxRecords, records)
            }
        }

        func end() { state.withLock { $0.inFlight -= 1 } }
    }

    /// The built-in transports, with each connection's sends watched.
    struct WatchingFactory: TransportFactory {
        let watch: SendWatch

        func makeTransport(for type: HttpTransportType, logger: Logger) -> (any Transport)? {
            DefaultTransportFactory().makeTransport(for: type, logger: logger).map { Watched(inner: $0, watch: watch) }
        }

        struct Watched: Transport {
            let inner: any Transport
            let watch: SendWatch

            func connect(_ request: TransportRequest) async throws -> any TransportConnection {
                WatchedConnection(inner: try await inner.connect(request), watch: watch)
            }
        }

        struct WatchedConnection: TransportConnection {
            let inner: any TransportConnection
            let watch: SendWatch
            var frames: AsyncThrowingStream<[UInt8], any Error> { inner.frames }
            var hasInherentKeepAlive: Bool { inner.hasInherentKeepAlive }
            var prefersBatchedSends: Bool { inner.prefersBatchedSends }
            var maximumBatchSize: Int { inner.maximumBatchSize }
            var failedSendEndsConnection: Bool { inner.failedSendEndsConnection }

            func send(_ data: [UInt8]) async throws {
                watch.begin(data)
                defer { watch.end() }
                try await inner.send(data)
            }

            func close() async { await inner.close() }
        }
    }

    /// Large messages queued behind a WebSocket write are not joined past 64 KiB: eight 300 KiB
    /// echoes at once would make one WebSocket message above the hub's 1 MiB frame limit,
    /// which would end the connection, though each message alone is within it.
    @Test func largeQueuedWebSocketMessagesStayWithinTheServersFrameLimit() async throws {
        try await withServer { server in
            let watch = SendWatch()
            let options = HttpConnectionOptions(transports: .webSockets, transportFactory: WatchingFactory(watch: watch))
            let connection = try await connect(await server.testHubURL, .json, options: options)
            let payload = String(repeating: "x", count: 300 * 1024)
            try await withTimeout(.seconds(30), "the echoes") {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            let echoed = try await connection.invoke("Echo", payload, returning: String.self)
                            #expect(echoed.count == payload.count)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(await connection.state == .connected)
            #expect(watch.maxRecords == 1)
            try await connection.stop()
        }
    }

    @Test(arguments: [HttpTransportType.serverSentEvents, .longPolling])
    func concurrentInvocationsShareRequests(transport: HttpTransportType) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let watch = SendWatch()
            let options = HttpConnectionOptions(transports: transport, transportFactory: WatchingFactory(watch: watch))
            let connection = try await connect(await server.testHubURL, .json, options: options)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let sum = try await connection.invoke("Add", index, 1, returning: Int.self)
                        #expect(sum == index + 1)
                    }
                }
                try await group.waitForAll()
            }
            try await connection.stop()
            // Batching happened in the hub connection (several messages in one send) or in the
            // transport (several sends waiting on one POST at once).
            #expect(watch.maxInFlight > 1 || watch.maxRecords > 1)
        }
    }
}
