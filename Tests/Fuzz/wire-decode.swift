// fuzz-module: Vocabulary,Wire
// libFuzzer entry for WireCodec.decode, compiled in one module with Sources/Wire/*.swift:
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzWire \
//     Sources/Wire/*.swift Tests/Fuzz/wire-decode.swift -o /tmp/wf/fuzz
// Besides "never crash", it checks that whatever decodes re-encodes to the very same bytes:
// the format has exactly one encoding per message, so any difference is a codec bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let message = try? WireCodec.decode(input) else { return 0 }
    let again = WireCodec.encode(message)
    if !again.elementsEqual(input) {
        fatalError("decode/encode mismatch for \(message)")
    }
    return 0
}
