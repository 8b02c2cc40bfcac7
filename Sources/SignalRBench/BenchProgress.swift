/// One progress sample of a run, taken every second.
public struct BenchProgress: Sendable {
    /// Seconds since the run started.
    public var elapsed: Double
    /// Connections open now, failed so far, and reconnecting now.
    public var connected: Int
    public var failed: Int
    public var reconnecting: Int
    /// Calls completed per second over the last sample, and their p50 and p99 latency in ms.
    public var callsPerSecond: Double
    public var p50: Double?
    public var p99: Double?

    /// One line: `12.0 s  connected 1000  failed 0  reconnecting 0  calls/s 8,214  p50 3.10 ms  p99 9.80 ms`.
    public var line: String {
        var text = "\(format(elapsed)) s  connected \(connected)  failed \(failed)  reconnecting \(reconnecting)  calls/s \(format(callsPerSecond))"
        if let p50, let p99 { text += "  p50 \(format(p50)) ms  p99 \(format(p99)) ms" }
        return text
    }
}
