import ArgumentParser
import Foundation
import SignalRBench
import SignalRProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `signalr bench URL`: a load generator for any SignalR hub.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Put load on a SignalR hub and report throughput, latency and client cost.",
        discussion: """
            Scenarios: connect (open and hold the connections), echo (each connection invokes \
            --method, default Echo, with --in-flight calls outstanding or at --rate per second), \
            broadcast (the first connection sends --method, default SendMessage, at --rate per \
            second, default 10; every connection counts what reaches --receive-method), stream \
            (each connection consumes --method, default Counter(100, 0), again and again). \
            Progress goes to standard error; the report to standard output. Ctrl-C stops the run \
            and prints what it measured so far.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Connections to open.") var connections = 1
    @Option(help: "Connections opened per second.") var rampRate = 100.0
    @Option(help: "How long the load runs once every connection was tried: 30, 30s, 500ms or 2m.") var duration = "10s"
    @Option(help: "connect, echo, broadcast or stream.") var scenario: BenchScenario = .echo
    @Option(help: "The hub method to call (default: Echo, SendMessage or Counter by scenario).") var method: String?
    @Option(name: .customLong("arguments"), help: "The method's arguments, one JSON value per option (repeatable).")
    var arguments: [String] = []
    @Option(help: "Without --arguments: the size in bytes of the payload string sent.") var payloadSize = 32
    @Option(help: "echo: calls each connection keeps outstanding.") var inFlight = 1
    @Option(help: "echo: calls per second per connection; broadcast: messages per second.") var rate: Double?
    @Option(help: "broadcast: the client method the fan-out calls.") var receiveMethod = "ReceiveMessage"
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        var configuration = BenchConfiguration()
        configuration.connections = connections
        configuration.rampRate = rampRate
        configuration.duration = try Self.parseDuration(duration)
        configuration.scenario = scenario
        configuration.method = method
        configuration.arguments = arguments.isEmpty ? nil : try parseJSONArguments(arguments)
        configuration.payloadSize = payloadSize
        configuration.inFlight = inFlight
        configuration.rate = rate
        configuration.receiveMethod = receiveMethod
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        // Fail on a bad URL or option before the first connection, not once per connection.
        _ = try connection.makeConnection()

        var run = BenchRun(configuration: configuration) { [connection] in try connection.makeConnection() }
        run.openFileLimit = raiseOpenFileLimit()
        if run.openFileLimit > 0, connections + 64 > run.openFileLimit {
            printError("Warning: the open-file limit is \(run.openFileLimit); \(connections) connections need about \(connections + 64) descriptors.")
        }
        let display = ProgressDisplay(terminal: isatty(STDERR_FILENO) == 1)
        run.onProgress = { display.show($0) }
        let json = json
        let load = run
        try await withInterrupt({
            let report = await load.run()
            display.finish()
            printLine(json ? report.json : report.text)
        }, onInterrupt: {})
    }

    /// `30`, `30s`, `500ms`, `2m` → a duration.
    static func parseDuration(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, unit): (Substring, Double) =
            if trimmed.hasSuffix("ms") { (trimmed.dropLast(2), 0.001) }
            else if trimmed.hasSuffix("s") { (trimmed.dropLast(), 1) }
            else if trimmed.hasSuffix("m") { (trimmed.dropLast(), 60) }
            else { (Substring(trimmed), 1) }
        guard let value = Double(number), value > 0 else {
            throw ValidationError("--duration must be a positive number of seconds, e.g. 30, 30s, 500ms or 2m; got '\(text)'.")
        }
        return .seconds(value * unit)
    }
}

extension BenchScenario: ExpressibleByArgument {}

/// Progress on standard error: rewritten in place on a terminal, a line every 5 s otherwise.
final class ProgressDisplay: Sendable {
    let terminal: Bool

    init(terminal: Bool) { self.terminal = terminal }

    func show(_ progress: BenchProgress) {
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(progress.line)".utf8))
        } else if Int(progress.elapsed.rounded()) % 5 == 0 {
            printError(progress.line)
        }
    }

    /// Ends the in-place line before the report.
    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
