// swift-tools-version:6.0
// tandem: a split-privilege, keepalived.conf-compatible LVS/VRRP suite.
import PackageDescription

let package = Package(
    name: "tandem",
    products: [
        .executable(name: "vrrpd", targets: ["vrrpd"]),
        .executable(name: "ipvsd", targets: ["ipvsd"]),
        .executable(name: "checkd", targets: ["checkd"]),
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

        // Pure cores: no I/O, no C libraries.
        .target(name: "KeepalivedConfig"),
        .target(name: "VRRP"),
        .target(name: "IPVS"),
        .target(name: "Wire"),

        // Thin Swift over the C libraries and the kernel.
        .target(
            name: "Platform",
            dependencies: [
                "CNetlink", "CCap", "CSystemd", "CShim", "Wire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]),

        // Health checks: scheduling (pure) and the checkers on the event loop.
        .target(
            name: "Health",
            dependencies: [
                "KeepalivedConfig", "Platform", "Wire", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]),

        // What the three daemons share: flags, config loading, logging, signals, the run loop.
        .target(
            name: "DaemonKit",
            dependencies: [
                "KeepalivedConfig", "Platform", "Wire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .executableTarget(name: "vrrpd", dependencies: ["DaemonKit", "VRRP"]),
        .executableTarget(name: "ipvsd", dependencies: ["DaemonKit", "IPVS"]),
        .executableTarget(name: "checkd", dependencies: ["DaemonKit", "Health"]),

        .testTarget(name: "KeepalivedConfigTests", dependencies: ["KeepalivedConfig"], exclude: ["Fixtures"]),
        .testTarget(name: "VRRPTests", dependencies: ["VRRP"]),
        .testTarget(name: "IPVSTests", dependencies: ["IPVS"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "HealthTests", dependencies: ["Health"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        // Runs the built daemons as processes: depending on them makes `swift test` build them first.
        .testTarget(name: "DaemonTests", dependencies: ["DaemonKit", "KeepalivedConfig", "vrrpd", "ipvsd", "checkd"]),
        // vrrpd's engine in process, on fakes of its I/O: elections on a manual clock, no root, no sockets.
        .testTarget(
            name: "VRRPDaemonTests",
            dependencies: [
                "vrrpd", "VRRP", "KeepalivedConfig", "Platform", "DaemonKit", "Wire",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
