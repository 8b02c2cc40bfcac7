import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Transport choice and fallback against the in-repo hub: the official client's order
/// (WebSockets, Server-Sent Events, Long Polling), skipping what the server does not offer or
/// what cannot carry the hub protocol, a fresh negotiate before each transport actually tried,
/// and one aggregated error when none works (CLIENT-FACTS.md, "Transport fallback").
@Suite(.timeLimit(.minutes(1))) struct TransportFallbackTests {
    /// A server offering only `transports`, with short Long Polling holds.
    static func configuration(_ transports: Set<TransportKind>) -> HubServerConfiguration {
        var configuration = TransportCase.serverConfiguration
        configuration.transports = transports
        return configuration
    }

    /// Starts a connection with every transport allowed and the watched factory.
    static func start(
        _ url: String, _ kind: ProtocolKind, factory: WatchedTransportFactory, log: LogMessages = LogMessages(),
        transports: HttpTransportType = .all
    ) async throws -> HubConnection {
        let options = HttpConnectionOptions(transports: transports, transportFactory: factory)
        return try await connect(url, kind, options: options) { $0.configureLogging(log.logger()) }
    }

    /// The error `start()` fails with when connecting as in ``start(_:_:factory:log:transports:)``.
    static func startError(
        _ url: String, _ kind: ProtocolKind, factory: WatchedTransportFactory, log: LogMessages = LogMessages(),
        transports: HttpTransportType = .all
    ) async throws -> SignalRError {
        let options = HttpConnectionOptions(transports: transports, transportFactory: factory)
        let connection = try HubConnectionBuilder().withUrl(url, options: options)
            .withHubProtocol(kind.hubProtocol).configureLogging(log.logger()).build()
        let closes = EventRecorder<String>()
        await connection.onClose { _ in closes.record("closed") }
        let error = await caught { try await withTimeout(.seconds(10), "start()") { try await connection.start() } }
        #expect(await connection.state == .disconnected)
        // A failed start() runs no onClose; a marker proves nothing was queued before it.
        closes.record("marker")
        #expect(try await closes.first() == "marker")
        return try #require(error as? SignalRError)
    }

    static func transport(of connection: HubConnection) async throws -> String {
        try await connection.invoke("GetTransport", returning: String.self)
    }

    @Test(arguments: ProtocolKind.allCases)
    func aServerWithoutWebSocketsIsReachedOverTheNextTransport(kind: ProtocolKind) async throws {
        try await withServer(configuration: Self.configuration([.serverSentEvents, .longPolling])) { server in
            let factory = WatchedTransportFactory()
            let connection = try await Self.start(await server.testHubURL, kind, factory: factory)
            // MessagePack cannot use Server-Sent Events (text only), so it lands on Long Polling.
            let expected = kind == .json ? "ServerSentEvents" : "LongPolling"
            #expect(try await Self.transport(of: connection) == expected)
            #expect(factory.triedNames == [expected])
            #expect(await server.counters.negotiateRequests == 1)
            #expect(try await connection.invoke("Add", 1, 2, returning: Int.self) == 3)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func webSocketsRefusedAfterNegotiateFallsBackWithAFreshNegotiate(kind: ProtocolKind) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            // Negotiate offers WebSockets; the switch then makes the server refuse the upgrade.
            let factory = WatchedTransportFactory { type in
                if type == .webSockets { await server.faults.disable(.webSockets) }
            }
            let connection = try await Self.start(await server.testHubURL, kind, factory: factory)
            let expected = kind == .json ? "ServerSentEvents" : "LongPolling"
            #expect(try await Self.transport(of: connection) == expected)
            #expect(factory.triedNames == ["WebSockets", expected])
            #expect(await server.counters.negotiateRequests == 2)
            // The connection of the refused attempt never completed a handshake.
            #expect(await server.counters.handshakesCompleted == 1)
            #expect(try await connection.invoke("Echo", "after fallback", returning: String.self) == "after fallback")
            try await connection.stop()
        }
    }

    @Test func aFailedNegotiateBeforeTheNextTransportFailsStartAtOnce() async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            // WebSockets is refused after the first negotiate, and the negotiate before the next
            // transport is answered 503: start() fails with that error, nothing else is tried.
            let factory = WatchedTransportFactory { type in
                if type == .webSockets {
                    await server.faults.disable(.webSockets)
                    await server.faults.refuseNegotiate(status: 503, times: 1)
                }
            }
            let error = try await Self.startError(await server.testHubURL, .json, factory: factory)
            #expect(error.message == "Failed to complete negotiation with the server: Error: Service Unavailable: Status code '503'")
            #expect(error.statusCode == 503)
            #expect(factory.triedNames == ["WebSockets"])
            #expect(await server.counters.negotiateRequests == 2)
        }
    }

    @Test func webSocketsAndServerSentEventsRefusedEndsOnLongPolling() async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let factory = WatchedTransportFactory { type in
                if type == .webSockets {
                    await server.faults.disable(.webSockets)
                    await server.faults.disable(.serverSentEvents)
                }
            }
            let connection = try await Self.start(await server.testHubURL, .json, factory: factory)
            #expect(try await Self.transport(of: connection) == "LongPolling")
            #expect(factory.triedNames == ["WebSockets", "ServerSentEvents", "LongPolling"])
            #expect(await server.counters.negotiateRequests == 3)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aServerOfferingOnlyLongPollingIsUsedOverLongPolling(kind: ProtocolKind) async throws {
        try await withServer(configuration: Self.configuration([.longPolling])) { server in
            let factory = WatchedTransportFactory()
            let connection = try await Self.start(await server.testHubURL, kind, factory: factory)
            #expect(try await Self.transport(of: connection) == "LongPolling")
            #expect(factory.triedNames == ["LongPolling"])
            #expect(await server.counters.transportRequests[.webSockets] == nil)
            #expect(await server.counters.transportRequests[.serverSentEvents] == nil)
            try await connection.stop()
        }
    }

    @Test func whenNoTransportWorksStartFailsWithEveryFailure() async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            // Negotiate offers all three; then the server refuses every transport.
            let factory = WatchedTransportFactory { type in
                if type == .webSockets {
                    for transport in TransportKind.allCases { await server.faults.disable(transport) }
                }
            }
            let error = try await Self.startError(await server.testHubURL, .json, factory: factory)
            #expect(factory.triedNames == ["WebSockets", "ServerSentEvents", "LongPolling"])
            #expect(error.code == .transportFailed)
            // Each failure in the official wording; the WebSockets one is the JS client's text for a refused upgrade.
            #expect(error.message == "Unable to connect to the server with any of the available transports. "
                + "WebSockets failed: WebSocket failed to connect. The connection could not be found on the server, either "
                + "the endpoint may not be a SignalR endpoint, the connection ID is not present on the server, or there is a "
                + "proxy blocking WebSockets. If you have multiple servers check that sticky sessions are enabled. "
                + "ServerSentEvents failed: Not Found: Status code '404' "
                + "LongPolling failed: Not Found: Status code '404'")
        }
    }

    @Test func transportsTheClientDisallowsAreListedAsDisabled() async throws {
        try await withServer(configuration: Self.configuration([.serverSentEvents, .longPolling])) { server in
            let log = LogMessages()
            let factory = WatchedTransportFactory()
            let error = try await Self.startError(await server.testHubURL, .json, factory: factory, log: log, transports: .webSockets)
            #expect(factory.triedNames.isEmpty)
            #expect(error.message == "Unable to connect to the server with any of the available transports. "
                + "ServerSentEvents failed: 'ServerSentEvents' is disabled by the client. "
                + "LongPolling failed: 'LongPolling' is disabled by the client.")
            #expect(log.all.contains("Skipping transport 'ServerSentEvents' because it was disabled by the client."))
        }
    }

    @Test func messagePackSkipsServerSentEventsWithTheOfficialWording() async throws {
        try await withServer(configuration: Self.configuration([.serverSentEvents])) { server in
            let log = LogMessages()
            let factory = WatchedTransportFactory()
            let error = try await Self.startError(await server.testHubURL, .messagepack, factory: factory, log: log)
            #expect(factory.triedNames.isEmpty)
            #expect(error.message == "Unable to connect to the server with any of the available transports. "
                + "ServerSentEvents failed: 'ServerSentEvents' does not support Binary.")
            #expect(await server.counters.transportRequests[.serverSentEvents] == nil)
            #expect(log.all.contains(
                "Skipping transport 'ServerSentEvents' because it does not support the requested transfer format 'Binary'."))
        }
    }
}
