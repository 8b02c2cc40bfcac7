import Foundation
import MallocCounter
import SignalRBench
import SignalRClient
import SignalRProtocol

/// `leak-check [CYCLES] [RECONNECT-CYCLES] [--settle SECONDS] [--json]`: one client process against the in-repo hub
/// (`signalr serve`, its own process). `CYCLES` times build → start → invoke → stop, rotating
/// through every transport and both protocols; then `RECONNECT-CYCLES` times the hub drops the
/// connection (`Abort`) and automatic reconnect recovers it before the stop. Open descriptors
/// (`/proc/self/fd`), threads (`/proc/self/task`) and RSS are sampled before, every 100 cycles
/// and after. The baseline is taken after one warm-up cycle of each kind, so what is created
/// once per process (NIO's event loops, the cooperative pool's threads, the HTTP client) is in it.
///
/// `--settle` samples once more after that many seconds: memory held by timers that were
/// cancelled but not yet due (a cancelled `Task.sleep` keeps its job until the original
/// deadline on Linux; requests carry a 100 s timeout) is then back.
enum LeakCheck {
    struct Sample: Codable {
        var cycle: Int
        var descriptors: Int
        var threads: Int
        var rssKiB: Int
        /// Bytes the allocator has handed out and not had back (glibc's `mallinfo2`), in KiB:
        /// unlike RSS, it falls when memory is freed. 0 where unavailable.
        var heapKiB: Int

        static func now(cycle: Int) -> Sample {
            Sample(
                cycle: cycle, descriptors: count("/proc/self/fd"), threads: count("/proc/self/task"), rssKiB: rssKiB(),
                heapKiB: heapKiB()
            )
        }

        private static func heapKiB() -> Int {
            Int(malloc_counter_bytes_in_use()) / 1024
        }

        private static func count(_ directory: String) -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: directory).count) ?? -1
        }

        private static func rssKiB() -> Int {
            ProcessUsage.residentBytes().map { $0 / 1024 } ?? -1
        }
    }

    struct Report: Codable {
        var cycles: Int
        var reconnectCycles: Int
        var samples: [Sample]
        var baseline: Sample
        var after: Sample
        /// After `--settle` seconds, when asked for.
        var settled: Sample?
    }

    /// The transport and protocol of each cycle, in turn (MessagePack cannot use Server-Sent Events).
    static let kinds: [(HttpTransportType, any HubProtocol)] = [
        (.webSockets, JSONHubProtocol()), (.webSockets, MessagePackHubProtocol()), (.serverSentEvents, JSONHubProtocol()),
        (.longPolling, JSONHubProtocol()), (.longPolling, MessagePackHubProtocol()),
    ]

    static func run(cycles: Int, reconnectCycles: Int, settle: Int, json: Bool) async throws {
        let hub = try await ChildServer.start(siblingExecutable("signalr"), ["serve", "--port", "0"])
        defer { hub.stop() }
        let url = "http://127.0.0.1:\(hub.port)/hubs/test"
        for index in kinds.indices { try await cycle(url: url, index: index) }
        try await reconnectCycle(url: url, index: 0)
        let baseline = Sample.now(cycle: 0)
        var samples = [baseline]
        for index in 0..<cycles {
            try await cycle(url: url, index: index)
            if (index + 1) % 100 == 0 { samples.append(.now(cycle: index + 1)) }
        }
        for index in 0..<reconnectCycles {
            try await reconnectCycle(url: url, index: index)
            if (index + 1) % 100 == 0 { samples.append(.now(cycle: cycles + index + 1)) }
        }
        let after = Sample.now(cycle: cycles + reconnectCycles)
        samples.append(after)
        var settled: Sample?
        if settle > 0 {
            try await Task.sleep(for: .seconds(settle))
            settled = .now(cycle: cycles + reconnectCycles)
        }
        let report = Report(
            cycles: cycles, reconnectCycles: reconnectCycles, samples: samples, baseline: baseline, after: after, settled: settled
        )
        if json {
            let data = try JSONEncoder().encode(report)
            print("LEAK-CHECK " + String(decoding: data, as: UTF8.self))
        } else {
            print(markdown(report))
        }
    }

    static func markdown(_ report: Report) -> String {
        var lines = [
            "Leak check: \(report.cycles) connect/invoke/stop cycles (every transport, both protocols), then \(report.reconnectCycles) drop/reconnect cycles",
            "",
            "| after cycle | open descriptors | threads | RSS MiB | heap in use MiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for sample in report.samples {
            lines.append(
                "| \(sample.cycle) | \(sample.descriptors) | \(sample.threads) | \(String(format: "%.1f", Double(sample.rssKiB) / 1024)) | \(String(format: "%.1f", Double(sample.heapKiB) / 1024)) |"
            )
        }
        let growth = Double(report.after.rssKiB - report.baseline.rssKiB) / 1024
        let heapGrowth = Double(report.after.heapKiB - report.baseline.heapKiB) / 1024
        lines.append("")
        lines.append(
            "Descriptors \(report.baseline.descriptors) → \(report.after.descriptors), threads \(report.baseline.threads) → \(report.after.threads), RSS +\(String(format: "%.1f", growth)) MiB, heap in use +\(String(format: "%.1f", heapGrowth)) MiB."
        )
        if let settled = report.settled {
            lines.append(
                "After settling: descriptors \(settled.descriptors), threads \(settled.threads), RSS \(String(format: "%.1f", Double(settled.rssKiB) / 1024)) MiB, heap in use \(String(format: "%.1f", Double(settled.heapKiB) / 1024)) MiB (baseline \(String(format: "%.1f", Double(report.baseline.heapKiB) / 1024)) MiB)."
            )
        }
        return lines.joined(separator: "\n")
    }

    private static func connection(url: String, index: Int, reconnect: Bool) throws -> HubConnection {
        let (transport, hubProtocol) = kinds[index % kinds.count]
        var builder = HubConnectionBuilder()
            .withUrl(url, options: HttpConnectionOptions(transports: transport))
            .withHubProtocol(hubProtocol)
            .configureLogging(.none)
        if reconnect { builder = builder.withAutomaticReconnect([.zero, .milliseconds(50), .milliseconds(200)]) }
        return try builder.build()
    }

    /// build → start → invoke → stop.
    private static func cycle(url: String, index: Int) async throws {
        let connection = try connection(url: url, index: index, reconnect: false)
        try await step("start", index) { try await connection.start() }
        let sum = try await step("invoke", index) { try await connection.invoke("Add", 1, 2, returning: Int.self) }
        guard sum == 3 else { throw BenchmarkError("Add(1, 2) gave \(sum)") }
        try await connection.stop()
    }

    /// Runs one step of cycle `index`, naming the step and the transport in its error.
    private static func step<T>(_ name: String, _ index: Int, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            let (transport, hubProtocol) = kinds[index % kinds.count]
            throw BenchmarkError("cycle \(index) (\(transport), \(hubProtocol.name)): \(name) failed: \(error)")
        }
    }

    /// build → start → the hub drops the connection → automatic reconnect → invoke → stop.
    private static func reconnectCycle(url: String, index: Int) async throws {
        let connection = try connection(url: url, index: index, reconnect: true)
        let (reconnected, signal) = AsyncStream.makeStream(of: Void.self)
        await connection.onReconnected { _ in signal.yield() }
        try await step("start", index) { try await connection.start() }
        try await step("send Abort", index) { try await connection.send("Abort") }
        let outcome = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in reconnected { return true }
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        signal.finish()
        guard outcome else { throw BenchmarkError("cycle \(index): no reconnect within 10 s") }
        let sum = try await step("invoke after reconnect", index) { try await connection.invoke("Add", 1, 2, returning: Int.self) }
        guard sum == 3 else { throw BenchmarkError("Add(1, 2) gave \(sum)") }
        try await connection.stop()
    }
}
