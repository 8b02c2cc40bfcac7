import NIOHTTP1
import SignalRServer
import SignalRTestSupport
import Testing

/// The connection timers run on the configured clock: with a manual clock, nothing happens
/// until the test moves time, and then exactly at the deadlines (ASP.NET Core's defaults:
/// keep-alive 15 s, client timeout 30 s, handshake and disconnect timeouts 15 s).
@Suite("the server's timers on an injected clock")
struct ServerClockTests {
    static func configuration(_ clock: ManualClock) -> HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.clock = clock
        return configuration
    }

    @Test("a Ping exactly when nothing was sent for the keep-alive interval")
    func keepAlive() async throws {
        let clock = ManualClock()
        try await withTestServer(configuration: Self.configuration(clock)) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                // Time stands still: the next frame is the answer, not a Ping.
                try await socket.send(#"{"type":1,"invocationId":"1","target":"Add","arguments":[1,2]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":3,"invocationId":"1","result":3}"# + rs)
                for round in 1...2 {
                    try await clock.waitForSleeper(until: .seconds(15 * round))
                    clock.advance(by: .seconds(15))
                    #expect(try await socket.nextText() == #"{"type":6}"# + rs)
                }
            }
        }
    }

    @Test("after the client's first Ping, the client timeout closes the connection at 30 s")
    func clientTimeout() async throws {
        let clock = ManualClock()
        try await withTestServer(configuration: Self.configuration(clock)) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":6}"# + rs)
                // An answer shows the Ping was read at 0 s (messages are read in order).
                try await socket.send(#"{"type":1,"invocationId":"1","target":"Add","arguments":[1,2]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":3,"invocationId":"1","result":3}"# + rs)
                try await clock.waitForSleeper(until: .seconds(15))
                clock.advance(by: .seconds(15))
                #expect(try await socket.nextText() == #"{"type":6}"# + rs)
                try await clock.waitForSleeper(until: .seconds(30))
                clock.advance(by: .seconds(15))
                #expect(try await socket.nextText() == #"{"type":7}"# + rs)
                #expect(try await socket.next() == nil)
            }
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
        }
    }

    @Test("a connection that sends no handshake request is refused at the handshake timeout")
    func handshakeTimeout() async throws {
        let clock = ManualClock()
        try await withTestServer(configuration: Self.configuration(clock)) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await clock.waitForSleeper(until: .seconds(15))
                clock.advance(by: .seconds(15))
                #expect(try await socket.nextText() == #"{"error":"Handshake was canceled."}"# + rs)
                #expect(try await socket.next() == nil)
            }
        }
    }

    @Test("a negotiated connection that never connects ends at the disconnect timeout")
    func disconnectTimeout() async throws {
        let clock = ManualClock()
        try await withTestServer(configuration: Self.configuration(clock)) { server in
            _ = try await negotiate(server)
            #expect(await server.counters.openConnections == 1)
            try await clock.waitForSleeper(until: .seconds(15))
            clock.advance(by: .seconds(15))
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
        }
    }

    @Test("a Long Polling GET with nothing to send is held for the poll timeout (90 s)")
    func pollHold() async throws {
        let clock = ManualClock()
        try await withTestServer(configuration: Self.configuration(clock)) { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            let url = await server.url(for: "/hubs/test") + "?id=\(token)"
            #expect(try await http(.GET, url).body.isEmpty)
            #expect(try await http(.POST, url, body: Array(#"{"protocol":"json","version":1}"#.utf8) + [0x1E]).status == 200)
            #expect(try await http(.GET, url).text == "{}" + rs)
            let held = Task { try await http(.GET, url) }
            try await clock.waitForSleeper(until: .seconds(90))
            clock.advance(by: .seconds(90))
            let answer = try await held.value
            #expect(answer.status == 200 && answer.body.isEmpty)
            #expect(try await http(.DELETE, url).status == 202)
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
            #expect(try await http(.GET, url).status == 404)
        }
    }
}
