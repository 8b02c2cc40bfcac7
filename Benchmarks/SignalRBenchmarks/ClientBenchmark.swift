import Foundation
import Histogram
import NIOConcurrencyHelpers
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting

/// Client throughput against the in-repo hub over loopback, next to the bare WebSocket
/// echo baseline measured in the same run.
enum ClientBenchmark {
    static let payload = "hello world"

    struct Row {
        var name: String
        var rate: Double
        var baseline: Double
        var p50: UInt64?
        var p99: UInt64?
    }

    static func run(total: Int) async throws {
        let echo = try await EchoServer.start()
        let sequentialBaseline = try await EchoBaseline.run(port: echo.port, total: total, inFlight: 1, payload: payload)
        let pipelinedBaseline = try await EchoBaseline.run(port: echo.port, total: total * 4, inFlight: 64, payload: payload)
        let floodBaseline = try await EchoBaseline.run(port: echo.port, total: total * 4, inFlight: total * 4, payload: payload)
        await echo.stop()

        let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0)
        var rows: [Row] = [
            Row(name: "bare WebSocket echo, sequential (baseline)", rate: sequentialBaseline.rate, baseline: sequentialBaseline.rate,
                p50: percentile(sequentialBaseline.latencies, 50), p99: percentile(sequentialBaseline.latencies, 99)),
            Row(name: "bare WebSocket echo, 64 in flight (baseline)", rate: pipelinedBaseline.rate, baseline: pipelinedBaseline.rate),
            Row(name: "bare WebSocket echo, all in flight (baseline)", rate: floodBaseline.rate, baseline: floodBaseline.rate),
        ]
        for (name, hubProtocol) in [("JSON", JSONHubProtocol() as any HubProtocol), ("MessagePack", MessagePackHubProtocol())] {
            let url = await server.url(for: SignalRTestServer.testHubPath)
            let connection = try HubConnectionBuilder().withUrl(url).withHubProtocol(hubProtocol).build()
            try await connection.start()
            let sequential = try await invokeSequential(connection, total: total)
            rows.append(Row(name: "\(name) invoke, sequential", rate: sequential.rate, baseline: sequentialBaseline.rate,
                            p50: percentile(sequential.latencies, 50), p99: percentile(sequential.latencies, 99)))
            let parallel = try await invokeInFlight(connection, total: total * 4, inFlight: 64)
            rows.append(Row(name: "\(name) invoke, 64 in flight", rate: parallel, baseline: pipelinedBaseline.rate))
            try await connection.stop()
            let received = try await receiveSends(url: url, hubProtocol: hubProtocol, total: total * 4)
            rows.append(Row(name: "\(name) send → on, received messages", rate: received, baseline: floodBaseline.rate))
        }
        await server.stop()
        print("Client over loopback: round trips (or messages) per second, payload \"\(payload)\"")
        print("")
        print("| scenario | per second | vs baseline | p50 µs | p99 µs |")
        print("|---|---:|---:|---:|---:|")
        for row in rows {
            let p50 = row.p50.map(String.init) ?? ""
            let p99 = row.p99.map(String.init) ?? ""
            print("| \(row.name) | \(formatRate(row.rate)) | \(String(format: "%.2fx", row.rate / row.baseline)) | \(p50) | \(p99) |")
        }
    }

    static func percentile(_ values: [UInt64], _ percent: Double) -> UInt64? {
        guard !values.isEmpty else { return nil }
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for value in values { histogram.record(max(1, value)) }
        return histogram.valueAtPercentile(percent)
    }

    static func invokeSequential(_ connection: HubConnection, total: Int) async throws -> (rate: Double, latencies: [UInt64]) {
        let clock = ContinuousClock()
        var latencies: [UInt64] = []
        latencies.reserveCapacity(total)
        for _ in 0..<100 { let _: String = try await connection.invoke("Echo", payload) }
        let start = clock.now
        for _ in 0..<total {
            let before = clock.now
            let _: String = try await connection.invoke("Echo", payload)
            latencies.append(UInt64((clock.now - before).microseconds))
        }
        return (Double(total) / (clock.now - start).seconds, latencies)
    }

    static func invokeInFlight(_ connection: HubConnection, total: Int, inFlight: Int) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    for _ in 0..<(total / inFlight) { let _: String = try await connection.invoke("Echo", payload) }
                }
            }
            try await group.waitForAll()
        }
        return Double(total / inFlight * inFlight) / (clock.now - start).seconds
    }

    /// One connection sends `total` messages with `send`; the hub relays each to the other
    /// connection, whose `on` handler counts them.
    static func receiveSends(url: String, hubProtocol: any HubProtocol, total: Int) async throws -> Double {
        let sender = try HubConnectionBuilder().withUrl(url).withHubProtocol(hubProtocol).build()
        let receiver = try HubConnectionBuilder().withUrl(url).withHubProtocol(hubProtocol).build()
        let (done, doneSink) = AsyncStream.makeStream(of: Void.self)
        let count = NIOLockedValueBox(0)
        await receiver.on("ReceiveMessage") { (_: String, _: String) in
            let reached = count.withLockedValue { value -> Bool in
                value += 1
                return value == total
            }
            if reached { doneSink.yield() }
        }
        try await sender.start()
        try await receiver.start()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<total { try await sender.send("SendToOthers", "ana", payload) }
        for await _ in done { break }
        let rate = Double(total) / (clock.now - start).seconds
        try await sender.stop()
        try await receiver.stop()
        return rate
    }
}
