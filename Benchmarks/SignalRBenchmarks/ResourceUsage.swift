import Foundation
import MallocCounter
import SignalRBench

/// What this process used so far: CPU time, voluntary context switches (the thread gave up
/// the CPU to wait: a hop to another thread that had to wake it up again) and allocations.
struct ResourceUsage {
    var cpuMicros: Double
    var voluntarySwitches: Double
    var allocations: Double

    static func now() -> ResourceUsage {
        let usage = ProcessUsage.now()
        return ResourceUsage(
            cpuMicros: usage.cpuSeconds * 1e6, voluntarySwitches: Double(usage.voluntarySwitches),
            allocations: Double(malloc_counter_count())
        )
    }

    /// The usage between `start` and `self`, per `count` operations.
    func per(_ count: Int, since start: ResourceUsage) -> ResourceUsage {
        let n = Double(max(count, 1))
        return ResourceUsage(
            cpuMicros: (cpuMicros - start.cpuMicros) / n,
            voluntarySwitches: (voluntarySwitches - start.voluntarySwitches) / n,
            allocations: (allocations - start.allocations) / n
        )
    }
}
