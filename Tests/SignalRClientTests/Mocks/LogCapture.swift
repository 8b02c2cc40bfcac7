import Foundation
import Logging
@testable import SignalRClient

/// Keeps every log record in memory (swift-log's testing pattern).
final class LogCapture: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: String
    }

    private let records = Locked<[Record]>([])

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    var all: [Record] { records.withLock { $0 } }

    func contains(_ level: Logger.Level, _ text: String) -> Bool {
        all.contains { $0.level == level && $0.message.contains(text) }
    }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(Record(level: event.level, message: "\(event.message)", metadata: "\(event.metadata ?? [:])"))
        }
    }
}
