import NIOConcurrencyHelpers
import SignalRServer

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
    public typealias Record = HubRequestRecord

    private struct State {
        var recording = false
        var records: [Record] = []
        /// Cookies to set, as (`Set-Cookie` value, the request kinds whose answers carry it).
        var cookies: [(header: String, kinds: Set<HubRequestKind>)] = []
        /// Callers of ``waitUntil(_:)`` with their conditions.
        var waiters: [(condition: @Sendable ([Record]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
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

    /// Stops recording and forgets the cookie settings; callers of ``waitUntil(_:)`` return.
    public func reset() {
        // Waiters return: what they wait for can no longer be recorded.
        let waiters = state.withLockedValue { state in
            defer { state = State() }
            return state.waiters.map(\.continuation)
        }
        waiters.forEach { $0.resume() }
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

    /// Returns once the recorded requests satisfy `condition` (checked now and after each new
    /// record), so a test awaits what it expects instead of polling. Bound it with a timeout:
    /// it waits as long as the condition does not hold.
    public func waitUntil(_ condition: @escaping @Sendable ([Record]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = state.withLockedValue { state in
                if condition(state.records) { return true }
                state.waiters.append((condition, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func record(_ record: @autoclosure () -> Record) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLockedValue { state in
            guard state.recording else { return [] }
            state.records.append(record())
            let records = state.records
            let (met, waiting) = (state.waiters.filter { $0.condition(records) }, state.waiters.filter { !$0.condition(records) })
            state.waiters = waiting
            return met.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }
}
