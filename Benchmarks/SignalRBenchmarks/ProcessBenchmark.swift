import Foundation

/// `client-process [CALLS] [ROUNDS]`: the client's cost per call measured across processes.
///
/// The hub (`signalr serve`) and a bare Hummingbird WebSocket echo server each run in their
/// own process, and every client runs in another (`client-worker`), so the client's CPU,
/// context switches and allocations are its own, and a hop between threads shows as the
/// context switch it costs (in one process, client and server share one thread pool and
/// hide it). Rounds alternate baseline and clients; the table shows medians, with ratios
/// to the bare echo of the same run.
enum ProcessBenchmark {
    static func run(calls: Int, rounds: Int) async throws {
        let hub = try await ChildServer.start(siblingExecutable("signalr"), ["serve", "--port", "0"])
        defer { hub.stop() }
        let echo = try await ChildServer.start(siblingExecutable("SignalRBenchmarks"), ["echo-server"])
        defer { echo.stop() }
        let kinds = [("echo", echo), ("json", hub), ("messagepack", hub)]
        var reports: [String: [WorkerReport]] = [:]
        for _ in 0..<rounds {
            for (kind, server) in kinds {
                let before = server.cpuMicros
                var report = try await worker(kind, port: server.port, calls: calls)
                // The server's CPU over the whole client run (warm-up, sequential, in flight), per call.
                report.serverCPUMicros = (server.cpuMicros - before) / Double(ClientWorker.warmUp + calls * 5)
                reports[kind, default: []].append(report)
            }
        }
        guard let baseline = reports["echo"].map(median) else { throw BenchmarkError("no baseline") }
        print("Client cost across processes: \(calls) sequential calls, then \(calls * 4) with 64 in flight, medians of \(rounds) rounds")
        print("")
        print("| client | sequential /s | vs echo | p50 µs | p99 µs | 64 in flight /s | vs echo | CPU µs per call | vs echo | voluntary switches per call | allocations per call | server CPU µs per call |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (kind, name) in [("echo", "bare WebSocket echo (baseline)"), ("json", "HubConnection, JSON"), ("messagepack", "HubConnection, MessagePack")] {
            guard let report = reports[kind].map(median) else { continue }
            let cells = [
                name, formatRate(report.sequentialRate), ratio(report.sequentialRate, baseline.sequentialRate),
                String(format: "%.0f", report.p50), String(format: "%.0f", report.p99),
                formatRate(report.inFlightRate), ratio(report.inFlightRate, baseline.inFlightRate),
                String(format: "%.1f", report.cpuMicros), ratio(report.cpuMicros, baseline.cpuMicros),
                String(format: "%.2f", report.voluntarySwitches), String(format: "%.1f", report.allocations),
                String(format: "%.1f", report.serverCPUMicros ?? 0),
            ]
            print("| " + cells.joined(separator: " | ") + " |")
        }
        print("")
        print("Targets (ratios to the echo): sequential ≥ 0.90x, 64 in flight ≥ 0.80x, CPU per call ≤ 1.30x, voluntary switches ≤ 1.5 per call.")
    }

    static func ratio(_ value: Double, _ baseline: Double) -> String {
        String(format: "%.2fx", value / baseline)
    }

    /// The median of each field over the rounds.
    static func median(_ reports: [WorkerReport]) -> WorkerReport {
        func mid(_ field: (WorkerReport) -> Double) -> Double {
            let sorted = reports.map(field).sorted()
            return sorted[sorted.count / 2]
        }
        return WorkerReport(
            sequentialRate: mid(\.sequentialRate), p50: mid(\.p50), p99: mid(\.p99), inFlightRate: mid(\.inFlightRate),
            cpuMicros: mid(\.cpuMicros), voluntarySwitches: mid(\.voluntarySwitches), allocations: mid(\.allocations),
            inFlightCPUMicros: mid(\.inFlightCPUMicros), serverCPUMicros: mid { $0.serverCPUMicros ?? 0 }
        )
    }

    /// Runs one client process and reads its report; kills it after `limit`.
    static func worker(_ kind: String, port: Int, calls: Int, limit: Duration = .seconds(120)) async throws -> WorkerReport {
        let process = Process()
        process.executableURL = siblingExecutable("SignalRBenchmarks")
        process.arguments = ["client-worker", kind, String(port), String(calls)]
        let output = Pipe()
        process.standardOutput = output
        let (ended, endedSink) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in
            endedSink.yield()
            endedSink.finish()
        }
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: limit)
            process.terminate()
        }
        for await _ in ended { break }
        watchdog.cancel()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        guard process.terminationStatus == 0,
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
            let report = try? JSONDecoder().decode(WorkerReport.self, from: Data(line.utf8))
        else { throw BenchmarkError("client-worker \(kind) failed (status \(process.terminationStatus))") }
        return report
    }
}
