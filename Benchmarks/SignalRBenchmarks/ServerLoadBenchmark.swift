import Foundation
import Logging
import NIOConcurrencyHelpers
import SignalRClient
import NIOWebSocket
import WSClient

/// Many clients at once against the hub server (in its own process): server memory per
/// connection and echo throughput, next to a bare Hummingbird WebSocket echo server under the
/// same load in the same run.
enum ServerLoadBenchmark {
    static let payload = "hello world"

    static func run(counts: [Int], seconds: Double) async throws {
        print("Server under load: N clients connected at once, each echoing for \(seconds) s (server in its own process)")
        print("")
        print("| clients | server | RSS idle | RSS connected | KiB per connection | echoes per second | vs baseline |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for count in counts {
            let baseline = try await measureBaseline(count: count, seconds: seconds)
            let hub = try await measureHub(count: count, seconds: seconds)
            for (name, result) in [("bare WebSocket echo (baseline)", baseline), ("SignalR hub, JSON invoke", hub)] {
                let perConnection = Double(result.loadedKiB - result.idleKiB) / Double(count)
                print("| \(count) | \(name) | \(result.idleKiB / 1024) MiB | \(result.loadedKiB / 1024) MiB | "
                    + String(format: "%.1f", perConnection) + " | \(formatRate(result.rate)) | "
                    + String(format: "%.2fx", result.rate / baseline.rate) + " |")
            }
        }
    }

    struct Result {
        var idleKiB: Int
        var loadedKiB: Int
        var rate: Double
    }

    static func measureHub(count: Int, seconds: Double) async throws -> Result {
        let server = try await ChildServer.start(siblingExecutable("signalr"), ["serve", "--port", "0"])
        defer { server.stop() }
        let idle = server.residentKiB
        let url = "http://127.0.0.1:\(server.port)/hubs/test"
        var connections: [HubConnection] = []
        for batchStart in stride(from: 0, to: count, by: 50) {
            let batch = try await withThrowingTaskGroup(of: HubConnection.self) { group in
                for _ in batchStart..<min(batchStart + 50, count) {
                    group.addTask {
                        let connection = try HubConnectionBuilder().withUrl(url).build()
                        try await connection.start()
                        return connection
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            connections += batch
        }
        let loaded = server.residentKiB
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in connections {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        let _: String = try await connection.invoke("Echo", payload)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let rate = Double(total) / (ContinuousClock.now - start).seconds
        for connection in connections { try await connection.stop() }
        return Result(idleKiB: idle, loadedKiB: loaded, rate: rate)
    }

    static func measureBaseline(count: Int, seconds: Double) async throws -> Result {
        let server = try await ChildServer.start(siblingExecutable("SignalRBenchmarks"), ["echo-server"])
        defer { server.stop() }
        let idle = server.residentKiB
        let connected = NIOLockedValueBox(0)
        let (allConnected, allConnectedSink) = AsyncStream.makeStream(of: Void.self)
        let (go, goSink) = AsyncStream.makeStream(of: ContinuousClock.Instant.self, bufferingPolicy: .unbounded)
        let logger = Logger(label: "load", factory: { _ in SwiftLogNoOpLogHandler() })
        async let totals: Int = withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask {
                    let done = NIOLockedValueBox(0)
                    _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(server.port)/echo", logger: logger) { inbound, outbound, _ in
                        if connected.withLockedValue({ $0 += 1; return $0 }) == count { allConnectedSink.yield() }
                        var deadline = ContinuousClock.now
                        for await value in go {
                            deadline = value
                            break
                        }
                        var iterator = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                        var finished = 0
                        while ContinuousClock.now < deadline {
                            try await outbound.write(.text(payload))
                            guard try await iterator.next() != nil else { break }
                            finished += 1
                        }
                        done.withLockedValue { $0 = finished }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    return done.withLockedValue { $0 }
                }
            }
            return try await group.reduce(0, +)
        }
        for await _ in allConnected { break }
        let loaded = server.residentKiB
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        for _ in 0..<count { goSink.yield(deadline) }
        let total = try await totals
        return Result(idleKiB: idle, loadedKiB: loaded, rate: Double(total) / (ContinuousClock.now - start).seconds)
    }
}
