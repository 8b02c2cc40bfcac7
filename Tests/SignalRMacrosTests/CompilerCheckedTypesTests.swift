import Foundation
import Testing

/// What the macros cannot see (whether a named type is `Codable & Sendable`) the type checker
/// reports on the generated code. These tests compile small sources against the built
/// SignalRMacros module and plugin with the real compiler and read its errors.
@Suite struct CompilerCheckedTypesTests {
    @Test func aValidProtocolCompiles() throws {
        let result = try Self.typecheck(
            """
            import SignalRMacros
            struct Point: Codable, Sendable { let x: Int }
            @HubProxy
            protocol Geometry {
                func move(_ point: Point) async throws -> Point
                func points() -> HubStreamSequence<Point>
            }
            @HubReceiver
            protocol Listener {
                func moved(_ point: Point) async
            }
            """
        )
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.isEmpty)
    }

    @Test func typesThatAreNotCodableOrSendable() throws {
        let result = try Self.typecheck(
            """
            import SignalRMacros
            struct Point { let x: Int }
            final class Box: Codable { var x = 0 }
            @HubProxy
            protocol Geometry {
                func move(_ point: Point) async throws -> Point
                func box(_ box: Box) async throws
            }
            @HubReceiver
            protocol Listener {
                func moved(_ point: Point) async
            }
            """
        )
        #expect(result.status != 0)
        #expect(result.errors.contains("instance method 'invoke(_:_:returning:)' requires that 'Point' conform to 'Encodable'"))
        #expect(result.errors.contains("instance method 'invoke(_:_:returning:)' requires that 'Point' conform to 'Decodable'"))
        #expect(result.errors.contains("type 'Box' does not conform to the 'Sendable' protocol"))
        #expect(result.errors.contains("instance method 'on' requires that 'Point' conform to 'Decodable'"))
    }

    /// The compiler's exit status and its error lines (the text after "error: ").
    struct Result {
        let status: Int32
        let errors: Set<String>
    }

    /// Type-checks `source` in Swift 6 mode against the modules of this test build.
    static func typecheck(_ source: String) throws -> Result {
        let build = try BuildProducts.locate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signalr-macros-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("main.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-module-cache-path", directory.appendingPathComponent("cache").path]
            + build.compilerArguments + [file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Bounds the wait: a compiler that has not finished in two minutes is stopped (and the
        // test fails on its status).
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { [process] in
            if process.isRunning { process.terminate() }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let errors = text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix(" "), let range = line.range(of: "error: ") else { return nil }
            return String(line[range.upperBound...])
        }
        return Result(status: process.terminationStatus, errors: Set(errors))
    }
}

/// Where `swift build` put this test run's modules, module maps and macro plugin.
struct BuildProducts {
    let compilerArguments: [String]

    /// Found from the test binary, which runs from the products folder
    /// (`.build/<triple>/debug/swift-signalrPackageTests.xctest`).
    static func locate() throws -> BuildProducts {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let plugin = products.appendingPathComponent("SignalRMacrosPlugin-tool")
        let modules = products.appendingPathComponent("Modules")
        guard FileManager.default.fileExists(atPath: plugin.path),
            FileManager.default.fileExists(atPath: modules.appendingPathComponent("SignalRMacros.swiftmodule").path)
        else {
            throw BuildProductsMissing(folder: products.path)
        }
        // C modules (NIO's shims among them) are found through their module maps: the build's
        // own, and those the checked-out packages ship in their include folders.
        let checkouts = products.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("checkouts")
        let maps = moduleMaps(under: products, depth: 3) { !$0.contains("-tool.build") }
            + moduleMaps(under: checkouts, depth: .max) { $0.contains("/include/") }
        return BuildProducts(
            compilerArguments: ["-I", modules.path, "-load-plugin-executable", "\(plugin.path)#SignalRMacrosPlugin"]
                + maps.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] }
        )
    }

    private static func moduleMaps(under root: URL, depth: Int, where keep: (String) -> Bool) -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var maps: [String] = []
        while let url = walker.nextObject() as? URL {
            if walker.level > depth {
                walker.skipDescendants()
                continue
            }
            if url.lastPathComponent == "module.modulemap", keep(url.path) {
                maps.append(url.path)
            }
        }
        return maps
    }
}

struct BuildProductsMissing: Error, CustomStringConvertible {
    let folder: String
    var description: String { "SignalRMacros or its plugin is not built in \(folder)" }
}
