import SignalRProtocol

/// What `signalr bench` does to a hub.
public enum BenchScenario: String, Sendable, CaseIterable, Codable {
    /// Open the connections and hold them (keep-alive only).
    case connect
    /// Each connection invokes a method and waits for its result, with K calls outstanding
    /// or at a fixed rate.
    case echo
    /// One connection sends to a method that fans out to every connection, which counts what arrives.
    case broadcast
    /// Each connection consumes a streaming method, again and again.
    case stream
}

/// The load: how many connections, how fast they open, how long it runs, and what each does.
public struct BenchConfiguration: Sendable {
    /// Connections to open.
    public var connections = 1
    /// Connections opened per second.
    public var rampRate = 100.0
    /// How long the load runs once every connection was tried (after the ramp); the run
    /// always ends by itself.
    public var duration: Duration = .seconds(10)
    /// What each connection does.
    public var scenario = BenchScenario.echo
    /// The hub method to call: the one invoked (`echo`), sent to (`broadcast`) or streamed (`stream`).
    public var method: String?
    /// The method's arguments. Nil: the scenario's default (a payload string for `echo` and
    /// `broadcast`, `[100, 0]` for `stream`).
    public var arguments: [JSONValue]?
    /// The payload string's size in bytes, when ``arguments`` is nil.
    public var payloadSize = 32
    /// Calls each connection keeps outstanding (`echo`).
    public var inFlight = 1
    /// Calls (`echo`) or broadcasts (`broadcast`) per second; per connection for `echo`. Nil:
    /// as fast as the in-flight calls allow (`echo`), 10 per second (`broadcast`).
    public var rate: Double?
    /// The client method a broadcast arrives at (`broadcast`).
    public var receiveMethod = "ReceiveMessage"
    /// How long calls still outstanding at the end may take to finish before they are cancelled.
    public var drainTimeout: Duration = .seconds(5)

    /// Creates the default configuration: one connection, `echo`, 10 s.
    public init() {}

    /// The method the scenario calls.
    public var resolvedMethod: String {
        if let method { return method }
        switch scenario {
        case .connect, .echo: return "Echo"
        case .broadcast: return "SendMessage"
        case .stream: return "Counter"
        }
    }

    /// A payload of ``payloadSize`` bytes.
    var payload: String { String(repeating: "x", count: max(0, payloadSize)) }

    /// The arguments of one call; `broadcast` puts the send time first in its text so receivers
    /// can tell the latency.
    func callArguments(stamp: Int64 = 0) -> [JSONValue] {
        if let arguments { return arguments }
        switch scenario {
        case .connect, .echo: return [.string(payload)]
        case .broadcast: return [.string("bench"), .string("\(stamp) \(payload)")]
        case .stream: return [.int(100), .int(0)]
        }
    }

    /// Checks the values a user gave.
    /// - Throws: ``BenchError`` naming the first bad value.
    public func validate() throws {
        guard connections >= 1 else { throw BenchError("--connections must be at least 1.") }
        guard rampRate > 0 else { throw BenchError("--ramp-rate must be above 0.") }
        guard duration > .zero else { throw BenchError("--duration must be above 0.") }
        guard inFlight >= 1 else { throw BenchError("--in-flight must be at least 1.") }
        if let rate, rate <= 0 { throw BenchError("--rate must be above 0.") }
        guard payloadSize >= 0 else { throw BenchError("--payload-size must not be negative.") }
    }
}

/// A bad bench setting or a run that could not start.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public let description: String

    /// Creates an error with its text.
    public init(_ description: String) { self.description = description }
}
