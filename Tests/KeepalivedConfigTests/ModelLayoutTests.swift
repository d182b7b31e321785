import Testing
@testable import KeepalivedConfig
import Vocabulary

/// The model holds one address per real server and one check per checker: keep them allocation-free and small
/// (an array of bytes was a heap allocation per address; an inline MISC_CHECK script was several times the size
/// of a TCP or HTTP check).
@Test func modelValuesStayCompact() {
    #expect(MemoryLayout<IPAddress>.size <= 24)
    #expect(MemoryLayout<HealthCheckKind>.size <= 16)
}
