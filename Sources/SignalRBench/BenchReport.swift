import Foundation

/// What a run measured: `signalr bench` prints it as text, or as JSON with `--json`.
public struct BenchReport: Codable, Sendable {
    public struct Latency: Codable, Sendable {
        /// Milliseconds.
        public var p50, p90, p99, p999, max: Double
    }

    public var scenario: BenchScenario
    public var method: String
    /// Whether the run ended early (Ctrl-C).
    public var interrupted: Bool
    /// Seconds from the first connection attempt to the end of the load.
    public var seconds: Double
    /// Seconds of load: from the moment every connection had been tried to the end.
    public var loadSeconds: Double
    public var connectionsRequested: Int
    public var connectionsAttempted: Int
    public var connectionsEstablished: Int
    /// Failed connection attempts by reason.
    public var connectionFailures: [String: Int]
    /// Connections that dropped and came back (automatic reconnect).
    public var reconnects: Int
    /// Connections that ended before the run did.
    public var connectionsLost: Int
    /// Invokes answered (`echo`), streams completed (`stream`), broadcasts received (`broadcast`).
    public var callsOK: Int
    /// Failed calls by reason.
    public var callFailures: [String: Int]
    /// Stream items received (`stream`).
    public var items: Int
    /// Broadcasts sent (`broadcast`).
    public var broadcastsSent: Int
    /// ``callsOK`` per second of load (``loadSeconds``).
    public var callsPerSecond: Double
    public var latency: Latency?
    /// Client CPU seconds over the run, and as a share of one core.
    public var cpuSeconds: Double
    public var cpuPercent: Double
    /// Resident memory at the end of the load, and what it grew by per established connection (KiB).
    public var residentMiB: Double
    public var residentKiBPerConnection: Double?
    /// The open-file limit the run had.
    public var openFileLimit: Int

    public var callsFailed: Int { callFailures.values.reduce(0, +) }
    public var connectionsFailed: Int { connectionFailures.values.reduce(0, +) }

    /// The human-readable report.
    public var text: String {
        var lines: [String] = []
        let what = interrupted ? "Interrupted after" : "Ran"
        // The connect scenario calls nothing, so it names no method.
        let called = scenario == .connect ? "" : ", method \(method)"
        lines.append("\(what) \(format(seconds)) s (\(format(loadSeconds)) s of load after the ramp): scenario \(scenario.rawValue)\(called)")
        lines.append("Connections: \(connectionsEstablished) established of \(connectionsRequested) (\(connectionsAttempted) attempted), \(connectionsFailed) failed, \(reconnects) reconnects, \(connectionsLost) lost")
        for (reason, count) in connectionFailures.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(count) × \(reason)")
        }
        switch scenario {
        case .connect: break
        case .broadcast:
            lines.append("Broadcasts: \(broadcastsSent) sent, \(callsOK) received (\(format(callsPerSecond)) /s), expected \(broadcastsSent * connectionsEstablished)")
        case .stream:
            lines.append("Streams: \(callsOK) completed, \(callsFailed) failed, \(items) items (\(format(Double(items) / max(loadSeconds, 0.001))) items/s)")
        case .echo:
            lines.append("Calls: \(callsOK) ok, \(callsFailed) failed, \(format(callsPerSecond)) calls/s")
        }
        for (reason, count) in callFailures.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(count) × \(reason)")
        }
        if let latency {
            let label = scenario == .stream ? "Stream duration" : "Latency"
            lines.append("\(label) (ms): p50 \(format(latency.p50))  p90 \(format(latency.p90))  p99 \(format(latency.p99))  p99.9 \(format(latency.p999))  max \(format(latency.max))")
        }
        var memory = "Client: CPU \(format(cpuSeconds)) s (\(format(cpuPercent))% of a core), RSS \(format(residentMiB)) MiB"
        if let perConnection = residentKiBPerConnection { memory += ", \(format(perConnection)) KiB per connection" }
        lines.append(memory + ", open-file limit \(openFileLimit)")
        return lines.joined(separator: "\n")
    }

    /// The report as one JSON object.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Three significant digits at most, no exponent.
func format(_ value: Double) -> String {
    if value >= 100 { return String(format: "%.0f", value) }
    if value >= 10 { return String(format: "%.1f", value) }
    return String(format: "%.2f", value)
}
