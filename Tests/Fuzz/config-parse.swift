// fuzz-module: Vocabulary,KeepalivedConfig
// libFuzzer target for the keepalived.conf line reader (definitions, ~SEQ, @ID lines), lexer, include expander,
// statement builder, readers and validator.
// Compiled together with the module's sources by scripts/fuzz (one module, so no import).

/// Includes resolve against a tiny in-memory tree, so include handling is fuzzed too without touching the disk.
private let includedFiles = InMemoryConfigSource([
    "/fuzz/a.conf": "vrrp_script a {\n script /bin/true\n}\n",
    "/fuzz/b.conf": "include a.conf\n",
    "/fuzz/defs.conf": "$D=1\n$M= \\\n vrrp_script m${D} { \\\n  script /bin/true \\\n }\n",
])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // A few thousand generated lines exercise repetitions as well as a million would, and keep each run short.
    let result = ConfigLoader.parse(text, name: "/fuzz/main.conf", configID: "fuzz", source: includedFiles,
                                    host: HostFacts(), maximumGeneratedLines: 5_000)
    // Use the result so the optimiser keeps the work; an error-free result must carry a configuration.
    if result.errors.isEmpty && result.configuration == nil { fatalError("no configuration and no error") }
    return 0
}
