// swift-tools-version: 6.0
import CompilerPluginSupport
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-signalr",
    platforms: [.macOS(.v14), .iOS(.v17), .tvOS(.v17), .watchOS(.v10)],
    products: [
        .library(name: "SignalRProtocol", targets: ["SignalRProtocol"]),
        .library(name: "SignalRClient", targets: ["SignalRClient"]),
        .library(name: "SignalRServer", targets: ["SignalRServer"]),
        // Typed hub proxies (`@HubProxy`, `@HubReceiver`); opt-in, because macros bring
        // swift-syntax into the build of whoever imports them.
        .library(name: "SignalRMacros", targets: ["SignalRMacros"]),
        .executable(name: "signalr", targets: ["signalr"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already in the graph through AsyncHTTPClient, Hummingbird and swift-websocket; named
        // here so the client and server can use its `TLSConfiguration` type.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.1"),
        // Already in the graph through SwiftNIO; the hub server's timer heap.
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "SignalRProtocol",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SignalRClient",
            dependencies: [
                "SignalRProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SignalRServer",
            dependencies: [
                "SignalRProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // The test and chat hubs and a server that hosts them: for the tests, the demo and
        // `signalr serve`, apart from the hub hosting users import (SignalRServer).
        .target(
            name: "SignalRServerTesting",
            dependencies: [
                "SignalRServer",
                "SignalRProtocol",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The compiler plugin behind SignalRMacros: expands `@HubProxy` and `@HubReceiver`.
        .macro(
            name: "SignalRMacrosPlugin",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SignalRMacros",
            dependencies: ["SignalRClient", "SignalRMacrosPlugin"],
            swiftSettings: swiftSettings
        ),
        // The load generator behind `signalr bench` (a library so the tests can run it).
        .target(
            name: "SignalRBench",
            dependencies: [
                "SignalRClient",
                "SignalRProtocol",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "signalr",
            dependencies: [
                "SignalRBench",
                "SignalRMacros",
                "SignalRClient",
                "SignalRServer",
                "SignalRServerTesting",
                "SignalRProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Counts allocations for the benchmarks' per-call figures; linked into them only.
        .target(
            name: "MallocCounter",
            path: "Benchmarks/MallocCounter"
        ),
        .executableTarget(
            name: "SignalRBenchmarks",
            dependencies: [
                "SignalRProtocol", "SignalRClient", "SignalRServer", "SignalRServerTesting", "SignalRBench", "MallocCounter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/SignalRBenchmarks",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SignalRTestSupport",
            dependencies: [
                "SignalRClient",
                "SignalRServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/SignalRTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SignalRProtocolTests",
            dependencies: ["SignalRProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SignalRServerTests",
            dependencies: [
                "SignalRServer",
                "SignalRServerTesting",
                "SignalRTestSupport",
                "SignalRProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SignalRClientTests",
            dependencies: [
                "SignalRClient",
                "SignalRProtocol",
                "SignalRTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SignalRMacrosTests",
            dependencies: [
                // Built first so the compiler-checked tests can type-check code that imports it.
                "SignalRMacros",
                "SignalRMacrosPlugin",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SignalRMacros", "SignalRClient", "SignalRServer", "SignalRServerTesting", "SignalRProtocol", "SignalRTestSupport", "SignalRBench",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
