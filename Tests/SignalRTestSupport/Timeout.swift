import Foundation

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
/// itself, and the bound only turns a hang into a failure. On timeout the body is cancelled
/// but not awaited: a body that ignores cancellation (the hang under test) must not hold
/// the test, and with it the whole run, forever.
public func withTimeout<T: Sendable>(
    _ limit: Duration = .seconds(10), _ what: String = "the operation",
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstOutcome<T>()
    let work = Task { outcome.settle(await Result(catching: body)) }
    let timer = Task {
        try? await Task.sleep(for: limit)
        outcome.settle(.failure(TimeoutError(what: what, limit: limit)))
    }
    return try await withTaskCancellationHandler {
        let result = await outcome.value
        timer.cancel()
        work.cancel()
        return try result.get()
    } onCancel: {
        work.cancel()
        timer.cancel()
    }
}

/// The first of several results, awaited once.
///
/// `@unchecked Sendable` is safe: `result` and `waiter` are only read or written while
/// `lock` is held (Synchronization's Mutex would say so to the compiler, but needs macOS 15).
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    private var waiter: CheckedContinuation<Result<T, any Error>, Never>?

    /// Records `result` unless one was recorded already.
    func settle(_ new: Result<T, any Error>) {
        lock.lock()
        guard result == nil else {
            lock.unlock()
            return
        }
        result = new
        let waiting = waiter
        waiter = nil
        lock.unlock()
        waiting?.resume(returning: new)
    }

    /// The first recorded result.
    var value: Result<T, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                lock.lock()
                if let result {
                    lock.unlock()
                    continuation.resume(returning: result)
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
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
