import Foundation
import HTTPTypes
import NIOHTTP1
import SignalRServer
import SignalRServerTesting
import Testing

@Suite("Negotiate")
struct NegotiateTests {
    @Test("version 1 lists id, token and the three transports in ASP.NET Core's field order")
    func versionOne() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test") + "/negotiate?negotiateVersion=1"
            let response = try await http(.POST, url)
            #expect(response.status == 200)
            #expect(response.headers["content-type"].first == "application/json")
            let body = try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let id = try #require(body["connectionId"] as? String)
            let token = try #require(body["connectionToken"] as? String)
            #expect(id != token)
            #expect(token.count >= 22)
            let expected = #"{"negotiateVersion":1,"connectionId":"\#(id)","connectionToken":"\#(token)","#
                + #""availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},"#
                + #"{"transport":"ServerSentEvents","transferFormats":["Text"]},"#
                + #"{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}"#
            #expect(response.text == expected)
        }
    }

    @Test("version 0 has no token; the id is the token")
    func versionZero() async throws {
        try await withTestServer { server in
            let body = try await negotiate(server, query: "")
            #expect(body["negotiateVersion"] as? Int == 0)
            #expect(body["connectionToken"] == nil)
            let id = try #require(body["connectionId"] as? String)
            let poll = try await http(.GET, await server.url(for: "/hubs/test") + "?id=\(id)")
            #expect(poll.status == 200)
        }
    }

    @Test("a higher requested version is answered with 1; stateful reconnect is granted when asked")
    func statefulAndHigherVersion() async throws {
        try await withTestServer { server in
            let body = try await negotiate(server, query: "negotiateVersion=7&useStatefulReconnect=true")
            #expect(body["negotiateVersion"] as? Int == 1)
            #expect(body["useStatefulReconnect"] as? Bool == true)
            let plain = try await negotiate(server)
            #expect(plain["useStatefulReconnect"] == nil)
        }
    }

    @Test("a non-integer version gets ASP.NET Core's error body")
    func badVersion() async throws {
        try await withTestServer { server in
            let response = try await http(.POST, await server.url(for: "/hubs/test") + "/negotiate?negotiateVersion=x")
            #expect(response.text == #"{"error":"The client requested a non-integer protocol version."}"#)
        }
    }

    @Test("unknown and missing tokens: 404 and 400 with ASP.NET Core's texts")
    func badToken() async throws {
        try await withTestServer { server in
            let base = await server.url(for: "/hubs/test")
            let unknown = try await http(.GET, base + "?id=nope")
            #expect(unknown.status == 404)
            #expect(unknown.text == "No Connection with that ID")
            let post = try await http(.POST, base + "?id=nope", body: Array("x".utf8))
            #expect(post.status == 404)
            let missing = try await http(.GET, base)
            #expect(missing.status == 400)
            #expect(missing.text == "Connection ID required")
        }
    }

    @Test("faults: status, error field, redirect, disabled transport; counters")
    func faults() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test") + "/negotiate?negotiateVersion=1"
            await server.faults.refuseNegotiate(status: 503, times: 1)
            #expect(try await http(.POST, url).status == 503)
            #expect(try await http(.POST, url).status == 200)

            await server.faults.refuseNegotiate(error: "Nope.")
            #expect(try await http(.POST, url).text == #"{"error":"Nope."}"#)

            let chat = await server.url(for: "/hubs/chat")
            await server.faults.redirectNegotiate(to: chat, accessToken: "secret")
            #expect(try await http(.POST, url).text == #"{"url":"\#(chat)","accessToken":"secret"}"#)
            await server.faults.clearNegotiateFault()

            await server.faults.disable(.webSockets)
            let body = try await negotiate(server)
            let transports = try #require(body["availableTransports"] as? [[String: Any]])
            #expect(transports.compactMap { $0["transport"] as? String } == ["ServerSentEvents", "LongPolling"])
            await server.faults.reset()

            let counters = await server.counters
            #expect(counters.negotiateRequests == 5)
            #expect(counters.connectionsCreated == 2)
        }
    }
}
