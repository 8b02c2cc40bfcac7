import Foundation
import Logging
import NIOConcurrencyHelpers
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// With stateful reconnect, 10,000 numbered messages from the server and 10,000 invokes from
/// the client survive 20 cuts of the TCP connection: each arrives exactly once, in order, the
/// hub runs each invocation exactly once, and no cut turns into a reconnect with `onReconnecting`.
@Suite(.serialized)
struct SoakStatefulReconnectTests {
    static let count = 10_000
    static let cuts = 20
    static let lanes = 8
    /// SOAK_DEBUG=debug or trace logs both sides (to diagnose a failing soak).
    static let debugLevel = ProcessInfo.processInfo.environment["SOAK_DEBUG"]

    /// Runs the soak against the hub at `port` (path `path`) behind a fresh proxy.
    static func soak(port: Int, path: String, bufferSize: Int = StatefulReconnectOptions.defaultBufferSize) async throws {
        let proxy = try await FaultProxy.start(forwardingTo: port)
        let url = "http://127.0.0.1:\(proxy.port)\(path)"
        // The client says "Stateful reconnect succeeded." at info level after each resume: the
        // cutter counts those lines (the official client has no resume event either).
        let resumes = ResumeCounter()
        let connection = try await connect(url) {
            $0.withStatefulReconnect(StatefulReconnectOptions(bufferSize: bufferSize))
                .configureLogging(resumes.logger(echoing: Self.debugLevel))
        }
        let reconnecting = NumberLog()
        await connection.onReconnecting { _ in _ = await reconnecting.append(1) }
        let numbers = NumberLog()
        let invoked = NumberLog()
        // Messages and results received so far, in one log the cutter can wait on.
        let progress = NumberLog()
        await connection.on("Number") { (number: Int) in
            _ = await numbers.append(number)
            _ = await progress.append(number)
        }
        let cutter = Task {
            try await cut(proxy, times: cuts, progress: progress, resumes: resumes)
        }
        do {
            try await withTimeout(.seconds(60), "the soak") {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await connection.send("SendNumbers", count, 5) }
                    for lane in 0..<lanes {
                        group.addTask {
                            for index in stride(from: lane, to: count, by: lanes) {
                                let tally: Int = try await connection.invoke("Tally", index)
                                #expect(tally == 1, "invocation \(index) ran \(tally) times")
                                _ = await invoked.append(index)
                                _ = await progress.append(index)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                await numbers.waitUntil(count: count)
                try await cutter.value
            }
        } catch {
            cutter.cancel()
            Issue.record("numbers \(await numbers.count), invoked \(await invoked.count), accepted \(proxy.acceptedConnections), state \(await connection.state)")
            try? await connection.stop()
            await proxy.stop()
            throw error
        }
        let received = await numbers.all
        #expect(received.count == count)
        if let mismatch = received.indices.first(where: { received[$0] != $0 }) {
            Issue.record("First out-of-order number at index \(mismatch): \(received[mismatch...].prefix(5))")
        }
        #expect(Set(await invoked.all) == Set(0..<count))
        // The proxy also carried negotiate, so it accepted at least one connection per cut more.
        #expect(proxy.acceptedConnections >= cuts + 1)
        #expect(await reconnecting.count == 0)
        #expect(await connection.state == .connected)
        try await connection.stop()
        await proxy.stop()
    }

    /// Cuts every connection through `proxy` `times` times, at random points of `progress`
    /// (messages and results received so far, 0..<2 × count). Before each next cut it waits
    /// until the client has resumed (`resumes` went up), so every cut hits a working connection
    /// rather than a resume in progress (whose failure would end the connection, as in the
    /// official client: one resume attempt, then the reconnect policy).
    static func cut(
        _ proxy: FaultProxy, times: Int, progress: NumberLog,
        resumes: ResumeCounter
    ) async throws {
        var thresholds = Set<Int>()
        while thresholds.count < times { thresholds.insert(Int.random(in: 200..<(2 * count - 400))) }
        for threshold in thresholds.sorted() {
            await progress.waitUntil(count: threshold)
            try Task.checkCancellation()
            let before = resumes.count
            await proxy.cutAll()
            await resumes.waitUntil(count: before + 1)
            try Task.checkCancellation()
        }
    }

    @Test func inRepoServer() async throws {
        var configuration = HubServerConfiguration()
        configuration.ackInterval = .milliseconds(100)
        if let level = Self.debugLevel {
            var logger = Logger(label: "server", factory: { label in StreamLogHandler.standardError(label: label) })
            logger.logLevel = level == "trace" ? .trace : .debug
            configuration.logger = logger
        }
        try await withServer(configuration: configuration) { server in
            let port = try #require(await server.port)
            try await Self.soak(port: port, path: SignalRTestServer.testHubPath, bufferSize: 10_000_000)
            #expect(await server.counters.statefulReconnects == Self.cuts)
        }
    }

    @Test func aiosignalr() async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let port = try #require(Int(try await portTask.value))
        try await Self.soak(port: port, path: "/hubs/test")
    }
}

/// Counts the client's "Stateful reconnect succeeded." log lines; echoes every line to
/// standard error at `debug`/`trace` when asked (SOAK_DEBUG).
final class ResumeCounter: Sendable {
    private let resumes = CountWaiters()

    var count: Int { resumes.total }

    /// Returns once `count` resumes were logged, or when the calling task is cancelled.
    func waitUntil(count: Int) async { await resumes.wait(for: count) }

    func logger(echoing level: String?) -> Logger {
        var logger = Logger(label: "soak-client") { label in
            Handler(counter: self, echo: level.map { _ in StreamLogHandler.standardError(label: label) })
        }
        logger.logLevel = level == "trace" ? .trace : level == "debug" ? .debug : .info
        return logger
    }

    fileprivate func resumed() { resumes.increment() }

    private struct Handler: LogHandler {
        let counter: ResumeCounter
        var echo: StreamLogHandler?
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if event.message.description == "Stateful reconnect succeeded." { counter.resumed() }
            echo?.log(event: event)
        }
    }
}

/// The numbers received, in order.
actor NumberLog {
    private(set) var all: [Int] = []
    private let arrivals = CountWaiters()

    var count: Int { all.count }

    /// Appends `number`; returns how many were received.
    func append(_ number: Int) -> Int {
        all.append(number)
        arrivals.reached(all.count)
        return all.count
    }

    /// Returns once `count` numbers were received, or when the calling task is cancelled.
    nonisolated func waitUntil(count: Int) async {
        await arrivals.wait(for: count)
    }
}
