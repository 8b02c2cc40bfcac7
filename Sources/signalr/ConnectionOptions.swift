import ArgumentParser
import Foundation
import Logging
import NIOSSL
import SignalRClient
import SignalRProtocol

/// Options shared by every command that connects to a hub.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "The hub URL, e.g. http://127.0.0.1:5000/hubs/test")
    var url: String

    @Option(name: .customLong("protocol"), help: "Hub protocol: json or messagepack.")
    var hubProtocol: HubProtocolName = .json

    @Option(help: "Transports to allow, comma-separated: webSockets, serverSentEvents, longPolling (default: all).")
    var transport: String?

    @Option(help: "Log level: trace, debug, information, warning, error, critical, none.")
    var logLevel: LogLevelName = .none

    @Option(name: .customLong("header"), help: "A request header 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "A bearer token sent as 'Authorization: Bearer <token>'.")
    var accessToken: String?

    @Flag(help: "Connect straight to the WebSocket without negotiating.")
    var skipNegotiation = false

    @Option(name: .customLong("ca-cert"), help: "A PEM file of CA certificates to trust besides the system's (https/wss hubs with a private CA).")
    var caCertificate: String?

    /// Builds the connection these options describe; `configure` may add to the builder.
    func makeConnection(
        configure: (HubConnectionBuilder) -> HubConnectionBuilder = { $0 }
    ) throws -> HubConnection {
        var options = HttpConnectionOptions()
        options.skipNegotiation = skipNegotiation
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ValidationError("A header must look like 'Name: value', got '\(header)'.")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            options.headers[name] = value
        }
        if let accessToken {
            options.accessTokenFactory = { accessToken }
        }
        if let caCertificate {
            guard FileManager.default.isReadableFile(atPath: caCertificate) else {
                throw ValidationError("Cannot read the CA certificate file '\(caCertificate)'.")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(caCertificate)]
            options.tlsConfiguration = tls
        }
        if let transport {
            options.transports = try Self.parseTransports(transport)
        } else if skipNegotiation {
            options.transports = .webSockets
        }
        var builder = HubConnectionBuilder().withUrl(url, options: options)
        switch hubProtocol {
        case .json: builder = builder.withHubProtocol(JSONHubProtocol())
        case .messagepack: builder = builder.withHubProtocol(MessagePackHubProtocol())
        }
        if logLevel.level != .none {
            LoggingBootstrap.standardErrorOnce()
            builder = builder.configureLogging(logLevel.level)
        }
        return try configure(builder).build()
    }

    static func parseTransports(_ text: String) throws -> HttpTransportType {
        var result: HttpTransportType = []
        for name in text.split(separator: ",") {
            switch name.trimmingCharacters(in: .whitespaces).lowercased() {
            case "websockets", "ws": result.insert(.webSockets)
            case "serversentevents", "sse": result.insert(.serverSentEvents)
            case "longpolling", "lp": result.insert(.longPolling)
            case "all": result.formUnion(.all)
            default: throw ValidationError("Unknown transport '\(name)'; use webSockets, serverSentEvents or longPolling.")
            }
        }
        return result
    }
}

enum HubProtocolName: String, ExpressibleByArgument, CaseIterable {
    case json
    case messagepack
}

enum LogLevelName: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, information, warning, error, critical, none

    var level: SignalRLogLevel {
        switch self {
        case .trace: return .trace
        case .debug: return .debug
        case .information: return .information
        case .warning: return .warning
        case .error: return .error
        case .critical: return .critical
        case .none: return .none
        }
    }
}

/// Sends swift-log output to standard error, so standard output stays machine-readable.
enum LoggingBootstrap {
    private static let once: Void = {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }()

    static func standardErrorOnce() { _ = once }
}

/// Parses each command-line argument as one JSON value.
func parseJSONArguments(_ texts: [String]) throws -> [JSONValue] {
    try texts.map { text in
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw ValidationError("Argument '\(text)' is not a JSON value (strings need quotes: '\"text\"'): \(error)")
        }
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes one line to standard output at once (unbuffered, so pipes see it immediately).
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
