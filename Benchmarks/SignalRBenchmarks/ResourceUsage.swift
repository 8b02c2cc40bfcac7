import Foundation
import MallocCounter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
/// glibc declares `getrusage`'s argument as an `Int32`; its constant comes as an enum.
private let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif

/// What this process used so far: CPU time, voluntary context switches (the thread gave up
/// the CPU to wait: a hop to another thread that had to wake it up again) and allocations.
struct ResourceUsage {
    var cpuMicros: Double
    var voluntarySwitches: Double
    var allocations: Double

    static func now() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF_WHO, &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
        let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
        return ResourceUsage(
            cpuMicros: user + system, voluntarySwitches: Double(usage.ru_nvcsw), allocations: Double(malloc_counter_count())
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
