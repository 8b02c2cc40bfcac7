#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if canImport(Glibc)
/// glibc declares `getrusage`'s argument as an `Int32`; its constant comes as an enum.
private let rusageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
private let rusageSelf = RUSAGE_SELF
#endif

/// What the process used so far (getrusage), and its resident memory: for `signalr bench`'s
/// report and the benchmarks' per-call figures.
package struct ProcessUsage: Sendable {
    /// User plus system CPU time, in seconds.
    package var cpuSeconds: Double
    /// Voluntary context switches: a thread gave up the CPU to wait (a hop to another thread
    /// that had to wake it up again).
    package var voluntarySwitches: Int

    package static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(rusageSelf, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ProcessUsage(cpuSeconds: cpu, voluntarySwitches: Int(usage.ru_nvcsw))
    }

    /// The resident set size now, in bytes: from /proc/self/statm on Linux (the second field,
    /// in pages), the peak elsewhere; nil when it cannot be read.
    package static func residentBytes() -> Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        var usage = rusage()
        getrusage(rusageSelf, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}

/// Raises the soft open-file limit to the hard one; returns the limit now in force.
public func raiseOpenFileLimit() -> Int {
    #if os(Linux)
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    let resource = RLIMIT_NOFILE
    #endif
    var limit = rlimit()
    guard getrlimit(resource, &limit) == 0 else { return -1 }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(resource, &raised) == 0 { limit = raised }
    }
    return Int(clamping: limit.rlim_cur)
}
