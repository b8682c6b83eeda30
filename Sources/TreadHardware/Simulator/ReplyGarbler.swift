/// Turns the simulator's correct reply into one a Modbus master must refuse: the `garble`
/// fault (line noise, a failing interface board, a gateway mixing up frames).
///
/// Every garbled frame is wrong in its framing, never only in a register value: a master
/// cannot detect a wrong value in a well-formed Modbus TCP frame (TCP frames carry no CRC),
/// so a "garble" that sometimes produced plausible values would be a different fault, and a
/// test of it could not expect a latched fault. Seeded, so a run can be repeated.
struct ReplyGarbler: Sendable {
    enum Kind: CaseIterable { case functionCode, truncated, foreignID, byteCount, noise }

    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64: small, seedable, and good enough to pick among a few mutations.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// - Parameters:
    ///   - reply: the correct reply, as sent (RTU: with its CRC).
    ///   - headerLength: the transport's header before the function code (TCP 7, RTU 1).
    mutating func garble(_ reply: [UInt8], headerLength hl: Int, rtu: Bool) -> [UInt8] {
        guard reply.count > hl else { return noise() }
        var out = reply
        let fc = out[hl] & 0x7F
        var kind = Kind.allCases[below(Kind.allCases.count)]
        // A byte count exists only in read replies; elsewhere change the function code.
        if kind == .byteCount, !(fc == 3 || fc == 4), out.count > hl + 1 { kind = .functionCode }
        switch kind {
        case .functionCode:
            // Another function, never an exception (high bit clear): "not the reply to my request".
            out[hl] = UInt8((Int(fc) + 1 + below(126)) % 127) & 0x7F
            if out[hl] == fc || out[hl] == 0 { out[hl] = fc == 1 ? 2 : 1 }
        case .byteCount:
            out[hl + 1] = out[hl + 1] &+ UInt8(1 + below(200))
        case .foreignID:
            // TCP: another transaction; RTU: another unit.
            if rtu { out[0] = out[0] &+ UInt8(1 + below(200)) } else { out[below(2)] ^= UInt8(1 + below(255)) }
        case .truncated:
            return Array(out.prefix(1 + below(out.count - 1)))
        case .noise:
            return noise()
        }
        if rtu, out.count >= 2 {
            // A fresh CRC, so the master meets the framing error rather than a CRC error.
            let crc = Self.crc16(out.dropLast(2))
            out[out.count - 2] = UInt8(crc & 0xFF)
            out[out.count - 1] = UInt8(crc >> 8)
        }
        return out
    }

    private mutating func noise() -> [UInt8] {
        (0..<(1 + below(12))).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// Modbus RTU CRC-16 (polynomial 0xA001, initial 0xFFFF), sent low byte first.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }
}
