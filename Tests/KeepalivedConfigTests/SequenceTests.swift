import Testing
@testable import KeepalivedConfig

/// `~SEQ`, `~SEQx` and `~LST`, by keepalived.conf(5)'s "Sequence blocks" and "List blocks" and lib/parser.c.
@Suite struct SequenceTests {
    /// The addresses a virtual_ipaddress block holding `lines` ends up with.
    static func addresses(_ lines: String, configID: String = "node") -> (addresses: [String], result: ConfigLoadResult) {
        let result = Fixtures.parse(instanceHead + " virtual_ipaddress {\n" + lines + "\n }\n}\n", configID: configID)
        let addresses = result.partialConfiguration?.vrrpInstances.first?.virtualIPAddresses.map(\.address.description) ?? []
        return (addresses, result)
    }

    /// The words of every statement `text` gives, with the diagnostics.
    static func words(_ text: String) -> (words: [String], log: DiagnosticLog) {
        var expander = IncludeExpander(source: InMemoryConfigSource([:]), configID: "node")
        expander.start(text: text, named: "t.conf")
        var log = DiagnosticLog()
        var words: [String] = []
        while let token = expander.next(log: &log) { words += token.word.map { [$0] } ?? [] }
        return (words, log)
    }

    @Test(arguments: [
        ("~SEQ(N, 3) v${N}", [1, 2, 3]),
        ("~SEQ(N, 7, 5) v${N}", [7, 6, 5]),
        ("~SEQ(N, 10, 5, 20) v${N}", [10, 15, 20]),
        ("~SEQ(N, 10, 4, 20) v${N}", [10, 14, 18]),
        ("~SEQ(N, 9, -3, 1) v${N}", [9, 6, 3]),
        ("~SEQ(N, 5, 5) v${N}", [5]),
        ("~SEQ (N,0x10,010) v${N}", [16, 15, 14, 13, 12, 11, 10, 9, 8]),
        ("~SEQ(N, 0) v${N}", [1, 0]),
        ("~SEQ(N, , 2) v${N}", [0, 1, 2]),
        ("~SEQ(N,-2) v${N}", [-1, -2]),
        ("~SEQ( N ,  -1 ,  1 ) v$N", [-1, 0, 1]),
    ])
    func sequenceForms(_ line: String, _ values: [Int]) {
        let (words, log) = Self.words(line + "\n")
        #expect(words == values.map { "v\($0)" }, "\(log.all)")
        #expect(log.all.isEmpty)
    }

    @Test func hexadecimalSequences() {
        let instanceHead = instanceHead + " version 3\n"
        expectSameModel(instanceHead + " virtual_ipaddress {\n  ~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1\n }\n}\n",
                        as: instanceHead + " virtual_ipaddress {\n  fe80::20:90:1\n  fe80::20:a0:1\n  fe80::20:b0:1\n  fe80::20:c0:1\n }\n}\n")
    }

    /// keepalived.conf(5): several ~SEQ on one line, the later ones inside the earlier.
    @Test func nestedSequences() {
        let (addresses, result) = Self.addresses("  ~SEQx(AD2, 0x90, 0x10, 0xa0) ~SEQx(AD1, 0x12, -1, 0x11) fe81::10:${AD2}:${AD1}")
        #expect(addresses == ["fe81::10:90:12", "fe81::10:90:11", "fe81::10:a0:12", "fe81::10:a0:11"], "\(result.printed)")
    }

    @Test func numbersMayComeFromDefinitions() {
        let (addresses, result) = Self.addresses("  $FIRST=3\n  $LAST=5\n  ~SEQ(N, $FIRST, ${LAST}) 192.0.2.${N}")
        #expect(addresses == ["192.0.2.3", "192.0.2.4", "192.0.2.5"], "\(result.printed)")
    }

    @Test func lists() {
        let (addresses, result) = Self.addresses("  ~LST(IP, 10, 20) 192.168.0.${IP}\n  ~LST({IP, IP1}, {10,1},{20,4}, {5}) 192.168.${IP}.1${IP1}")
        #expect(addresses == ["192.168.0.10", "192.168.0.20", "192.168.10.11", "192.168.20.14", "192.168.5.1"], "\(result.printed)")
    }

    /// The variable keeps its last value once the repetition is done.
    @Test func theVariableStaysDefined() {
        let (addresses, result) = Self.addresses("  ~SEQ(N, 1, 2) 192.0.2.${N}\n  198.51.100.${N}")
        #expect(addresses == ["192.0.2.1", "192.0.2.2", "198.51.100.2"], "\(result.printed)")
    }

    /// keepalived.conf(5)'s pattern: a ~SEQ over a multi-line definition, itself repeating a multi-line definition.
    @Test func repeatingMultiLineDefinitions() {
        let text = """
        $REAL= \\
        real_server 198.51.100.${R} 80 { \\
            weight ${R} \\
        }
        $SERVICE= \\
        virtual_server 203.0.113.${V} 80 { \\
            protocol TCP \\
            ~SEQ(R, 1, 3) $REAL \\
            lb_algo wrr \\
        }
        ~SEQ(V, 1, 2) $SERVICE

        """
        var expanded = ""
        for v in 1...2 {
            expanded += "virtual_server 203.0.113.\(v) 80 {\n protocol TCP\n"
            for r in 1...3 { expanded += " real_server 198.51.100.\(r) 80 {\n  weight \(r)\n }\n" }
            expanded += " lb_algo wrr\n}\n"
        }
        expectSameModel(text, as: expanded)
    }

    /// A repetition repeats one line: a block opened on it is opened once per value, not repeated whole.
    @Test func aRepeatedLineIsOneLine() {
        let result = Fixtures.parse("~SEQ(N, 1, 2) vrrp_script s${N} {\n script /bin/true\n}\n")
        #expect(!result.errors.isEmpty, "keepalived too reads the second 'vrrp_script s2 {' inside the first: \(result.printed)")
    }

    @Test func malformedSequences() {
        let lines = [
            "~SEQ N, 1, 3) x",          // 5: no (
            "~SEQ(, 1, 3) x",           // 6: no variable
            "~SEQ(N) x",                // 7: no numbers
            "~SEQ(N, 1, 3 x",           // 8: never closed
            "~SEQ(N, 1, 0, 3) x",       // 9: step 0
            "~SEQ(N, 1, -1, 3) x",      // 10: wrong direction
            "~SEQ(N, 1x, 3) x",         // 11: not a number
            "~SEQ(N, 1, 2, 3, 4) x",    // 12: four numbers
            "~SEQx(N, -1, 3) x",        // 13: negative hexadecimal
            "~SEQ(N, 0, 1, 100000000000) x",  // 14: more lines than a configuration may generate
            "~SEQ(N, 1, 1, 11111111111111111111111111111111111111111111111111111111111111111) x", // 15: too long
            "~REPEAT(N, 3) x",          // 16: not a repetition
            "~LST(X) x",                // 17
            "~LST({X, Y}, {1, 2, 3}) x", // 18
        ]
        let (_, result) = Self.addresses(lines.map { "  " + $0 }.joined(separator: "\n"))
        #expect(result.has(.error, at: 5, 8, containing: "~SEQ needs its parameters in parentheses"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 8, containing: "~SEQ needs a variable"))
        #expect(result.has(.error, at: 7, 9, containing: "~SEQ(N needs ',' and the numbers"))
        #expect(result.has(.error, at: 8, 7, containing: "~SEQ( is never closed"))
        #expect(result.has(.error, at: 9, 11, containing: "~SEQ with a step of 0 never ends"))
        #expect(result.has(.error, at: 10, 11, containing: "~SEQ never gets from 1 to 3 by a step of -1"))
        #expect(result.has(.error, at: 11, 12, containing: "~SEQ has 'x' where a number"))
        #expect(result.has(.error, at: 12, 18, containing: "~SEQ has more than three numbers"))
        #expect(result.has(.error, at: 13, 12, containing: "~SEQx takes no negative numbers"))
        #expect(result.has(.error, at: 14, 3, containing: "would read its line 100000000001 times"))
        #expect(result.has(.error, at: 15, 11, containing: "longer than keepalived's 63 characters"))
        #expect(result.has(.error, at: 16, 3, containing: "keepalived knows no '~REPEAT(N,'"))
        #expect(result.has(.error, at: 17, 9, containing: "~LST needs ',' after its variables"))
        #expect(result.has(.error, at: 18, 23, containing: "~LST has more values than variables"))
        #expect(result.errors.count == 14, "one error each: \(result.printed)")
    }

    /// Nested repetitions that multiply beyond reason stop at the limit, with one error, instead of running on.
    @Test func generatedLinesAreBounded() {
        var expander = IncludeExpander(source: InMemoryConfigSource([:]), configID: "node", maximumGeneratedLines: 1000)
        expander.start(text: "~SEQ(A, 1, 100) ~SEQ(B, 1, 100) ~SEQ(C, 1, 100) $_HASH\nvrrp_script after {\n}\n", named: "t.conf")
        var log = DiagnosticLog()
        var words: [String] = []
        while let token = expander.next(log: &log) { words += token.word.map { [$0] } ?? [] }
        #expect(log.errors.map(\.description) == ["t.conf:1:33: error: this repetition would read its line 100 times, past the 1000 lines a configuration may generate; it and the repetitions it is part of are left out"])
        #expect(words == ["vrrp_script", "after"], "the file is read on after the limit")

        // Multi-line definitions made of each other double at each level.
        var doubling = "$D0= \\\n $_HASH \\\n $_HASH\n"
        for level in 1...10 { doubling += "$D\(level)= \\\n $D\(level - 1) \\\n $D\(level - 1)\n" }
        expander = IncludeExpander(source: InMemoryConfigSource([:]), configID: "node", maximumGeneratedLines: 1000)
        expander.start(text: doubling + "$D10\n", named: "t.conf")
        log = DiagnosticLog()
        while expander.next(log: &log) != nil {}
        #expect(log.errors.map(\.message) == ["repetitions and multi-line definitions generate more than 1000 lines here; the rest is left out"])
    }

    /// Found by the fuzzer: a multi-line definition that ends by using itself opens a block per expansion. The
    /// nesting is bounded, so the stack is not exhausted, and the file is still read to its end.
    @Test func aDefinitionThatOpensBlocksWithoutEndIsBounded() {
        let text = "$REAL= \\\nreal_server 192.0.2.1 80 { \\\n $REAL\n$REAL\nvrrp_script after {\n script /bin/true\n}\n"
        let result = ConfigLoader.parse(text, name: "t.conf", configID: "node", source: InMemoryConfigSource([:]),
                                        host: HostFacts(), maximumGeneratedLines: 2000)
        #expect(result.errors.contains { $0.message.contains("blocks are nested more than 32 deep") }, "\(result.printed)")
        #expect(result.errors.contains { $0.message.contains("generate more than 2000 lines") })
        let deep = Fixtures.parse(String(repeating: "{\n", count: 20_000) + String(repeating: "}\n", count: 20_000)
                                  + "vrrp_script after {\n script /bin/true\n}\n")
        #expect(deep.partialConfiguration?.vrrpScripts.map(\.name) == ["after"], "\(deep.printed.prefix(3))")
    }

    @Test func aVariableThatNoReferenceCanUseIsReported() {
        let result = Fixtures.parse("~SEQ(1N, 1, 2) vrrp_script x {\n}\n")
        #expect(result.has(.warning, at: 1, 6, containing: "1N is not a name a reference can use"), "\(result.printed)")
    }
}
