import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket
import WSClient

/// The load of server-load: many WebSocket connections, driven the same way against the bare
/// echo server and the hub, so that the ratio is the servers' alone. Against the hub each
/// connection speaks SignalR's JSON protocol itself (handshake, Invocation of `Echo`, reads
/// Completions, skips Pings) on the same `WebSocketClient` as the baseline: a `HubConnection`
/// costs more CPU than a bare socket and would share the machine's cores with the server.
struct ServerLoadClient: Sendable {
    enum Target: Sendable {
        case echo
        case hub
    }

    /// What the whole load saw.
    struct Outcome {
        var connected = 0
        var failed = 0
        /// Connections that ended before the load was over.
        var dropped = 0
        var answers = 0
        var seconds = 0.0
    }

    let target: Target
    let url: String
    /// Connections open at once.
    let count: Int
    /// Calls each connection keeps outstanding.
    let inFlight: Int
    /// How long the connections are held before the calls start (keep-alive traffic only).
    let hold: Duration
    let load: Duration

    static let payload = "hello world"
    static let ping = #"{"type":6}"# + "\u{1E}"

    /// Opens every connection (at most 100 connecting at a time), holds them for ``hold``,
    /// calls `held`, then runs the calls for ``load``.
    func run(held: @Sendable () async -> Void) async -> Outcome {
        let tally = NIOLockedValueBox(Outcome())
        let limiter = ConnectLimiter(slots: 100)
        let (tried, triedSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
        let (go, goSink) = AsyncStream.makeStream(of: ContinuousClock.Instant.self, bufferingPolicy: .unbounded)
        let logger = Logger(label: "server-load", factory: { _ in SwiftLogNoOpLogHandler() })
        async let connections: Void = withTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                await limiter.acquire()
                group.addTask {
                    let reportedTried = NIOLockedValueBox(false)
                    @Sendable func markTried() {
                        if !reportedTried.withLockedValue({ flag in defer { flag = true }; return flag }) { triedSink.yield() }
                    }
                    do {
                        _ = try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                            var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                            if target == .hub {
                                try await outbound.write(.text(#"{"protocol":"json","version":1}"# + "\u{1E}"))
                                guard try await messages.next() != nil else { throw BenchmarkError("no handshake answer") }
                            }
                            tally.withLockedValue { $0.connected += 1 }
                            await limiter.release()
                            markTried()
                            let holdEnd = ContinuousClock.now + hold
                            while target == .hub, ContinuousClock.now < holdEnd {
                                try await outbound.write(.text(Self.ping))
                                try await Task.sleep(until: min(holdEnd, .now + .seconds(15)), clock: .continuous)
                            }
                            var deadline = ContinuousClock.now
                            for await value in go {
                                deadline = value
                                break
                            }
                            let answers = try await calls(until: deadline, messages: &messages, outbound: outbound)
                            tally.withLockedValue { $0.answers += answers.count; if answers.ended { $0.dropped += 1 } }
                            try? await outbound.close(.normalClosure, reason: nil)
                        }
                    } catch {
                        let wasTried = reportedTried.withLockedValue { $0 }
                        tally.withLockedValue {
                            if wasTried { $0.dropped += 1 } else { $0.failed += 1 }
                        }
                        if !wasTried { await limiter.release() }
                    }
                    markTried()
                }
            }
        }
        var triedCount = 0
        for await _ in tried {
            triedCount += 1
            if triedCount == count { break }
        }
        try? await Task.sleep(for: hold)
        await held()
        let start = ContinuousClock.now
        for _ in 0..<count { goSink.yield(start + load) }
        goSink.finish()
        await connections
        var outcome = tally.withLockedValue { $0 }
        outcome.seconds = (ContinuousClock.now - start).seconds
        return outcome
    }

    /// Keeps ``inFlight`` calls outstanding until `deadline`.
    /// - Returns: the answers that arrived, and whether the connection ended first.
    private func calls(
        until deadline: ContinuousClock.Instant, messages: inout WebSocketInboundMessageStream.AsyncIterator,
        outbound: WebSocketOutboundWriter
    ) async throws -> (count: Int, ended: Bool) {
        var nextId = 0
        func request() -> String {
            switch target {
            case .echo:
                return Self.payload
            case .hub:
                nextId += 1
                return #"{"type":1,"invocationId":"\#(nextId)","target":"Echo","arguments":["\#(Self.payload)"]}"# + "\u{1E}"
            }
        }
        for _ in 0..<inFlight { try await outbound.write(.text(request())) }
        var answers = 0
        while ContinuousClock.now < deadline {
            guard let message = try await messages.next() else { return (answers, true) }
            let arrived: Int
            switch (target, message) {
            case (.echo, _):
                arrived = 1
            case (.hub, .text(let text)):
                // A frame may carry several records; Pings are not answers.
                arrived = text.split(separator: "\u{1E}").filter { $0.hasPrefix(#"{"type":3"#) }.count
            case (.hub, .binary):
                arrived = 0
            }
            answers += arrived
            for _ in 0..<arrived { try await outbound.write(.text(request())) }
        }
        return (answers, false)
    }
}

/// Lets at most `slots` connections be in their opening handshake at once (a burst of
/// thousands would overflow the server's accept backlog).
actor ConnectLimiter {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(slots: Int) {
        available = slots
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
