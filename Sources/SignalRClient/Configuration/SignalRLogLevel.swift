import Logging

/// The log levels of the official client (`LogLevel` in `@microsoft/signalr`), mapped to swift-log.
///
/// ``none`` turns logging off. `information` maps to swift-log's `.info`.
public enum SignalRLogLevel: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Very detailed messages, including payloads (capped); never access tokens.
    case trace = 0
    /// Messages useful while debugging.
    case debug = 1
    /// The connection's life cycle (started, stopped).
    case information = 2
    /// Something unexpected that did not stop the connection (no handler for a method).
    case warning = 3
    /// A failure of the connection or of a call.
    case error = 4
    /// A failure that ends the application's use of the connection.
    case critical = 5
    /// Nothing is logged.
    case none = 6

    /// The swift-log level; nil for ``none``.
    public var loggerLevel: Logger.Level? {
        switch self {
        case .trace: return .trace
        case .debug: return .debug
        case .information: return .info
        case .warning: return .warning
        case .error: return .error
        case .critical: return .critical
        case .none: return nil
        }
    }

    public static func < (lhs: SignalRLogLevel, rhs: SignalRLogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Logger {
    /// A logger that drops everything (the default when `configureLogging` is not called).
    static var disabled: Logger {
        Logger(label: "SignalRClient", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// A logger with `label` at `level` through the bootstrapped `LoggingSystem`.
    static func signalR(level: SignalRLogLevel) -> Logger {
        guard let loggerLevel = level.loggerLevel else { return .disabled }
        var logger = Logger(label: "SignalRClient")
        logger.logLevel = loggerLevel
        return logger
    }
}
