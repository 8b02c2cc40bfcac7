import NIOConcurrencyHelpers

/// Records the HTTP requests a ``HubServer`` receives and sets test cookies on its answers, so
/// tests can check what a client sends on each request of a connection (headers, cookies, tokens).
///
/// Off until ``start()``: a server that records nothing pays one lock per request.
///
/// ```swift
/// server.requests.start()
/// server.requests.setCookie("affinity", "node-2", on: [.negotiate])   // a load balancer's sticky cookie
/// … connect a client …
/// let cookies = server.requests.recorded.map { $0.headers["cookie"] }
/// ```
public final class RequestRecorder: Sendable {
    /// One recorded request.
    public struct Record: Sendable {
        /// What the request was for.
        public var kind: HubRequestKind
        /// The hub path.
        public var path: String
        /// The request headers, names lowercased, repeated headers joined with ", ".
        public var headers: [String: String]
        /// The percent-decoded query parameters.
        public var query: [String: String]
        /// The status the server answered (101 for an accepted WebSocket upgrade).
        public var status: Int
    }

    private struct State {
        var recording = false
        var records: [Record] = []
        /// Cookies to set, as (`Set-Cookie` value, the request kinds whose answers carry it).
        var cookies: [(header: String, kinds: Set<HubRequestKind>)] = []
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    /// Starts recording (again, from an empty list).
    public func start() {
        state.withLockedValue {
            $0.recording = true
            $0.records = []
        }
    }

    /// Stops recording and forgets the cookie settings.
    public func reset() {
        state.withLockedValue { $0 = State() }
    }

    /// The requests recorded since ``start()``, in the order they were answered.
    public var recorded: [Record] {
        state.withLockedValue { $0.records }
    }

    /// Makes answers to requests of `kinds` carry `Set-Cookie: name=value; Path=/` (WebSocket
    /// upgrades excepted: their answers are not touched).
    public func setCookie(_ name: String, _ value: String, on kinds: Set<HubRequestKind>) {
        state.withLockedValue { $0.cookies.append((header: "\(name)=\(value); Path=/", kinds: kinds)) }
    }

    /// The `Set-Cookie` values for an answer to a request of `kind`.
    func cookies(for kind: HubRequestKind) -> [String] {
        state.withLockedValue { state in state.cookies.filter { $0.kinds.contains(kind) }.map(\.header) }
    }

    func record(_ record: @autoclosure () -> Record) {
        state.withLockedValue { state in
            guard state.recording else { return }
            state.records.append(record())
        }
    }
}
