import Foundation
import Logging
import NIOHTTP1
import SignalRProtocol
import Testing
@testable import SignalRClient

/// The per-connection HTTP state: token reuse and renewal, cookies, header precedence; and the
/// HTTP transports' 401 retry and cookie keeping through it.
@Suite("HTTPConnectionContext", .timeLimit(.minutes(1)))
struct HTTPConnectionContextTests {
    /// A provider answering "t1", "t2", … and counting its calls.
    final class Counter: Sendable {
        let calls = Locked(0)
        var provider: @Sendable () async throws -> String? {
            { "t" + String(self.calls.withLock { $0 += 1; return $0 }) }
        }
    }

    private func context(headers: [String: String] = [:], cookies: [String: String] = [:]) -> (HTTPConnectionContext, Counter) {
        let counter = Counter()
        var options = HttpConnectionOptions(headers: headers, cookies: cookies)
        options.accessTokenFactory = counter.provider
        return (HTTPConnectionContext(options: options), counter)
    }

    @Test func theTokenIsReusedUntilRenewedOrAskedFresh() async throws {
        let (context, counter) = context()
        #expect(try await context.headers()["Authorization"] == "Bearer t1")
        #expect(try await context.headers()["Authorization"] == "Bearer t1")
        #expect(try await context.headers(freshToken: true)["Authorization"] == "Bearer t2")
        #expect(try await context.renewAccessToken())
        #expect(try await context.headers()["Authorization"] == "Bearer t3")
        #expect(counter.calls.withLock { $0 } == 3)
    }

    @Test func aRedirectTokenIsNeverRenewed() async throws {
        let (context, counter) = context()
        context.useRedirectToken("azure")
        #expect(!context.canRenewAccessToken)
        #expect(try await !context.renewAccessToken())
        #expect(try await context.headers(freshToken: true)["Authorization"] == "Bearer azure")
        #expect(counter.calls.withLock { $0 } == 0)
    }

    @Test func withoutAProviderNothingIsRenewed() async throws {
        let context = HTTPConnectionContext(options: HttpConnectionOptions())
        #expect(!context.canRenewAccessToken)
        #expect(try await context.headers()["Authorization"] == nil)
    }

    @Test func cookiesAreKeptReplacedAndRemoved() async throws {
        let (context, _) = context(cookies: ["a": "1"])
        context.storeCookies(["b=2; Path=/; HttpOnly", "a=3", "junk", "=x"])
        #expect(try await context.headers()["Cookie"] == "a=3; b=2")
        context.storeCookies(["a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"])
        #expect(context.cookies == ["b": "2"])
    }

    @Test func userHeadersWinOverTheLibrarys() async throws {
        let (context, _) = context(headers: ["user-agent": "mine", "authorization": "Basic x"])
        let headers = try await context.headers()
        #expect(headers["user-agent"] == "mine")
        #expect(headers["authorization"] == "Basic x")
        #expect(headers["User-Agent"] == nil)
        #expect(headers["Authorization"] == nil)
    }

    /// Long Polling with a context: a 401 poll is sent again with a fresh token; a cookie set by a
    /// poll goes on the next requests.
    @Test func longPollingRetriesA401WithAFreshTokenAndKeepsCookies() async throws {
        let http = FakeHTTPTransportClient()
        let (context, counter) = context()
        _ = try await context.headers()  // negotiate took "t1"
        let transport = LongPollingTransport(
            pollTimeout: .seconds(100), requestTimeout: .seconds(5), logger: Logger(label: "test"), client: http)
        let request = TransportRequest(url: "http://h/hub?id=abc", transferFormat: .text, headers: [:], context: context)
        async let connecting = transport.connect(request)
        let first = try await http.next()
        #expect(first.request.header("Authorization") == "Bearer t1")
        first.respond(401)
        let retry = try await http.next()
        #expect(retry.request.header("Authorization") == "Bearer t2")
        retry.reply.yield(.response(
            HTTPTransportHead(status: 200, reason: "OK", contentType: nil, setCookies: ["affinity=n1; Path=/"]), []))
        let connection = try await connecting
        let poll = try await http.next()
        #expect(poll.request.header("Cookie") == "affinity=n1")
        #expect(poll.request.header("Authorization") == "Bearer t2")
        async let closed: Void = connection.close()
        let delete = try await http.next()
        #expect(delete.method == .DELETE)
        #expect(delete.request.header("Cookie") == "affinity=n1")
        delete.respond(202)
        await closed
        #expect(counter.calls.withLock { $0 } == 2)
    }

    /// Server-Sent Events: a 401 on the event stream is retried once with a fresh token; a second
    /// 401 fails connect with the status.
    @Test func serverSentEventsRetriesA401Once() async throws {
        let http = FakeHTTPTransportClient()
        let (context, counter) = context()
        let transport = ServerSentEventsTransport(requestTimeout: .seconds(5), logger: Logger(label: "test"), client: http)
        let request = TransportRequest(url: "http://h/hub?id=abc", transferFormat: .text, headers: [:], context: context)
        let connecting = Task { try await transport.connect(request) }
        try await http.next().respond(401)
        let retry = try await http.next()
        #expect(retry.request.header("Authorization") == "Bearer t2")
        retry.respond(401, reason: "Unauthorized")
        let error = try await #require(throws: SignalRError.self) { try await connecting.value }
        #expect(error.statusCode == 401)
        #expect(error.message == "Unauthorized: Status code '401'")
        #expect(counter.calls.withLock { $0 } == 2)
    }
}
