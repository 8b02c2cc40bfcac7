import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// What every request of a connection carries, seen by the in-repo hub's request recorder: the
/// user's headers and the cookies the server set (negotiate and transport responses alike).
@Suite(.timeLimit(.minutes(1))) struct RequestHeadersTests {
    /// The request kinds a connection over `transport` makes: connect, invoke, stop.
    static func expectedKinds(_ transport: SingleTransport) -> Set<HubRequestKind> {
        switch transport {
        case .webSockets: return [.negotiate, .webSocket]
        case .serverSentEvents: return [.negotiate, .serverSentEvents, .send]
        // The DELETE of stop() races the 204 that ends the poll after the Close message: it is
        // checked on its own below.
        case .longPolling: return [.negotiate, .poll, .send]
        }
    }

    /// Connects over `transport`, invokes, stops; returns what the server recorded meanwhile.
    private func run(
        _ server: HubServer, _ transport: SingleTransport, options: HttpConnectionOptions = HttpConnectionOptions()
    ) async throws -> [RequestRecorder.Record] {
        var options = options
        options.transports = transport.type
        server.requests.start()
        let connection = try await connect(await server.testHubURL, options: options)
        let sum: Int = try await withTimeout { try await connection.invoke("Add", 1, 1) }
        #expect(sum == 2)
        try await connection.stop()
        return server.requests.recorded.filter { $0.kind != .delete }
    }

    @Test(arguments: SingleTransport.allCases)
    func userHeaderIsOnEveryRequest(transport: SingleTransport) async throws {
        try await withServer { server in
            var options = HttpConnectionOptions()
            options.headers = ["X-Everywhere": "yes"]
            let records = try await run(server, transport, options: options)
            #expect(Set(records.map(\.kind)) == Self.expectedKinds(transport))
            for record in records {
                #expect(record.headers["x-everywhere"] == "yes", "\(record.kind) lacks the header")
                #expect(record.headers["user-agent"]?.hasPrefix("Microsoft SignalR/") == true, "\(record.kind)")
            }
        }
    }

    @Test(arguments: SingleTransport.allCases)
    func cookieSetOnNegotiateIsSentOnEveryLaterRequest(transport: SingleTransport) async throws {
        try await withServer { server in
            server.requests.setCookie("affinity", "node-2", on: [.negotiate])
            let records = try await run(server, transport)
            #expect(Set(records.map(\.kind)) == Self.expectedKinds(transport))
            let later = records.filter { $0.kind != .negotiate }
            #expect(!later.isEmpty)
            for record in later {
                #expect(record.headers["cookie"]?.contains("affinity=node-2") == true, "\(record.kind): \(record.headers["cookie"] ?? "no cookie")")
            }
        }
    }

    /// A cookie set by a transport response (the event stream's, a poll's) is sent on the requests
    /// after it.
    @Test(arguments: [SingleTransport.serverSentEvents, .longPolling])
    func cookieSetOnATransportResponseIsSentOnLaterRequests(transport: SingleTransport) async throws {
        try await withServer { server in
            server.requests.setCookie("route", "r7", on: [.serverSentEvents, .poll])
            let records = try await run(server, transport)
            let later = records.filter { $0.kind == .send || $0.kind == .delete }
            #expect(!later.isEmpty)
            for record in later {
                #expect(record.headers["cookie"]?.contains("route=r7") == true, "\(record.kind): \(record.headers["cookie"] ?? "no cookie")")
            }
            #expect(records.first { $0.kind == .negotiate }?.headers["cookie"] == nil)
        }
    }

    /// The Long Polling `DELETE`, made deterministic: the transport is closed without a Close
    /// message first, so no 204 can end the poll loop before it.
    @Test func longPollingDeleteCarriesTheHeaderAndTheCookies() async throws {
        try await withServer { server in
            server.requests.setCookie("affinity", "node-2", on: [.negotiate])
            server.requests.setCookie("route", "r7", on: [.poll])
            server.requests.start()
            var options = HttpConnectionOptions()
            options.transports = .longPolling
            options.headers = ["X-Everywhere": "yes"]
            let factory = HTTPConnectionFactory(url: await server.testHubURL, options: options, logger: Logger(label: "test"))
            let owner = ConnectionTaskOwner()
            defer { owner.finish() }
            let established = try await factory.connect(
                transferFormat: .text, logger: Logger(label: "test"), opener: TransportOpener(owner: owner)
            )
            let reader = RecordReader(established.transport.frames)
            try await established.transport.send(TransportTest.handshake)
            #expect(try await reader.next() == "{}")
            await established.transport.close()
            established.scope.release()
            await established.scope.task.value
            let delete = try #require(server.requests.recorded.first { $0.kind == .delete })
            #expect(delete.status == 202)
            #expect(delete.headers["x-everywhere"] == "yes")
            #expect(delete.headers["cookie"] == "affinity=node-2; route=r7")
        }
    }
}
