import Foundation

/// A server in a child process, so its memory can be read apart from the clients'.
final class ChildServer: Sendable {
    let process: Process
    let port: Int

    /// Starts `executable arguments…` and waits for a line containing `127.0.0.1:<port>` on
    /// standard output or standard error.
    static func start(_ executable: URL, _ arguments: [String]) async throws -> ChildServer {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let (lines, sink) = AsyncStream.makeStream(of: String.self)
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                sink.finish()
            } else {
                sink.yield(String(decoding: data, as: UTF8.self))
            }
        }
        try process.run()
        var text = ""
        for await chunk in lines {
            text += chunk
            if let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
                let port = Int(text[range].split(separator: ":").last ?? "")
            {
                return ChildServer(process: process, port: port)
            }
        }
        throw BenchmarkError("\(executable.lastPathComponent) exited before printing its port: \(text)")
    }

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// The CPU time (user + system) the child used so far, in µs (Linux /proc; 0 elsewhere).
    var cpuMicros: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) * 1e6 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The resident set size of the child, in KiB (Linux /proc).
    var residentKiB: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let value = line.split(separator: " ").compactMap({ Int($0) }).first
        else { return 0 }
        return value
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The executables built next to this one (`signalr`, `SignalRBenchmarks`).
func siblingExecutable(_ name: String) -> URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
}
