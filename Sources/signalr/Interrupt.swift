import Foundation

/// Runs `body` until it returns or the user presses Ctrl-C (SIGINT) or sends SIGTERM; on a
/// signal, `onInterrupt` runs and `body`'s task is cancelled.
func withInterrupt(
    _ body: @escaping @Sendable () async throws -> Void,
    onInterrupt: @escaping @Sendable () async -> Void
) async throws {
    let signals = AsyncStream<Int32>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { signals.continuation.yield(number) }
        source.resume()
        sources.append(source)
    }
    defer {
        for source in sources { source.cancel() }
        signals.continuation.finish()
    }
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            for await _ in signals.stream {
                await onInterrupt()
                return false
            }
            return false
        }
        // Whichever ends first ends the command; the other is cancelled.
        _ = try await group.next()
        group.cancelAll()
    }
}
