// fuzz-module: Vocabulary,KeepalivedConfig
// libFuzzer target for the reader's bounds (issue 19): the input drives generators of what a hostile or broken
// configuration does at scale, which byte-level mutation of small files would take long to reach:
//   0  nesting: up to 1,200 tokens of braces, keywords and line ends, mostly `{` (the bound is 32 levels);
//   1  include graphs: up to 8 files in memory that include each other, globs of their own directory included;
//   2  floods: up to 1,200 lines of unknown keywords, stray braces and bad values (the cap is 1,000 a kind).
// Sizes just past each bound reach every bounded path while keeping a run short enough for millions of runs;
// each is read with small whole-configuration limits (files and bytes included in all), so the limits themselves
// are reached. The full sizes (100,000 braces, 8.4 M keywords, a dozen self-including globs) are in the
// hostile-input suite, bench/hostile/run, and HostileConfigTests. Besides "never crash, never hang", it checks the finding cap: at most
// DiagnosticLog.maximumKept findings per severity and part, plus one summary each.

private let pieces = ["{", "{", "{", "}", "\n", "vrrp_instance x", "real_server 192.0.2.1 80", "include /f/*.conf",
                      "priority 300", "virtual_server 192.0.2.9 80"]
private let lines = ["include /f/*.conf", "include f1.conf", "include /f/f2.conf", "include f*.conf",
                     "vrrp_script s {\n script /bin/true\n}", "{", "}", "bogus_keyword", "include /f/missing.conf"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 3 else { return 0 }
    // Mostly small (up to 80: past the nesting bound), one run in sixteen large (up to 1,200: past the finding
    // cap), so millions of runs fit in the time a fuzzing session has.
    let count = (Int(input[1]) << 8 | Int(input[2])) % (input[1] >> 4 == 15 ? 1_201 : 81)
    let rest = input.count > 3 ? Array(input[3...]) : [0]
    var files: [String: String] = [:]
    switch input[0] % 3 {
    case 0:
        var text = ""
        for index in 0..<count { text += pieces[Int(rest[index % rest.count]) % pieces.count] + " " }
        files["/f/main.conf"] = text
    case 1:
        let fileCount = Int(input[1]) % 8 + 1
        for file in 0...fileCount {
            var text = ""
            for line in 0..<4 { text += lines[Int(rest[(file * 4 + line) % rest.count]) % lines.count] + "\n" }
            files[file == 0 ? "/f/main.conf" : "/f/f\(file).conf"] = text
        }
    default:
        var text = ""
        for index in 0..<count {
            switch rest[index % rest.count] % 4 {
            case 0: text += "unknown_\(index % 7)\n"
            case 1: text += "}\n"
            case 2: text += "vrrp_instance v\(index) {\n priority 0\n}\n"
            default: text += "global_defs {\n nonsense\n}\n"
            }
        }
        files["/f/main.conf"] = text
    }
    let result = ConfigLoader.load(path: "/f/main.conf", configID: "fuzz", source: InMemoryConfigSource(files),
                                   limits: FileStack.Limits(filesRead: 100, bytesRead: 64 << 10))
    let bound = ConfigScope.allCases.count * 2 * (DiagnosticLog.maximumKept + 1)
    if result.diagnostics.count > bound { fatalError("\(result.diagnostics.count) findings kept, more than \(bound)") }
    if result.errors.isEmpty && result.configuration == nil { fatalError("no configuration and no error") }
    return 0
}
