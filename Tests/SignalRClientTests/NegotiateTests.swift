import Foundation
import Logging
import SignalRProtocol
import Testing
@testable import SignalRClient

@Suite("Negotiate")
struct NegotiateTests {
    static let v1 = #"{"connectionId":"abc","connectionToken":"tok","negotiateVersion":1,"availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}"#

    private func connect(
        _ url: String = "http://h/hub", options: HttpConnectionOptions = HttpConnectionOptions(),
        requester: FakeRequester, factory: FakeTransportFactory = FakeTransportFactory(),
        format: TransferFormat = .text
    ) async throws -> EstablishedConnection {
        var options = options
        options.transportFactory = factory
        let connection = HTTPConnectionFactory(url: url, options: options, requester: requester, logger: Logger(label: "test"))
        let owner = ConnectionTaskOwner()
        defer { owner.finish() }
        let established = try await connection.connect(
            transferFormat: format, logger: Logger(label: "test"), opener: TransportOpener(owner: owner)
        )
        // Only what the connect did is checked: the transport's scope closes at once.
        established.scope.release()
        await established.scope.task.value
        return established
    }

    @Test(arguments: [
        ("http://h/endpoint/?q=a/b", "http://h/endpoint/negotiate?q=a/b&negotiateVersion=1"),
        ("http://h/endpoint?q=a/b", "http://h/endpoint/negotiate?q=a/b&negotiateVersion=1"),
        ("http://h/endpoint", "http://h/endpoint/negotiate?negotiateVersion=1"),
        ("https://h/endpoint/", "https://h/endpoint/negotiate?negotiateVersion=1"),
        ("http://h/endpoint?negotiateVersion=2", "http://h/endpoint/negotiate?negotiateVersion=2"),
    ])
    func negotiateURL(hub: String, expected: String) {
        #expect(NegotiateURL.negotiate(hub) == expected)
    }

    @Test func connectURLKeepsTheQuery() {
        #expect(NegotiateURL.connect("http://h/endpoint?q=a/b", connectionToken: "tok") == "http://h/endpoint?q=a/b&id=tok")
        #expect(NegotiateURL.connect("http://h/endpoint", connectionToken: "a+b/c") == "http://h/endpoint?id=a%2Bb%2Fc")
        #expect(NegotiateURL.connect("http://h/endpoint", connectionToken: nil) == "http://h/endpoint")
        #expect(NegotiateURL.negotiate("http://h/hub", useStatefulReconnect: true) == "http://h/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true")
    }

    @Test func aHubURLWithUseStatefulReconnectAsksForItOnce() async throws {
        #expect(NegotiateURL.asksForStatefulReconnect("http://h/hub?useStatefulReconnect=true"))
        #expect(!NegotiateURL.asksForStatefulReconnect("http://h/hub?useStatefulReconnect=false"))
        #expect(!NegotiateURL.asksForStatefulReconnect("http://h/hub"))
        // The key is kept, negotiateVersion comes after it, and the key is not added again.
        #expect(
            NegotiateURL.negotiate("http://h/hub?useStatefulReconnect=true", useStatefulReconnect: true)
                == "http://h/hub/negotiate?useStatefulReconnect=true&negotiateVersion=1"
        )
        // Through a connect: the server's grant is accepted (the URL asked for it) and the
        // WebSocket transport can be resumed.
        let granted = Self.v1.replacingOccurrences(of: #""negotiateVersion":1"#, with: #""negotiateVersion":1,"useStatefulReconnect":true"#)
        let requester = FakeRequester(json: granted)
        let established = try await connect("http://h/hub?useStatefulReconnect=true", requester: requester)
        #expect(requester.urls == ["http://h/hub/negotiate?useStatefulReconnect=true&negotiateVersion=1"])
        #expect(established.resumeTransport != nil)
    }

    @Test func aServerGrantingStatefulReconnectUnaskedFailsStart() async throws {
        let granted = Self.v1.replacingOccurrences(of: #""negotiateVersion":1"#, with: #""negotiateVersion":1,"useStatefulReconnect":true"#)
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: FakeRequester(json: granted)) }
        #expect(error?.message == "Client didn't negotiate Stateful Reconnect but the server did.")
        #expect(error?.code == .negotiationFailed)
    }

    @Test func parsesVersion1AndVersion0() throws {
        let v1 = try NegotiateResponse.parse(Array(Self.v1.utf8))
        #expect(v1.connectionId == "abc")
        #expect(v1.connectionToken == "tok")
        #expect(v1.negotiateVersion == 1)
        #expect(v1.availableTransports.map(\.transport) == ["WebSockets", "ServerSentEvents", "LongPolling"])
        #expect(v1.availableTransports[1].transferFormats == ["Text"])
        let v0 = try NegotiateResponse.parse(Array(#"{"connectionId":"old","availableTransports":[]}"#.utf8))
        #expect(v0.negotiateVersion == 0)
        #expect(v0.connectionToken == "old")
        let redirect = try NegotiateResponse.parse(Array(#"{"url":"https://x/client/?hub=chat","accessToken":"t"}"#.utf8))
        #expect(redirect.url == "https://x/client/?hub=chat")
        #expect(redirect.accessToken == "t")
        #expect(throws: SignalRError.self) { try NegotiateResponse.parse(Array("[1]".utf8)) }
        #expect(throws: SignalRError.self) { try NegotiateResponse.parse(Array("nope".utf8)) }
    }

    @Test func version1ConnectsWithTheTokenAndReportsTheId() async throws {
        let requester = FakeRequester(json: Self.v1)
        let factory = FakeTransportFactory()
        let established = try await connect("http://h/hub?tenant=blue", requester: requester, factory: factory)
        #expect(requester.urls == ["http://h/hub/negotiate?tenant=blue&negotiateVersion=1"])
        #expect(factory.connectedURLs == ["http://h/hub?tenant=blue&id=tok"])
        #expect(established.connectionId == "abc")
        #expect(established.transportName == "WebSockets")
    }

    @Test func version0UsesTheConnectionId() async throws {
        let requester = FakeRequester(json: #"{"connectionId":"legacy","availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]}"#)
        let factory = FakeTransportFactory()
        let established = try await connect(requester: requester, factory: factory)
        #expect(factory.connectedURLs == ["http://h/hub?id=legacy"])
        #expect(established.connectionId == "legacy")
    }

    @Test func errorFieldFailsWithItsText() async throws {
        let error = await #expect(throws: SignalRError.self) {
            _ = try await connect(requester: FakeRequester(json: #"{"error":"Not allowed."}"#))
        }
        #expect(error?.code == .negotiationFailed)
        #expect(error?.message == "Not allowed.")
    }

    @Test func aStatusOutside2xxFailsWithTheOfficialText() async throws {
        // The reason phrase when the body is empty (the official HTTP client's HttpError).
        let requester = FakeRequester([HTTPResult(statusCode: 503, body: [], setCookies: [], reason: "Service Unavailable")])
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(error?.message == "Failed to complete negotiation with the server: Error: Service Unavailable: Status code '503'")
        #expect(error?.statusCode == 503)
        // The body when there is one.
        let withBody = FakeRequester([HTTPResult(statusCode: 999, body: Array("Overloaded".utf8), setCookies: [], reason: "")])
        let bodyError = await #expect(throws: SignalRError.self) { _ = try await connect(requester: withBody) }
        #expect(bodyError?.message == "Failed to complete negotiation with the server: Error: Overloaded: Status code '999'")
        #expect(bodyError?.statusCode == 999)
    }

    @Test func a404AddsTheOfficialHint() async throws {
        let requester = FakeRequester([HTTPResult(statusCode: 404, body: [], setCookies: [], reason: "Not Found")])
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(
            error?.message
                == "Failed to complete negotiation with the server: Error: Not Found: Status code '404' Either this is not a SignalR endpoint or there is a proxy blocking the connection."
        )
    }

    @Test func a2xxOtherThan200IsUnexpected() async throws {
        let requester = FakeRequester([HTTPResult(statusCode: 204, body: [], setCookies: [], reason: "No Content")])
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(error?.message == "Unexpected status code returned from negotiate '204'")
        #expect(error?.statusCode == 204)
    }

    @Test func detectsAnASPNETSignalRServer() async throws {
        let requester = FakeRequester(json: #"{"Url":"/signalr","ConnectionToken":"X","ConnectionId":"1","ProtocolVersion":"2.0"}"#)
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(error?.message == "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET Core SignalR Server. See https://aka.ms/signalr-core-differences for details.")
    }

    @Test func followsRedirectsWithTheirAccessToken() async throws {
        let requester = FakeRequester(json: #"{"url":"https://azure.example/client/?hub=chat","accessToken":"redirect-token"}"#, Self.v1)
        let factory = FakeTransportFactory()
        var options = HttpConnectionOptions()
        options.accessTokenFactory = { "user-token" }
        _ = try await connect(options: options, requester: requester, factory: factory)
        #expect(requester.urls == ["http://h/hub/negotiate?negotiateVersion=1", "https://azure.example/client/negotiate?hub=chat&negotiateVersion=1"])
        let headers = requester.requests.withLock { $0.map(\.headers) }
        #expect(headers[0]["Authorization"] == "Bearer user-token")
        #expect(headers[1]["Authorization"] == "Bearer redirect-token")
        #expect(factory.connectedURLs == ["https://azure.example/client/?hub=chat&id=tok"])
        #expect(factory.requests.withLock { $0[0].1.headers["Authorization"] } == "Bearer redirect-token")
    }

    @Test func redirectLimit() async throws {
        let redirect = #"{"url":"http://h/hub"}"#
        let requester = FakeRequester(Array(repeating: HTTPResult(statusCode: 200, body: Array(redirect.utf8), setCookies: []), count: 101))
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(error?.message == "Negotiate redirection limit exceeded.")
        #expect(requester.urls.count == 100)
    }

    @Test func noCommonTransport() async throws {
        let requester = FakeRequester(json: #"{"connectionId":"a","connectionToken":"b","negotiateVersion":1,"availableTransports":[]}"#)
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester) }
        #expect(error?.message == "None of the transports supported by the client are supported by the server.")
    }

    @Test func fallbackAggregatesFailuresAndNegotiatesAgain() async throws {
        let requester = FakeRequester(json: Self.v1, Self.v1)
        var factory = FakeTransportFactory()
        factory.failing = [.webSockets: SignalRError(.transportFailed, "There was an error with the transport.")]
        factory.unavailable = [.serverSentEvents]
        let established = try await connect(requester: requester, factory: factory)
        #expect(established.transportName == "LongPolling")
        #expect(requester.urls.count == 2)

        var allFail = FakeTransportFactory()
        allFail.failing = [.webSockets: SignalRError(.transportFailed, "There was an error with the transport.")]
        var options = HttpConnectionOptions()
        options.transports = .webSockets
        let error = await #expect(throws: SignalRError.self) {
            _ = try await connect(options: options, requester: FakeRequester(json: Self.v1), factory: allFail)
        }
        #expect(error?.message == "Unable to connect to the server with any of the available transports. WebSockets failed: There was an error with the transport. ServerSentEvents failed: 'ServerSentEvents' is disabled by the client. LongPolling failed: 'LongPolling' is disabled by the client.")
    }

    @Test func binaryIsNotOfferedOverServerSentEvents() async throws {
        let requester = FakeRequester(json: #"{"connectionId":"a","connectionToken":"b","negotiateVersion":1,"availableTransports":[{"transport":"ServerSentEvents","transferFormats":["Text"]}]}"#)
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(requester: requester, format: .binary) }
        #expect(error?.message == "Unable to connect to the server with any of the available transports. ServerSentEvents failed: 'ServerSentEvents' does not support Binary.")
    }

    @Test func skipNegotiation() async throws {
        var options = HttpConnectionOptions(skipNegotiation: true)
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(options: options, requester: FakeRequester([])) }
        #expect(error?.message == "Negotiation can only be skipped when using the WebSocket transport directly.")
        options.transports = .webSockets
        let requester = FakeRequester([])
        let factory = FakeTransportFactory()
        let established = try await connect("http://h/hub?x=1", options: options, requester: requester, factory: factory)
        #expect(requester.urls.isEmpty)
        #expect(factory.connectedURLs == ["http://h/hub?x=1"])
        #expect(established.connectionId == nil)
    }

    @Test func headersUserAgentAndOverrides() async throws {
        let requester = FakeRequester(json: Self.v1)
        var options = HttpConnectionOptions(headers: ["X-Tenant": "blue", "user-agent": "custom/1"])
        options.cookies = ["session": "s1"]
        _ = try await connect(options: options, requester: requester)
        let headers = requester.requests.withLock { $0[0].headers }
        #expect(headers["X-Tenant"] == "blue")
        #expect(headers["user-agent"] == "custom/1")
        #expect(headers["User-Agent"] == nil)
        #expect(headers["Cookie"] == "session=s1")
        #expect(headers["Authorization"] == nil)
        #expect(UserAgent.value.hasPrefix("Microsoft SignalR/1.0 (1.0.0; "))
    }

    @Test func unauthorizedRetriesOnceWithAFreshToken() async throws {
        let calls = Locked(0)
        var options = HttpConnectionOptions()
        options.accessTokenFactory = { calls.withLock { $0 += 1; return "t\($0)" } }
        let requester = FakeRequester([
            HTTPResult(statusCode: 401, body: [], setCookies: []),
            HTTPResult(statusCode: 200, body: Array(Self.v1.utf8), setCookies: ["ARRAffinity=node7; Path=/; HttpOnly"]),
        ])
        let factory = FakeTransportFactory()
        _ = try await connect(options: options, requester: requester, factory: factory)
        #expect(requester.requests.withLock { $0.map { $0.headers["Authorization"] } } == ["Bearer t1", "Bearer t2"])
        let transportHeaders = factory.requests.withLock { $0[0].1.headers }
        #expect(transportHeaders["Authorization"] == "Bearer t3")
        #expect(transportHeaders["Cookie"] == "ARRAffinity=node7")
    }

    @Test func httpTransportsReuseNegotiatesTokenAndShareTheContext() async throws {
        let calls = Locked(0)
        var options = HttpConnectionOptions()
        options.transports = .longPolling
        options.accessTokenFactory = { calls.withLock { $0 += 1; return "t\($0)" } }
        let factory = FakeTransportFactory()
        _ = try await connect(options: options, requester: FakeRequester(json: Self.v1), factory: factory)
        let request = try #require(factory.requests.withLock { $0.first?.1 })
        #expect(request.headers["Authorization"] == "Bearer t1")
        #expect(request.context?.canRenewAccessToken == true)
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func afterARedirectA401IsNotRetried() async throws {
        let requester = FakeRequester([
            HTTPResult(statusCode: 200, body: Array(#"{"url":"http://azure/client/","accessToken":"az"}"#.utf8), setCookies: []),
            HTTPResult(statusCode: 401, body: [], setCookies: [], reason: "Unauthorized"),
        ])
        var options = HttpConnectionOptions()
        options.accessTokenFactory = { "user" }
        let error = await #expect(throws: SignalRError.self) { _ = try await connect(options: options, requester: requester) }
        #expect(error?.message == "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'")
        #expect(requester.urls.count == 2)
    }

    @Test func cookiesOutliveOneStart() async throws {
        var options = HttpConnectionOptions()
        options.transportFactory = FakeTransportFactory()
        let requester = FakeRequester([
            HTTPResult(statusCode: 200, body: Array(Self.v1.utf8), setCookies: ["affinity=n3; Path=/"]),
            HTTPResult(statusCode: 200, body: Array(Self.v1.utf8), setCookies: []),
        ])
        let connection = HTTPConnectionFactory(url: "http://h/hub", options: options, requester: requester, logger: Logger(label: "test"))
        let owner = ConnectionTaskOwner()
        defer { owner.finish() }
        for _ in 0..<2 {  // a start, then a reconnect
            let established = try await connection.connect(
                transferFormat: .text, logger: Logger(label: "test"), opener: TransportOpener(owner: owner)
            )
            established.scope.release()
            await established.scope.task.value
        }
        #expect(requester.requests.withLock { $0.map { $0.headers["Cookie"] } } == [nil, "affinity=n3"])
    }

    @Test func webSocketURLScheme() {
        #expect(WebSocketTransport.webSocketURL("http://h/hub?id=1") == "ws://h/hub?id=1")
        #expect(WebSocketTransport.webSocketURL("HTTPS://h/hub") == "wss://h/hub")
    }

    @Test func ipAddressHosts() {
        #expect(WebSocketTransport.hostIsIPAddress("wss://127.0.0.1:5001/hub?id=1"))
        #expect(WebSocketTransport.hostIsIPAddress("wss://[::1]:5001/hub"))
        #expect(WebSocketTransport.hostIsIPAddress("wss://user@10.0.0.2/hub"))
        #expect(!WebSocketTransport.hostIsIPAddress("wss://localhost:5001/hub"))
        #expect(!WebSocketTransport.hostIsIPAddress("wss://chat.example.com/hub"))
        #expect(!WebSocketTransport.hostIsIPAddress("wss://1e100.net/hub"))
    }
}
