/// A wait that took longer than its bound.
public struct TimeoutError: Error, CustomStringConvertible {
    /// What was being waited for.
    public let what: String
    /// The bound.
    public let limit: Duration

    /// Creates the error.
    public init(what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "Timed out after \(limit) waiting for \(what)." }
}

/// Runs `body`, failing with ``TimeoutError`` if it takes longer than `limit`.
///
/// Tests bound every wait with this instead of sleeping: the body awaits the event
/// itself, and the bound only turns a hang into a failure.
public func withTimeout<T: Sendable>(
    _ limit: Duration = .seconds(10), _ what: String = "the operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError(what: what, limit: limit)
        }
        guard let first = try await group.next() else { throw TimeoutError(what: what, limit: limit) }
        group.cancelAll()
        return first
    }
}

/// Collects values pushed from callbacks so a test can await them in order.
public final class EventRecorder<Value: Sendable>: Sendable {
    private let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<Value>.makeStream()
    }

    /// Records a value (call from handlers).
    public func record(_ value: Value) { continuation.yield(value) }

    /// Waits for the next `count` values, at most `limit`.
    /// - Throws: ``TimeoutError`` when they do not all arrive in time.
    public func next(_ count: Int = 1, within limit: Duration = .seconds(10)) async throws -> [Value] {
        let stream = self.stream
        return try await withTimeout(limit, "\(count) event(s)") {
            var values: [Value] = []
            for await value in stream {
                values.append(value)
                if values.count == count { break }
            }
            return values
        }
    }

    /// Waits for the next value.
    public func first(within limit: Duration = .seconds(10)) async throws -> Value {
        guard let value = try await next(1, within: limit).first else {
            throw TimeoutError(what: "an event", limit: limit)
        }
        return value
    }
}
