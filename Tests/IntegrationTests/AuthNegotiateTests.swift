import Foundation
import NIOConcurrencyHelpers
import SignalRClient
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// A token provider whose answers the test changes; counts its calls.
final class TokenSource: Sendable {
    private struct State {
        var token: String
        /// Answered from the second call on, when set.
        var later: String?
        var calls = 0
    }

    private let state: NIOLockedValueBox<State>

    /// Answers `first` to the first call and `later` (when given) from then on.
    init(_ first: String, later: String? = nil) {
        state = NIOLockedValueBox(State(token: first, later: later))
    }

    /// The provider to put in ``HttpConnectionOptions/accessTokenFactory``.
    var provider: @Sendable () async throws -> String? {
        { self.next() }
    }

    /// Answer `token` from now on.
    func set(_ token: String) { state.withLockedValue { $0.token = token } }

    /// How often the provider was asked.
    var calls: Int { state.withLockedValue { $0.calls } }

    private func next() -> String {
        state.withLockedValue { state in
            state.calls += 1
            let answer = state.token
            if let later = state.later {
                state.token = later
                state.later = nil
            }
            return answer
        }
    }
}

/// The bearer tokens the server accepts, which the test changes.
final class AcceptedTokens: Sendable {
    private struct State {
        var byKind: [HubRequestKind: Set<String>] = [:]
        var others: Set<String>
    }

    private let state: NIOLockedValueBox<State>

    init(_ tokens: Set<String>) {
        state = NIOLockedValueBox(State(others: tokens))
    }

    /// Accept only `tokens` from now on (for every kind without its own list).
    func set(_ tokens: Set<String>) { state.withLockedValue { $0.others = tokens } }

    /// Accept `tokens` for requests of `kind`.
    func set(_ tokens: Set<String>, for kind: HubRequestKind) { state.withLockedValue { $0.byKind[kind] = tokens } }

    /// The server's authorization hook.
    var hook: @Sendable (HubAuthorizationRequest) async -> Bool {
        { request in
            guard let token = request.accessToken else { return false }
            return self.state.withLockedValue { ($0.byKind[request.kind] ?? $0.others).contains(token) }
        }
    }
}

/// A 401 from negotiate or from any transport request asks the access-token provider for a fresh
/// token and retries once (the official client's `AccessTokenHttpClient`), against the in-repo hub's
/// authorization hook (ASP.NET Core `[Authorize]`).
@Suite(.timeLimit(.minutes(1))) struct AuthNegotiateTests {
    private func configuration(_ accepted: AcceptedTokens) -> HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.authorize = accepted.hook
        return configuration
    }

    private func options(_ transport: SingleTransport, _ tokens: TokenSource) -> HttpConnectionOptions {
        var options = HttpConnectionOptions()
        options.transports = transport.type
        options.accessTokenFactory = tokens.provider
        return options
    }

    private func statuses(_ server: HubServer, _ kind: HubRequestKind) -> [Int] {
        server.requests.recorded.filter { $0.kind == kind }.map(\.status)
    }

    private func tokens(_ server: HubServer, _ kind: HubRequestKind) -> [String?] {
        server.requests.recorded.filter { $0.kind == kind }.map { $0.headers["authorization"] }
    }

    @Test func withoutATokenTheHubAnswers401AndStartFails() async throws {
        try await withServer(configuration: configuration(AcceptedTokens(["good"]))) { server in
            let connection = try HubConnectionBuilder().withUrl(await server.testHubURL).build()
            let error = await caught { try await withTimeout { try await connection.start() } }
            let signalRError = try #require(error as? SignalRError)
            #expect(signalRError.message == "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'")
            #expect(signalRError.statusCode == 401)
        }
    }

    @Test(arguments: SingleTransport.allCases)
    func negotiate401ThenSuccessWithANewToken(transport: SingleTransport) async throws {
        try await withServer(configuration: configuration(AcceptedTokens(["fresh"]))) { server in
            server.requests.start()
            let source = TokenSource("stale", later: "fresh")
            let connection = try await connect(await server.testHubURL, options: options(transport, source))
            let sum: Int = try await withTimeout { try await connection.invoke("Add", 2, 3) }
            #expect(sum == 5)
            try await connection.stop()
            #expect(statuses(server, .negotiate) == [401, 200])
            #expect(tokens(server, .negotiate) == ["Bearer stale", "Bearer fresh"])
        }
    }

    /// The token rotates between negotiate and the transport: negotiate accepts the old one, the
    /// transport's first request does not, gets 401, and is retried with the provider's new token.
    @Test(arguments: SingleTransport.allCases)
    func transportConnect401ThenSuccessWithANewToken(transport: SingleTransport) async throws {
        let accepted = AcceptedTokens(["new"])
        accepted.set(["old", "new"], for: .negotiate)
        try await withServer(configuration: configuration(accepted)) { server in
            server.requests.start()
            let source = TokenSource("old", later: "new")
            let connection = try await connect(await server.testHubURL, options: options(transport, source))
            let sum: Int = try await withTimeout { try await connection.invoke("Add", 2, 3) }
            #expect(sum == 5)
            try await connection.stop()
            switch transport {
            case .webSockets:
                // A WebSocket connect always asks the provider first: no 401 at all.
                #expect(tokens(server, .webSocket) == ["Bearer new"])
            case .serverSentEvents:
                #expect(statuses(server, .serverSentEvents) == [401, 200])
                #expect(tokens(server, .serverSentEvents) == ["Bearer old", "Bearer new"])
            case .longPolling:
                #expect(Array(statuses(server, .poll).prefix(2)) == [401, 200])
                #expect(Array(tokens(server, .poll).prefix(2)) == ["Bearer old", "Bearer new"])
            }
            #expect(tokens(server, .send).allSatisfy { $0 == "Bearer new" })
        }
    }

    /// Mid-connection the server stops accepting the token: the next send POST gets 401 and is
    /// retried with a fresh token; the invocation completes.
    @Test(arguments: [SingleTransport.serverSentEvents, .longPolling])
    func sendPost401ThenSuccessWithANewToken(transport: SingleTransport) async throws {
        let accepted = AcceptedTokens(["first"])
        try await withServer(configuration: configuration(accepted)) { server in
            let source = TokenSource("first")
            let connection = try await connect(await server.testHubURL, options: options(transport, source))
            server.requests.start()
            accepted.set(["second"])
            source.set("second")
            let sum: Int = try await withTimeout { try await connection.invoke("Add", 20, 22) }
            #expect(sum == 42)
            let sends = server.requests.recorded.filter { $0.kind == .send }
            #expect(sends.first?.status == 401)
            #expect(sends.first?.headers["authorization"] == "Bearer first")
            #expect(sends.contains { $0.status == 200 && $0.headers["authorization"] == "Bearer second" })
            try await connection.stop()
        }
    }
}
