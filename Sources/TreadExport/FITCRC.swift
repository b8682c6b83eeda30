/// The FIT protocol's CRC-16 (the FIT SDK's `FitCRC_Get16`: CRC-16/ARC, polynomial 0x8005
/// reflected, initial value 0), computed a nibble at a time with the SDK's published table.
/// It guards the file header (bytes 0-11, stored in 12-13) and the whole file (stored in the
/// last two bytes, over everything before them).
public struct FITCRC: Sendable {
    static let table: [UInt16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ]

    public private(set) var value: UInt16 = 0

    public init() {}

    public mutating func add(_ byte: UInt8) {
        var tmp = Self.table[Int(value & 0xF)]
        value = (value >> 4) & 0x0FFF
        value = value ^ tmp ^ Self.table[Int(byte & 0xF)]
        tmp = Self.table[Int(value & 0xF)]
        value = (value >> 4) & 0x0FFF
        value = value ^ tmp ^ Self.table[Int((byte >> 4) & 0xF)]
    }

    public mutating func add<S: Sequence<UInt8>>(_ bytes: S) { for b in bytes { add(b) } }

    public static func of<S: Sequence<UInt8>>(_ bytes: S) -> UInt16 {
        var c = FITCRC()
        c.add(bytes)
        return c.value
    }
}
