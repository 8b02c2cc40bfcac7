import Foundation
import SignalRClient
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Negotiate redirects as Azure SignalR Service sends them (`{url, accessToken}`), against the
/// in-repo hub's redirect switch.
@Suite(.timeLimit(.minutes(1))) struct RedirectTests {
    /// Two hops, each with its own token: the second and third negotiate carry the previous hop's
    /// token, and the transport carries the last one; the provider is asked only once.
    @Test(arguments: SingleTransport.allCases)
    func twoHopChainUsesEachRedirectsToken(transport: SingleTransport) async throws {
        try await withServer { server in
            let hub = await server.testHubURL
            await server.faults.redirectNegotiate(chain: [
                (url: hub + "?hop=1", accessToken: "hop-1-token"),
                (url: hub + "?hop=2", accessToken: "hop-2-token"),
            ])
            server.requests.start()
            let source = TokenSource("user-token")
            var options = HttpConnectionOptions()
            options.transports = transport.type
            options.accessTokenFactory = source.provider
            let connection = try await connect(hub, options: options)
            let sum: Int = try await withTimeout { try await connection.invoke("Add", 4, 5) }
            #expect(sum == 9)
            try await connection.stop()

            let records = server.requests.recorded
            let negotiates = records.filter { $0.kind == .negotiate }
            #expect(negotiates.map { $0.headers["authorization"] } == [
                "Bearer user-token", "Bearer hop-1-token", "Bearer hop-2-token",
            ])
            #expect(negotiates.map { $0.query["hop"] } == [nil, "1", "2"])
            let transportRequests = records.filter { $0.kind != .negotiate }
            #expect(!transportRequests.isEmpty)
            for record in transportRequests {
                #expect(record.headers["authorization"] == "Bearer hop-2-token", "\(record.kind)")
                #expect(record.query["hop"] == "2", "\(record.kind) went to the redirect's URL")
            }
            #expect(source.calls == 1)
        }
    }

    @Test func redirectLimitFailsStartWithTheOfficialText() async throws {
        try await withServer { server in
            let hub = await server.testHubURL
            await server.faults.redirectNegotiate(to: hub, accessToken: "again")
            let connection = try HubConnectionBuilder().withUrl(hub).build()
            // 100 round trips: a generous bound, for a machine busy with other work.
            let error = await caught { try await withTimeout(.seconds(30)) { try await connection.start() } }
            #expect((error as? SignalRError)?.message == "Negotiate redirection limit exceeded.", "\(String(describing: error))")
            // 100 redirects followed (the official client's MAX_REDIRECTS); the next one is refused.
            #expect(await server.counters.negotiateRequests == 100)
            #expect(await connection.state == .disconnected)
        }
    }
}
