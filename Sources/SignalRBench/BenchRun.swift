import Foundation
import Histogram
import NIOConcurrencyHelpers
import SignalRClient
import SignalRProtocol

/// One load run against a hub: opens the connections at the ramp rate, runs the scenario on
/// each until the duration is over (or the calling task is cancelled, as Ctrl-C does), lets
/// outstanding calls finish, stops every connection, and reports.
///
/// Every connection, lane and timer is a child task of ``run()``, so nothing outlives it.
public struct BenchRun: Sendable {
    public let configuration: BenchConfiguration
    /// Makes one connection, not started (the command's connection options).
    public let makeConnection: @Sendable () throws -> HubConnection
    /// Receives a progress sample every second.
    public var onProgress: @Sendable (BenchProgress) -> Void = { _ in }
    /// The open-file limit in force (for the report).
    public var openFileLimit = 0

    /// Creates a run.
    public init(configuration: BenchConfiguration, makeConnection: @escaping @Sendable () throws -> HubConnection) {
        self.configuration = configuration
        self.makeConnection = makeConnection
    }

    private enum Event: Sendable {
        case deadline
        case loadFinished
        case drainTimedOut
        case progressEnded
    }

    /// Runs the load and returns the report. Cancelling the calling task ends the load early;
    /// the report then says it was interrupted.
    public func run() async -> BenchReport {
        let recorder = BenchRecorder()
        let connections = NIOLockedValueBox<[HubConnection]>([])
        let stopping = Gate()
        let rampDone = Gate()
        let clock = ContinuousClock()
        let start = clock.now
        let before = ProcessUsage.now()
        let residentBefore = ProcessUsage.residentBytes() ?? 0
        var residentAtEnd = residentBefore
        var loadDone = false
        let loadStart = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

        await withTaskGroup(of: Event.self) { group in
            group.addTask {
                await load(start: start, recorder: recorder, connections: connections, stopping: stopping, rampDone: rampDone)
                return .loadFinished
            }
            group.addTask {
                // The duration is the steady part: it starts once every connection was tried,
                // so a slow ramp does not eat into it (the ramp itself is bounded by the rate and
                // the connections' own timeouts).
                await rampDone.wait()
                loadStart.withLockedValue { $0 = clock.now }
                try? await clock.sleep(for: configuration.duration)
                return .deadline
            }
            group.addTask {
                while !stopping.isOpen {
                    do { try await clock.sleep(for: .seconds(1)) } catch { break }
                    onProgress(progress(recorder, elapsed: clock.now - start))
                }
                return .progressEnded
            }
            while let event = await group.next() {
                switch event {
                case .deadline:
                    // No new calls; those outstanding may finish within the drain timeout.
                    residentAtEnd = ProcessUsage.residentBytes() ?? 0
                    stopping.open()
                    rampDone.open()
                    if loadDone {
                        group.cancelAll()
                        continue
                    }
                    group.addTask {
                        try? await clock.sleep(for: configuration.drainTimeout)
                        return .drainTimedOut
                    }
                case .loadFinished:
                    // Before the deadline (the connect scenario, or every connection failed)
                    // the connections are held until it.
                    loadDone = true
                    if stopping.isOpen { group.cancelAll() }
                case .drainTimedOut:
                    group.cancelAll()
                case .progressEnded:
                    break
                }
            }
        }
        let interrupted = Task.isCancelled
        rampDone.open()
        if configuration.scenario == .broadcast, !interrupted {
            // Broadcasts sent just before the end are still on their way: let them arrive.
            let snapshot = recorder.snapshot()
            let expected = snapshot.sent * snapshot.connected
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.waitForCalls(expected) }
                group.addTask {
                    try? await clock.sleep(for: configuration.drainTimeout)
                    recorder.releaseCallWaiter()
                }
                await group.next()
                group.cancelAll()
                recorder.releaseCallWaiter()
            }
        }
        let end = clock.now
        let elapsed = end - start
        let loadSeconds = (end - (loadStart.withLockedValue { $0 } ?? start)).seconds
        let usage = ProcessUsage.now()
        // Stopping must run even when the run was cancelled: a task of its own, awaited here.
        let all = connections.withLockedValue { $0 }
        await Task {
            await withTaskGroup(of: Void.self) { group in
                for connection in all { group.addTask { try? await connection.stop() } }
            }
        }.value
        return report(
            recorder.snapshot(), seconds: elapsed.seconds, loadSeconds: loadSeconds, interrupted: interrupted,
            cpuSeconds: usage.cpuSeconds - before.cpuSeconds, residentBefore: residentBefore, residentAtEnd: residentAtEnd
        )
    }

    /// Opens the connections at the ramp rate; each runs the scenario until `stopping` opens.
    private func load(
        start: ContinuousClock.Instant, recorder: BenchRecorder, connections: NIOLockedValueBox<[HubConnection]>,
        stopping: Gate, rampDone: Gate
    ) async {
        await withTaskGroup(of: Void.self) { group in
            let clock = ContinuousClock()
            let interval = Duration.seconds(1 / configuration.rampRate)
            // The load starts once every connection launched has been tried.
            let tried = CountdownGate(opening: rampDone)
            var launched = 0
            for index in 0..<configuration.connections {
                do { try await clock.sleep(until: start + interval * index) } catch { break }
                if stopping.isOpen || Task.isCancelled { break }
                launched += 1
                group.addTask {
                    await connectionWorker(
                        index: index, recorder: recorder, connections: connections, stopping: stopping, rampDone: rampDone,
                        tried: tried
                    )
                }
            }
            tried.expect(launched)
        }
    }

    /// One connection: start, then the scenario's work until the run stops.
    private func connectionWorker(
        index: Int, recorder: BenchRecorder, connections: NIOLockedValueBox<[HubConnection]>, stopping: Gate,
        rampDone: Gate, tried: CountdownGate
    ) async {
        recorder.connectionAttempted()
        let connection: HubConnection
        do {
            connection = try makeConnection()
        } catch {
            recorder.connectionFailed(Self.reason(error))
            tried.arrive()
            return
        }
        let reconnecting = NIOLockedValueBox(false)
        await connection.onReconnecting { _ in
            reconnecting.withLockedValue { $0 = true }
            recorder.reconnecting()
        }
        await connection.onReconnected { _ in
            reconnecting.withLockedValue { $0 = false }
            recorder.reconnected()
        }
        await connection.onClose { _ in
            guard !stopping.isOpen else { return }
            recorder.closed(wasReconnecting: reconnecting.withLockedValue { $0 })
        }
        if configuration.scenario == .broadcast {
            let clock = ContinuousClock()
            let base = Self.base
            await connection.on(configuration.receiveMethod, jsonArguments: { arguments in
                let sent: Int64? = arguments.last.flatMap { value in
                    guard case .string(let text) = value else { return nil }
                    return Int64(text.prefix { $0 != " " })
                }
                let micros = sent.map { UInt64(max(0, (clock.now - base).nanoseconds - $0) / 1000) }
                recorder.callSucceeded(microseconds: micros)
            })
        }
        connections.withLockedValue { $0.append(connection) }
        // start() runs in a child task that ends with it: a task keeps the stack it grew for
        // its deepest call until it ends, and this worker lives as long as the run, so the
        // start (negotiate, transport connect, handshake) would stay in the RSS per connection
        // although the client itself no longer holds it.
        let startError: (any Error)? = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                do {
                    try await connection.start()
                    return nil
                } catch {
                    return error
                }
            }
            return await group.next() ?? nil
        }
        if let startError {
            recorder.connectionFailed(Self.reason(startError))
            tried.arrive()
            return
        }
        recorder.connected()
        tried.arrive()
        // A held connection needs nothing from this worker.
        if configuration.scenario == .connect { return }
        // The load starts once every connection was tried: calls from the first connections
        // would otherwise starve the handshakes of the later ones (on a small machine, at
        // 10,000 connections, they did), and the duration measures the full load.
        await rampDone.wait()
        switch configuration.scenario {
        case .connect:
            return
        case .echo:
            await withTaskGroup(of: Void.self) { lanes in
                let perLane = configuration.rate.map { $0 / Double(configuration.inFlight) }
                for _ in 0..<configuration.inFlight {
                    lanes.addTask { await echoLane(connection, rate: perLane, recorder: recorder, stopping: stopping) }
                }
            }
        case .stream:
            await streamLane(connection, recorder: recorder, stopping: stopping)
        case .broadcast:
            guard index == 0 else { return }
            await broadcastSender(connection, recorder: recorder, stopping: stopping)
        }
    }

    /// Invokes the method again and again (paced at `rate` per second when set).
    private func echoLane(_ connection: HubConnection, rate: Double?, recorder: BenchRecorder, stopping: Gate) async {
        let clock = ContinuousClock()
        let method = configuration.resolvedMethod
        let arguments = configuration.callArguments()
        let laneStart = clock.now
        var sent = 0
        while !stopping.isOpen, !Task.isCancelled {
            if let rate {
                do { try await clock.sleep(until: laneStart + .seconds(Double(sent) / rate)) } catch { return }
                if stopping.isOpen { return }
            }
            sent += 1
            let before = clock.now
            do {
                _ = try await connection.invoke(method, arguments: arguments)
                recorder.callSucceeded(microseconds: UInt64((clock.now - before).nanoseconds / 1000))
            } catch {
                recorder.callFailed(Self.reason(error))
            }
        }
    }

    /// Consumes the streaming method again and again; a completed stream counts as one call.
    private func streamLane(_ connection: HubConnection, recorder: BenchRecorder, stopping: Gate) async {
        let clock = ContinuousClock()
        let method = configuration.resolvedMethod
        let arguments = configuration.callArguments()
        while !stopping.isOpen, !Task.isCancelled {
            let before = clock.now
            var items = 0
            do {
                for try await _ in connection.stream(method, arguments: arguments, as: JSONValue.self) { items += 1 }
                recorder.callSucceeded(microseconds: UInt64((clock.now - before).nanoseconds / 1000), items: items)
            } catch {
                recorder.callFailed(Self.reason(error))
            }
        }
    }

    /// Sends the fan-out method at the broadcast rate, each message stamped with its send time.
    private func broadcastSender(_ connection: HubConnection, recorder: BenchRecorder, stopping: Gate) async {
        let clock = ContinuousClock()
        let rate = configuration.rate ?? 10
        let method = configuration.resolvedMethod
        let senderStart = clock.now
        var sent = 0
        while !stopping.isOpen, !Task.isCancelled {
            do { try await clock.sleep(until: senderStart + .seconds(Double(sent) / rate)) } catch { return }
            if stopping.isOpen { return }
            sent += 1
            do {
                try await connection.send(method, arguments: configuration.callArguments(stamp: (clock.now - Self.base).nanoseconds))
                recorder.broadcastSent()
            } catch {
                recorder.callFailed(Self.reason(error))
            }
        }
    }

    /// The instant broadcast stamps count from (one process, so one clock).
    private static let base = ContinuousClock().now

    private func progress(_ recorder: BenchRecorder, elapsed: Duration) -> BenchProgress {
        let (calls, histogram) = recorder.takeInterval()
        let state = recorder.snapshot()
        return BenchProgress(
            elapsed: elapsed.seconds, connected: state.connected - state.closed, failed: state.failedConnections.values.reduce(0, +),
            reconnecting: state.reconnecting, callsPerSecond: Double(calls),
            p50: calls > 0 ? Double(histogram.valueAtPercentile(50)) / 1000 : nil,
            p99: calls > 0 ? Double(histogram.valueAtPercentile(99)) / 1000 : nil
        )
    }

    private func report(
        _ state: BenchRecorder.State, seconds: Double, loadSeconds: Double, interrupted: Bool, cpuSeconds: Double, residentBefore: Int, residentAtEnd: Int
    ) -> BenchReport {
        let histogram = state.latency
        let latency: BenchReport.Latency? = histogram.totalCount == 0 ? nil : BenchReport.Latency(
            p50: Double(histogram.valueAtPercentile(50)) / 1000, p90: Double(histogram.valueAtPercentile(90)) / 1000,
            p99: Double(histogram.valueAtPercentile(99)) / 1000, p999: Double(histogram.valueAtPercentile(99.9)) / 1000,
            max: Double(histogram.max) / 1000
        )
        return BenchReport(
            scenario: configuration.scenario, method: configuration.resolvedMethod, interrupted: interrupted, seconds: seconds,
            loadSeconds: loadSeconds,
            connectionsRequested: configuration.connections, connectionsAttempted: state.attempted,
            connectionsEstablished: state.connected, connectionFailures: state.failedConnections, reconnects: state.reconnects,
            connectionsLost: state.closed, callsOK: state.callsOK, callFailures: state.callsFailed, items: state.items,
            broadcastsSent: state.sent, callsPerSecond: Double(state.callsOK) / max(loadSeconds, 0.001), latency: latency,
            cpuSeconds: cpuSeconds, cpuPercent: cpuSeconds / max(seconds, 0.001) * 100,
            residentMiB: Double(residentAtEnd) / 1_048_576,
            residentKiBPerConnection: state.connected > 0 && residentAtEnd > 0
                ? Double(residentAtEnd - residentBefore) / 1024 / Double(state.connected) : nil,
            openFileLimit: openFileLimit
        )
    }

    /// A failure's reason, for grouping: the message without per-connection details.
    static func reason(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled when the run ended" }
        if let error = error as? SignalRError { return error.message }
        return "\(error)"
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
