/// The transports a connection may use (`HttpTransportType` of the official client).
///
/// Tried in the order WebSockets, Server-Sent Events, Long Polling, limited to those
/// the server offers in its negotiate response.
public struct HttpTransportType: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    /// Creates a set from its bits (1 WebSockets, 2 Server-Sent Events, 4 Long Polling, as in the official client).
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// WebSockets (`"WebSockets"` in negotiate responses).
    public static let webSockets = HttpTransportType(rawValue: 1)
    /// Server-Sent Events (`"ServerSentEvents"`); text only.
    public static let serverSentEvents = HttpTransportType(rawValue: 2)
    /// Long Polling (`"LongPolling"`).
    public static let longPolling = HttpTransportType(rawValue: 4)
    /// Every transport (the default).
    public static let all: HttpTransportType = [.webSockets, .serverSentEvents, .longPolling]

    /// The single transports, in the order they are tried.
    static let preferenceOrder: [HttpTransportType] = [.webSockets, .serverSentEvents, .longPolling]

    /// The name used on the wire for a single transport (`WebSockets`, `ServerSentEvents`, `LongPolling`).
    public var name: String? {
        switch self {
        case .webSockets: return "WebSockets"
        case .serverSentEvents: return "ServerSentEvents"
        case .longPolling: return "LongPolling"
        default: return nil
        }
    }

    /// The single transport called `name` on the wire, if this client knows it.
    init?(name: String) {
        guard let match = Self.preferenceOrder.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public var description: String {
        let names = Self.preferenceOrder.filter { contains($0) }.compactMap(\.name)
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
