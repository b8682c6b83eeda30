import Testing
@testable import TreadExport

@Suite struct FITCRCTests {
    /// CRC-16/ARC's published check value: the FIT SDK's nibble table must compute the same.
    @Test func theCheckStringGivesCRC16ARCsCheckValue() {
        #expect(FITCRC.of(Array("123456789".utf8)) == 0xBB3D)
        #expect(FITCRC.of([UInt8]()) == 0)
    }

    /// A FIT file's trailing CRC covers everything before it, so the CRC over the whole file,
    /// trailing bytes included, is 0; the header's CRC covers its first 12 bytes.
    @Test func anEncodedFileCarriesBothCRCs() {
        let bytes = FITActivityFile.encode(ExportedActivity(SampleSessions.finished))
        #expect(FITCRC.of(bytes) == 0)
        #expect(bytes[0] == 14 && Array(bytes[8..<12]) == Array(".FIT".utf8))
        #expect(FITCRC.of(bytes[0..<12]) == UInt16(bytes[12]) | UInt16(bytes[13]) << 8)
        let dataSize = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(dataSize == bytes.count - 14 - 2)
    }
}
