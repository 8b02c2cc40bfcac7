import Foundation

/// Runs `body` repeatedly for about `duration` and returns operations per second.
///
/// Each round runs `batch` operations; the clock is read between rounds only, so
/// its cost stays out of the per-operation numbers.
func measure(duration: Duration = .milliseconds(800), batch: Int = 1000, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    // Warm-up: caches, allocator, lazily initialised statics.
    for _ in 0..<batch { try body() }
    var operations = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < duration {
        for _ in 0..<batch { try body() }
        operations += batch
        elapsed = clock.now - start
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(operations) / seconds
}

func formatRate(_ rate: Double) -> String {
    if rate >= 1_000_000 { return String(format: "%.2f M/s", rate / 1_000_000) }
    if rate >= 1000 { return String(format: "%.1f k/s", rate / 1000) }
    return String(format: "%.0f /s", rate)
}
