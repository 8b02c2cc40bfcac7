import NIOConcurrencyHelpers

/// A value guarded by a lock, for the few places that cross from synchronous callbacks (task
/// cancellation handlers, another task's continuation) into shared state.
///
/// Copies share the value (NIO's `NIOLockedValueBox`: the lock and the value in one
/// allocation, which matters for the per-call objects that use it, such as
/// ``InvocationWaiter``).
struct Locked<Value: Sendable>: Sendable {
    private let box: NIOLockedValueBox<Value>

    init(_ value: Value) { box = NIOLockedValueBox(value) }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try box.withLockedValue(body)
    }
}
