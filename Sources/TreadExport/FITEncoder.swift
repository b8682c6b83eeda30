/// The FIT binary container (FIT protocol 2.0, as the FIT SDK documents it): a 14-byte file
/// header with its CRC, then definition and data messages, then the file's CRC. Knows nothing
/// of activities: `FITActivityFile` says which messages and fields to write.
///
/// Each message is written as a normal-header data message on a local message type given to
/// its global message number in first-use order; a definition message (little-endian, with
/// the developer-data bit when the message carries developer fields) goes before it whenever
/// the layout on that local type changes.
struct FITEncoder {
    /// FIT base types (FIT SDK profile, `fit_base_type`): the byte written in a field
    /// definition. Bit 7 marks the multi-byte ones, whose byte order the definition states.
    enum BaseType: UInt8 {
        case enumeration = 0x00, uint8 = 0x02, string = 0x07, byte = 0x0D
        case uint16 = 0x84, uint32 = 0x86, float32 = 0x88, uint32z = 0x8C
    }

    struct Field: Equatable {
        var number: UInt8
        var type: BaseType
        var bytes: [UInt8]

        static func enumeration(_ n: UInt8, _ v: UInt8) -> Field { Field(number: n, type: .enumeration, bytes: [v]) }
        static func uint8(_ n: UInt8, _ v: UInt8) -> Field { Field(number: n, type: .uint8, bytes: [v]) }
        static func uint16(_ n: UInt8, _ v: UInt16) -> Field { Field(number: n, type: .uint16, bytes: le(v)) }
        static func uint32(_ n: UInt8, _ v: UInt32) -> Field { Field(number: n, type: .uint32, bytes: le(v)) }
        static func uint32z(_ n: UInt8, _ v: UInt32) -> Field { Field(number: n, type: .uint32z, bytes: le(v)) }
        static func float32(_ n: UInt8, _ v: Float) -> Field { Field(number: n, type: .float32, bytes: le(v.bitPattern)) }
        static func bytes(_ n: UInt8, _ v: [UInt8]) -> Field { Field(number: n, type: .byte, bytes: v) }
        /// UTF-8, NUL-terminated; cut to `maxBytes` (a field is at most 255 bytes) at a character boundary.
        static func string(_ n: UInt8, _ s: String, maxBytes: Int = 200) -> Field {
            var utf8: [UInt8] = []
            for c in s { let b = Array(String(c).utf8); if utf8.count + b.count >= maxBytes { break }; utf8 += b }
            return Field(number: n, type: .string, bytes: utf8 + [0])
        }
        /// Scaled unsigned values (`value * scale`, rounded), the profile's way of fixed point;
        /// out of range or not finite is written as the type's invalid value.
        static func scaled32(_ n: UInt8, _ v: Double, scale: Double) -> Field {
            let x = (v * scale).rounded()
            return .uint32(n, x.isFinite && x >= 0 && x < Double(UInt32.max) ? UInt32(x) : UInt32.max)
        }
        static func scaled16(_ n: UInt8, _ v: Double, scale: Double) -> Field {
            let x = (v * scale).rounded()
            return .uint16(n, x.isFinite && x >= 0 && x < Double(UInt16.max) ? UInt16(x) : UInt16.max)
        }
    }

    /// A field of a developer's own, described earlier in the file by a `field_description`.
    struct DeveloperField: Equatable {
        var number: UInt8
        var developerIndex: UInt8
        var bytes: [UInt8]
    }

    private var records: [UInt8] = []
    private var localTypes: [UInt16: UInt8] = [:]
    private var defined: [UInt8: [UInt8]] = [:]

    /// Appends one message (its definition first when needed).
    mutating func write(_ global: UInt16, _ fields: [Field], developer: [DeveloperField] = []) {
        let local: UInt8
        if let l = localTypes[global] {
            local = l
        } else {
            local = UInt8(localTypes.count % 16)
            localTypes[global] = local
        }
        var definition: [UInt8] = [0, 0] + Self.le(global) + [UInt8(fields.count)]
        for f in fields { definition += [f.number, UInt8(f.bytes.count), f.type.rawValue] }
        if !developer.isEmpty {
            definition.append(UInt8(developer.count))
            for d in developer { definition += [d.number, UInt8(d.bytes.count), d.developerIndex] }
        }
        if defined[local] != definition {
            // Normal header: bit 6 definition, bit 5 developer data, bits 0-3 the local type.
            records.append(0x40 | (developer.isEmpty ? 0 : 0x20) | local)
            records += definition
            defined[local] = definition
        }
        records.append(local)
        for f in fields { records += f.bytes }
        for d in developer { records += d.bytes }
    }

    /// The whole file: header (size 14, protocol 2.0, profile version, data size, ".FIT",
    /// header CRC), the records, the file CRC.
    func file(profileVersion: UInt16 = 2132) -> [UInt8] {
        var header: [UInt8] = [14, 0x20] + Self.le(profileVersion) + Self.le(UInt32(records.count)) + Array(".FIT".utf8)
        header += Self.le(FITCRC.of(header))
        var out = header + records
        out += Self.le(FITCRC.of(out))
        return out
    }

    static func le(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
}
