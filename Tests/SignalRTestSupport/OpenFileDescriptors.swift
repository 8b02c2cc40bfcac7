import Foundation

/// Counts this process's open file descriptors (Linux: entries of /proc/self/fd), so a
/// test can check that `stop()` left no socket behind.
public func openFileDescriptorCount() -> Int? {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
}
