import Foundation
import HTTPTypes
import NIOHTTP1
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing
import WSClient

/// The hub's authorization hook and request recorder, driven with raw HTTP requests.
@Suite("Authorization and request recording")
struct AuthorizationTests {
    /// Accepts the bearer token "good" only.
    static func configuration() -> HubServerConfiguration {
        var configuration = fastConfiguration()
        configuration.authorize = { request in request.accessToken == "good" }
        return configuration
    }

    @Test("every endpoint answers 401 without an accepted token; the token may come from the query")
    func unauthorizedRequestsGet401() async throws {
        try await withTestServer(configuration: Self.configuration()) { server in
            let hub = await server.url(for: SignalRTestServer.testHubPath)
            let refused = try await http(.POST, hub + "/negotiate?negotiateVersion=1")
            #expect(refused.status == 401)
            #expect(refused.headers["WWW-Authenticate"] == ["Bearer"])
            #expect(try await http(.POST, hub + "/negotiate", headers: [("Authorization", "Bearer bad")]).status == 401)

            let negotiated = try await http(.POST, hub + "/negotiate?negotiateVersion=1", headers: [("Authorization", "Bearer good")])
            #expect(negotiated.status == 200)
            let body = try #require(JSONSerialization.jsonObject(with: Data(negotiated.body)) as? [String: Any])
            let token = try #require(body["connectionToken"] as? String)
            let url = hub + "?id=\(token)"
            #expect(try await http(.GET, url, headers: [("Accept", "text/event-stream")]).status == 401)
            #expect(try await http(.GET, url).status == 401)
            #expect(try await http(.POST, url, body: [0x1E]).status == 401)
            #expect(try await http(.DELETE, url).status == 401)
            // ASP.NET Core's JWT setup for SignalR also reads `access_token` from the query.
            #expect(try await http(.GET, url + "&access_token=good").status == 200)
            #expect(try await http(.DELETE, url + "&access_token=good").status == 202)
            // The DELETE ended the connection at once (as ASP.NET Core): it is unknown now.
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
            #expect(try await http(.GET, url + "&access_token=good").status == 404)
        }
    }

    @Test("a refused WebSocket upgrade is recorded (Hummingbird can only answer it 400)")
    func unauthorizedWebSocketUpgrade() async throws {
        try await withTestServer(configuration: Self.configuration()) { server in
            server.requests.start()
            let hub = await server.url(for: SignalRTestServer.testHubPath)
            await #expect(throws: (any Error).self) {
                try await withWebSocket(hub) { _ in }
            }
            let record = try #require(server.requests.recorded.first)
            #expect(record.kind == .webSocket)
            #expect(record.status == 400)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer good"
            try await withWebSocket(hub, headers: headers) { socket in try await socket.handshakeJSON() }
            #expect(server.requests.recorded.last?.status == 101)
        }
    }

    @Test("the recorder keeps each request's kind, headers, query and status, and sets test cookies")
    func recorderAndCookies() async throws {
        try await withTestServer(configuration: fastConfiguration()) { server in
            let hub = await server.url(for: SignalRTestServer.testHubPath)
            _ = try await http(.POST, hub + "/negotiate?negotiateVersion=1")
            #expect(server.requests.recorded.isEmpty)  // not started
            server.requests.start()
            server.requests.setCookie("affinity", "n1", on: [.negotiate])
            let negotiated = try await http(.POST, hub + "/negotiate?negotiateVersion=1", headers: [("X-Test", "1")])
            #expect(negotiated.headers["Set-Cookie"] == ["affinity=n1; Path=/"])
            let body = try #require(JSONSerialization.jsonObject(with: Data(negotiated.body)) as? [String: Any])
            let token = try #require(body["connectionToken"] as? String)
            #expect(try await http(.GET, hub + "?id=\(token)").headers["Set-Cookie"].isEmpty)
            let records = server.requests.recorded
            #expect(records.map(\.kind) == [.negotiate, .poll])
            #expect(records.map(\.status) == [200, 200])
            #expect(records[0].headers["x-test"] == "1")
            #expect(records[0].query["negotiateVersion"] == "1")
            #expect(records[1].query["id"] == token)
            server.requests.reset()
            _ = try await http(.POST, hub + "/negotiate")
            #expect(server.requests.recorded.isEmpty)
        }
    }
}
