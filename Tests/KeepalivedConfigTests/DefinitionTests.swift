import Foundation
import Testing
@testable import KeepalivedConfig

/// Reads `text` and its hand-expanded form; both must be free of errors and give the same model.
func expectSameModel(_ text: String, as expanded: String, configID: String = "node",
                     files: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) {
    let result = Fixtures.parse(text, files: files, configID: configID)
    let reference = Fixtures.parse(expanded, configID: configID)
    #expect(result.errors.isEmpty, "\(result.printed)", sourceLocation: sourceLocation)
    #expect(reference.errors.isEmpty, "the expanded form: \(reference.printed)", sourceLocation: sourceLocation)
    guard let config = result.configuration, let expected = reference.configuration else { return }
    #expect(ModelText.of(config) == ModelText.of(expected), sourceLocation: sourceLocation)
}

let instanceHead = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n"

/// `$NAME=value` and its substitution, by keepalived.conf(5)'s "Parameter substitution".
@Suite struct DefinitionTests {
    @Test func plainAndBracedReferences() {
        expectSameModel("$PRI=120\n$NET=192.0.2\n" + instanceHead + " priority $PRI\n virtual_ipaddress {\n  ${NET}.1/24\n }\n}\n",
                        as: instanceHead + " priority 120\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n")
    }

    /// `$NAME` only before a blank, `,`, `)` or the line's end; braces anywhere.
    @Test func anUnbracedReferenceNeedsABlankAfterIt() {
        let result = Fixtures.parse("$NET=192.0.2\n" + instanceHead + " virtual_ipaddress {\n  $NET.2\n }\n}\n")
        #expect(result.has(.error, at: 6, 3, containing: "'$NET.2' is not an IPv4 or IPv6 address"), "\(result.printed)")
    }

    @Test func valuesAreSubstitutedWhenUsedNotWhenDefined() {
        // keepalived.conf(5)'s own example.
        let text = "$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n" + instanceHead
            + " virtual_ipaddress {\n  ${ADDRESS_BASE}.100/32\n  $ADDRESS_BASE_SUB=10\n  ${ADDRESS_BASE}.100/32\n }\n}\n"
        expectSameModel(text, as: instanceHead + " virtual_ipaddress {\n  10.2.0.100/32\n  10.2.10.100/32\n }\n}\n")
    }

    @Test func aLaterDefinitionReplacesTheValueFromThereOn() {
        expectSameModel("$P=10\nvrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority $P\n}\n$P=20\n"
                        + "vrrp_instance B {\n interface eth0\n virtual_router_id 2\n $P=30\n priority $P\n}\n",
                        as: "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 10\n}\n"
                        + "vrrp_instance B {\n interface eth0\n virtual_router_id 2\n priority 30\n}\n")
    }

    @Test func aValueLosesItsCommentAndLeadingBlanksAndMayBeEmpty() {
        expectSameModel("$P=   77   # the priority\n$E=\n" + instanceHead + " priority $P $E\n}\n",
                        as: instanceHead + " priority 77\n}\n")
    }

    /// Substitution happens inside quotes too; an undefined name stays as written, so a script's own `$` is safe.
    @Test func quotedTextIsSubstitutedAndUndefinedNamesStay() throws {
        let text = "$ARG=up\nvrrp_script chk {\n script \"/bin/echo ${ARG} $ARG $HOME ${UNDEFINED} $(id -u)\"\n}\n"
        let script = try #require(Fixtures.parse(text).configuration?.vrrpScripts.first)
        #expect(script.command?.arguments == ["/bin/echo", "up", "up", "$HOME", "${UNDEFINED}", "$(id", "-u)"])
    }

    @Test func predefinedNames() throws {
        let text = "vrrp_script chk {\n script \"/bin/echo ${_INSTANCE} ${_PWD} ${_HASH}${_BANG} ${_RANDOM 7 7}\"\n}\n"
        let result = ConfigLoader.parse(text, name: "/etc/k/t.conf", configID: "lb01")
        let script = try #require(result.configuration?.vrrpScripts.first, "\(result.printed)")
        #expect(script.command?.arguments == ["/bin/echo", "lb01", "/etc/k", "#!", "7"])
    }

    /// On disk, as keepalived's getcwd() after it changes into each file's directory: links resolved, and the
    /// directory of the included file while that is read.
    @Test func theDirectoryIsThatOfTheFileBeingRead() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tandem-pwd-\(UUID().uuidString)")
        let sub = base.appendingPathComponent("conf.d")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createSymbolicLink(at: base.appendingPathComponent("link"), withDestinationURL: sub)
        try "vrrp_script inner {\n script \"/bin/echo ${_PWD}\"\n}\n"
            .write(to: sub.appendingPathComponent("inner.conf"), atomically: true, encoding: .utf8)
        try "include link/inner.conf\nvrrp_script outer {\n script \"/bin/echo ${_PWD}\"\n}\n"
            .write(to: base.appendingPathComponent("main.conf"), atomically: true, encoding: .utf8)
        let result = ConfigLoader.load(path: base.appendingPathComponent("main.conf").path, configID: "node")
        let config = try #require(result.configuration, "\(result.printed)")
        let resolved = try #require(realpath(base.path, nil))
        defer { free(resolved) }
        let real = String(cString: resolved)
        #expect(config.vrrpScripts.map { $0.command?.arguments.last } == [real + "/conf.d", real])
    }

    @Test func randomStaysInItsRange() throws {
        let text = "vrrp_script chk {\n script \"/bin/echo ${_RANDOM} ${_RANDOM 10} ${_RANDOM 3 5}\"\n}\n"
        let arguments = try #require(Fixtures.parse(text).configuration?.vrrpScripts.first?.command?.arguments)
        let values = arguments.dropFirst().compactMap { Int($0) }
        #expect(values.count == 3 && (0...32767).contains(values[0]) && (10...32767).contains(values[1])
                && (3...5).contains(values[2]), "\(arguments)")
    }

    @Test func aPredefinedNameMayBeRedefinedWithAWarning() throws {
        let result = Fixtures.parse("$_INSTANCE=other\nglobal_defs {\n router_id ${_INSTANCE}\n}\n")
        #expect(result.configuration?.global.routerID == "other")
        #expect(result.has(.warning, at: 1, 1, containing: "replaces keepalived's predefined ${_INSTANCE}"), "\(result.printed)")
    }

    @Test func definitionsMayStandForWholeLinesAndKeywords() {
        expectSameModel("$KW=priority\n$LINE=advert_int 3\n" + instanceHead + " $KW 90\n $LINE\n}\n",
                        as: instanceHead + " priority 90\n advert_int 3\n}\n")
    }

    /// The multi-line example of keepalived.conf(5), with its conditional lines.
    @Test func continuedDefinitionsStandForSeveralLines() {
        let text = """
        $INSTANCE= \\
        vrrp_instance VI_${NUM} { \\
            interface eth0.${NUM} \\
            virtual_router_id 1${NUM} \\
            @high priority 130 \\
            @low priority 120 \\
            virtual_ipaddress { \\
                10.0.${NUM}.254/24 \\
            } \\
        }

        $NUM=0
        $INSTANCE

        $NUM=1
        $INSTANCE

        """
        let expanded = """
        vrrp_instance VI_0 {
            interface eth0.0
            virtual_router_id 10
            priority 120
            virtual_ipaddress {
                10.0.0.254/24
            }
        }
        vrrp_instance VI_1 {
            interface eth0.1
            virtual_router_id 11
            priority 120
            virtual_ipaddress {
                10.0.1.254/24
            }
        }

        """
        expectSameModel(text, as: expanded, configID: "low")
    }

    /// keepalived.conf(5): "The use of multiline definitions can be nested."
    @Test func continuedDefinitionsNest() {
        let text = """
        $RS= \\
        real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\
            weight ${RS_NUM} \\
        }
        $VS= \\
        virtual_server 10.0.${VS_NUM}.4 80 { \\
            protocol TCP \\
            $RS_NUM=1 \\
            $RS \\
            $RS_NUM=2 \\
            $RS \\
        }
        $VS_NUM=0
        $VS
        $VS_NUM=1
        $VS

        """
        var expanded = ""
        for vs in 0...1 {
            expanded += "virtual_server 10.0.\(vs).4 80 {\n protocol TCP\n"
            for rs in 1...2 { expanded += " real_server 192.168.\(vs).\(rs) 80 {\n  weight \(rs)\n }\n" }
            expanded += "}\n"
        }
        expectSameModel(text, as: expanded)
    }

    /// Only a truly empty line ends a definition early; comment and blank-looking lines are skipped.
    @Test func anEmptyLineEndsAContinuedDefinition() {
        let text = "$BODY= \\\n priority 60 \\\n# a comment\n   \n\n advert_int 4\n" + instanceHead + " $BODY\n}\n"
        let result = Fixtures.parse(text)
        #expect(result.configuration?.vrrpInstances.first?.priority == 60, "\(result.printed)")
        #expect(result.has(.warning, at: 6, 2, containing: "unknown keyword 'advert_int'"), "\(result.printed)")
    }

    /// keepalived decides on "multi-line" before it adds the last line: `$X= \` and one line is ordinary.
    @Test func aContinuedDefinitionOfOneLineIsAnOrdinaryOne() {
        expectSameModel("$P= \\\n 90\n" + instanceHead + " priority $P\n}\n", as: instanceHead + " priority 90\n}\n")
    }

    @Test func aMultiLineDefinitionOnlyEndsALine() {
        let result = Fixtures.parse("$BODY= \\\n priority 60 \\\n advert_int 2\n" + instanceHead + " $BODY nopreempt\n}\n")
        #expect(result.has(.error, at: 7, 2, containing: "BODY is a multi-line definition: it can only be used at the end of a line"),
                "\(result.printed)")
    }

    @Test func diagnosticsInsideADefinitionPointWhereTheTextWasWritten() {
        let result = Fixtures.parse("$P=300\n$BODY= \\\n   advert_int x \\\n   nopreempt\n" + instanceHead + " priority $P\n $BODY\n}\n")
        #expect(result.has(.error, at: 8, 11, containing: "priority 300 is outside 1–255"), "\(result.printed)")
        #expect(result.has(.error, at: 3, 15, containing: "'x'"), "\(result.printed)")
    }

    @Test func definitionsCrossIncludes() {
        let files = ["/k/defs.conf": "$VRID=42\n$VIP=${NET}.42\n"]
        let text = "$NET=192.0.2\ninclude /k/defs.conf\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id $VRID\n virtual_ipaddress {\n  $VIP\n }\n}\n"
        expectSameModel(text, as: "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 42\n virtual_ipaddress {\n  192.0.2.42\n }\n}\n",
                        files: files)
    }

    @Test func anIncludeLineMayUseADefinition() throws {
        let files = ["/k/conf.d/a.conf": "vrrp_script a {\n script /bin/true\n}\n"]
        let result = Fixtures.parse("$DIR=/k/conf.d\ninclude ${DIR}/*.conf\n", files: files)
        #expect(result.configuration?.vrrpScripts.map(\.name) == ["a"], "\(result.printed)")
        #expect(result.warnings.isEmpty, "written as an include line, keepalived reads it once: \(result.printed)")
    }

    @Test func anIncludeInsideAContinuedDefinitionIsRefused() {
        let result = Fixtures.parse("$BODY= \\\n include /k/x.conf \\\n priority 9\n", files: ["/k/x.conf": ""])
        #expect(result.has(.error, at: 2, 2, containing: "an include cannot be part of the definition of $BODY"), "\(result.printed)")
    }

    @Test func malformedDefinitions() {
        let result = Fixtures.parse("$=x\n$1A=x\n$A-B=1\n$A =1\n$A\t= 1\n")
        #expect(result.has(.error, at: 1, 1, containing: "'$=' defines nothing"), "\(result.printed)")
        #expect(result.has(.error, at: 2, 2, containing: "cannot start with a digit"))
        #expect(result.has(.error, at: 3, 3, containing: "'-' cannot be part of a definition's name"))
        #expect(result.has(.error, at: 4, 3, containing: "no space may come between $A and '='"))
        #expect(result.has(.error, at: 5, 3, containing: "no space may come between $A and '='"))
        #expect(result.errors.count == 5, "nothing else is reported: \(result.printed)")
    }

    @Test func malformedReferences() {
        let text = "$A=1\n" + instanceHead + " priority ${A\n advert_int ${UNDEFINED}\n nopreempt ${A }\n preempt_delay ${A 2}\n}\n"
        let result = Fixtures.parse(text)
        #expect(result.has(.error, at: 5, 11, containing: "unterminated ${"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 13, containing: "${UNDEFINED} is not defined"))
        #expect(result.has(.error, at: 7, 12, containing: "no space may come before '}' in ${A}"))
        #expect(result.has(.error, at: 8, 16, containing: "${A} takes no parameters"))
    }

    /// keepalived would loop forever on the first and fill its line buffer with the second.
    @Test func aDefinitionInTermsOfItselfIsRefused() {
        let same = Fixtures.parse("$A=${A}\n" + instanceHead + " priority $A\n}\n")
        #expect(same.has(.error, at: 5, 11, containing: "A is defined in terms of itself"), "\(same.printed)")
        let growing = Fixtures.parse("$A=x${A}\n" + instanceHead + " priority $A\n}\n")
        #expect(growing.has(.error, at: 5, 11, containing: "longer than keepalived's 1023 characters"), "\(growing.printed)")
        // A value that starts a repetition ends each pass over the line; the passes still end.
        let passes = Fixtures.parse("$T=~$T\n" + instanceHead + " priority $T\n}\n")
        #expect(passes.has(.error, at: 5, 11, containing: "substituting T makes the line longer"), "\(passes.printed)")
    }

    /// keepalived's comment rules for a line it rewrites: `#` ends it anywhere outside quotes, even mid-word.
    @Test func rewrittenLinesFollowKeepalivedsCommentRules() throws {
        let text = "$A=a\nglobal_defs {\n router_id $A#b\n}\nvrrp_script chk {\n script \"/bin/echo $A # kept\"\n}\n"
        let config = try #require(Fixtures.parse(text).configuration)
        #expect(config.global.routerID == "a")
        #expect(config.vrrpScripts.first?.command?.arguments == ["/bin/echo", "a", "#", "kept"])
    }
}
