import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket
import SignalRClient
import SignalRProtocol
import WSClient

/// What one client process measured; printed as one JSON line for the parent.
struct WorkerReport: Codable {
    var sequentialRate: Double
    var p50: Double
    var p99: Double
    var inFlightRate: Double
    /// Per call, over the sequential part.
    var cpuMicros: Double
    var voluntarySwitches: Double
    var allocations: Double
    /// CPU µs per call with 64 in flight.
    var inFlightCPUMicros: Double
    /// The server process's CPU µs per call (filled in by the parent).
    var serverCPUMicros: Double?
}

/// The client side of `client-process`, run in its own process (`client-worker KIND PORT CALLS`):
/// `echo` is the baseline (a bare `WebSocketClient` echo), `json` and `messagepack` a
/// `HubConnection` over WebSockets invoking `Add(2, 3)` on the hub.
enum ClientWorker {
    static let inFlight = 64
    static let warmUp = 1000

    static func run(kind: String, port: Int, calls: Int) async throws {
        let report: WorkerReport
        switch kind {
        case "echo": report = try await echo(port: port, calls: calls)
        case "json": report = try await hub(port: port, calls: calls, hubProtocol: JSONHubProtocol())
        case "messagepack": report = try await hub(port: port, calls: calls, hubProtocol: MessagePackHubProtocol())
        default: throw BenchmarkError("unknown client kind '\(kind)'")
        }
        let line = try JSONEncoder().encode(report)
        FileHandle.standardOutput.write(line + Data("\n".utf8))
    }

    /// Sequential calls (latencies in µs), then the same usage per call.
    private static func sequential(_ calls: Int, _ call: () async throws -> Void) async rethrows -> (Double, [Double], ResourceUsage) {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        latencies.reserveCapacity(calls)
        let usage = ResourceUsage.now()
        let start = clock.now
        for _ in 0..<calls {
            let begin = clock.now
            try await call()
            latencies.append((clock.now - begin).microseconds)
        }
        let elapsed = clock.now - start
        return (Double(calls) / elapsed.seconds, latencies.sorted(), ResourceUsage.now().per(calls, since: usage))
    }

    private static func report(
        _ sequential: (Double, [Double], ResourceUsage), inFlight: (rate: Double, usage: ResourceUsage)
    ) -> WorkerReport {
        let (rate, latencies, usage) = sequential
        return WorkerReport(
            sequentialRate: rate, p50: latencies[latencies.count / 2], p99: latencies[latencies.count * 99 / 100],
            inFlightRate: inFlight.rate, cpuMicros: usage.cpuMicros, voluntarySwitches: usage.voluntarySwitches,
            allocations: usage.allocations, inFlightCPUMicros: inFlight.usage.cpuMicros
        )
    }

    private static func hub(port: Int, calls: Int, hubProtocol: any HubProtocol) async throws -> WorkerReport {
        let connection = try HubConnectionBuilder()
            .withUrl("http://127.0.0.1:\(port)/hubs/test", transports: .webSockets)
            .withHubProtocol(hubProtocol)
            .build()
        try await connection.start()
        let add: @Sendable () async throws -> Void = {
            let sum: Int = try await connection.invoke("Add", 2, 3)
            guard sum == 5 else { throw BenchmarkError("Add(2, 3) returned \(sum)") }
        }
        for _ in 0..<warmUp { try await add() }
        let sequentialPart = try await sequential(calls, add)
        let total = calls * 4
        let usage = ResourceUsage.now()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<inFlight {
                group.addTask {
                    for _ in stride(from: lane, to: total, by: inFlight) { try await add() }
                }
            }
            try await group.waitForAll()
        }
        let rate = Double(total) / (ContinuousClock.now - start).seconds
        let inFlightPart = (rate, ResourceUsage.now().per(total, since: usage))
        try await connection.stop()
        return report(sequentialPart, inFlight: inFlightPart)
    }

    private static func echo(port: Int, calls: Int) async throws -> WorkerReport {
        let logger = Logger(label: "echo-client", factory: { _ in SwiftLogNoOpLogHandler() })
        let result = NIOLockedValueBox<WorkerReport?>(nil)
        let payload = "{\"type\":1,\"invocationId\":\"0\",\"target\":\"Add\",\"arguments\":[2,3]}\u{1e}"
        _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/echo", logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            let roundTrip: () async throws -> Void = {
                try await outbound.write(.text(payload))
                guard try await messages.next() != nil else { throw BenchmarkError("the echo server closed") }
            }
            for _ in 0..<warmUp { try await roundTrip() }
            let sequentialPart = try await sequential(calls, roundTrip)
            // 64 in flight: keep 64 echoes outstanding on the one socket.
            let total = calls * 4
            let usage = ResourceUsage.now()
            let start = ContinuousClock.now
            var sent = 0
            for _ in 0..<inFlight {
                try await outbound.write(.text(payload))
                sent += 1
            }
            for _ in 0..<total {
                guard try await messages.next() != nil else { throw BenchmarkError("the echo server closed") }
                if sent < total {
                    try await outbound.write(.text(payload))
                    sent += 1
                }
            }
            let rate = Double(total) / (ContinuousClock.now - start).seconds
            result.withLockedValue { $0 = report(sequentialPart, inFlight: (rate, ResourceUsage.now().per(total, since: usage))) }
            try await outbound.close(.normalClosure, reason: nil)
        }
        guard let report = result.withLockedValue({ $0 }) else { throw BenchmarkError("the echo client did not finish") }
        return report
    }
}
