import NIOConcurrencyHelpers
import SignalRProtocol

/// Lets one task sleep until a deadline on a clock while others can wake it early.
///
/// A wake that comes while nobody sleeps is kept for the next sleep, so an event between
/// computing a deadline and starting to sleep is not lost. One task sleeps at a time: a new
/// sleeper wakes the one before (which re-checks what it waits for, as every caller loops).
///
/// The continuation is an `UnsafeContinuation`: it is only resumed by whoever takes it out of
/// the locked state (or by the sleep itself when it never went in), so exactly once, and a
/// checked one would allocate on every wait (twice per call on a busy connection).
final class WakeSignal: Sendable {
    private struct State {
        var waiter: UnsafeContinuation<Void, Never>?
        var pending = false
    }

    private let state = NIOLockedValueBox(State())

    /// Returns at `deadline` (nil: never), on ``wake()``, or when the task is cancelled.
    func sleep(until deadline: Duration?, on clock: ErasedClock) async {
        guard let deadline else {
            // No deadline: no child task and no group, only the wait.
            await wait()
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // A cancelled sleep (the wait ended otherwise) must not leave a wake behind.
                if (try? await clock.sleep(until: deadline)) != nil { self.wake() }
            }
            await wait()
            group.cancelAll()
        }
    }

    /// Ends the current or the next ``sleep(until:on:)``.
    func wake() {
        let waiter = state.withLockedValue { state -> UnsafeContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    private func wait() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let (resumeNow, previous) = state.withLockedValue { state -> (Bool, UnsafeContinuation<Void, Never>?) in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return (true, nil)
                    }
                    defer { state.waiter = continuation }
                    return (false, state.waiter)
                }
                previous?.resume()
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }
}
