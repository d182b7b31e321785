// swift-tools-version:6.0
// tandem: a split-privilege, keepalived.conf-compatible LVS/VRRP suite.
import PackageDescription

let package = Package(
    name: "tandem",
    products: [
        .executable(name: "vrrpd", targets: ["vrrpd"]),
        .executable(name: "ipvsd", targets: ["ipvsd"]),
        .executable(name: "checkd", targets: ["checkd"]),
        .executable(name: "tandemctl", targets: ["tandemctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // C libraries, through pkg-config. scripts/install-deps installs their -dev packages.
        .systemLibrary(
            name: "CNetlink", pkgConfig: "libnl-genl-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-genl-3-dev", "libnl-route-3-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // SSL_GET: the system's OpenSSL, so no TLS stack is compiled with the project.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // What Swift's Glibc does not import: struct ucred, prctl, sockaddr_ll.
        .target(name: "CShim"),

        // The value types every core shares: IP address, L4 protocol, monotonic instant, service identities.
        .target(name: "Vocabulary"),

        // Pure cores: no I/O, no C libraries.
        .target(name: "KeepalivedConfig", dependencies: ["Vocabulary"]),
        .target(name: "VRRP", dependencies: ["Vocabulary"]),
        .target(name: "IPVS", dependencies: ["Vocabulary"]),
        .target(name: "Wire", dependencies: ["Vocabulary"]),
        // The operator's control protocol (request text, JSON status document): pure, shared by the daemons and
        // tandemctl; apart from Wire, whose compact binary messages are only between the daemons.
        .target(name: "Control"),

        // Thin Swift over the C libraries and the kernel.
        .target(
            name: "Platform",
            dependencies: [
                "CNetlink", "CCap", "CSystemd", "CShim", "Vocabulary", "Wire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]),

        // Health checks: scheduling (pure) and the checkers on the event loop.
        .target(
            name: "Health",
            dependencies: [
                "KeepalivedConfig", "Platform", "Vocabulary", "Wire", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]),

        // What the three daemons share: flags, config loading, logging, signals, the run loop.
        .target(
            name: "DaemonKit",
            dependencies: [
                "KeepalivedConfig", "Platform", "Wire", "Control",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .executableTarget(name: "vrrpd", dependencies: ["DaemonKit", "VRRP", "Control"]),
        .executableTarget(name: "ipvsd", dependencies: ["DaemonKit", "IPVS", "Control"]),
        .executableTarget(name: "checkd", dependencies: ["DaemonKit", "Health"]),

        // Does a set of nodes' configurations make a working pair? Pure, like the model it compares.
        .target(name: "PairLint", dependencies: ["KeepalivedConfig", "Vocabulary"]),
        // The operator's command (not a daemon): `tandemctl lint`; DaemonKit only for the version.
        .executableTarget(
            name: "tandemctl",
            dependencies: ["PairLint", "KeepalivedConfig", "DaemonKit", "Control", "Platform", "Vocabulary",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // What the test targets share: fixtures, real backends, daemons as processes, network namespaces.
        .target(
            name: "TestSupport",
            dependencies: ["KeepalivedConfig", "Platform", "Vocabulary", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),

        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "KeepalivedConfigTests", dependencies: ["KeepalivedConfig", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "VRRPTests", dependencies: ["VRRP", "TestSupport"]),
        .testTarget(name: "IPVSTests", dependencies: ["IPVS", "TestSupport"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "ControlTests", dependencies: ["Control"]),
        .testTarget(name: "HealthTests", dependencies: ["Health", "TestSupport"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"]),
        // Runs the built daemons as processes: depending on them makes `swift test` build them first.
        .testTarget(name: "DaemonTests",
                    dependencies: ["DaemonKit", "KeepalivedConfig", "Health", "TestSupport", "vrrpd", "ipvsd", "checkd", "tandemctl"]),
        .testTarget(name: "PairLintTests", dependencies: ["PairLint", "KeepalivedConfig", "Vocabulary"],
                    exclude: ["Fixtures"]),
        // Runs the built tandemctl: depending on it makes `swift test` build it first.
        .testTarget(name: "TandemctlTests",
                    dependencies: ["tandemctl", "PairLint", "DaemonKit", "Control", "Vocabulary", "TestSupport"]),
        // vrrpd's engine in process, on fakes of its I/O: elections on a manual clock, no root, no sockets.
        .testTarget(
            name: "VRRPDaemonTests",
            dependencies: [
                "vrrpd", "VRRP", "Vocabulary", "KeepalivedConfig", "Platform", "DaemonKit", "Wire", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
