/// How a modbus-reply input is read: a profile choice, the operations to run, then one chunk
/// per request the drive sends, in order.
///
///     byte 0      which shipped profile (index into Config/drives, sorted)
///     byte 1      four 2-bit operations after connect: 0 status poll, 1 run setpoint,
///                 2 stop, 3 fault reset
///     byte 2      the run setpoint's speed, in 0.1 km/h
///     then        chunks: [flags][length][length bytes]
///
/// Flags let the fuzzer get past libmodbus's header checks instead of having to guess them:
/// `copyTransaction` puts the request's transaction id into the reply, `fixLength` sets the
/// MBAP length to the bytes that follow it, `echo` answers with the request itself (the valid
/// reply to a write), `split` sends the reply in two writes, `silent` does not answer (a
/// timeout), `hangUp` closes the connection after answering.
struct ReplyScript {
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let copyTransaction = Flags(rawValue: 1 << 0)
        static let fixLength = Flags(rawValue: 1 << 1)
        static let echo = Flags(rawValue: 1 << 2)
        static let split = Flags(rawValue: 1 << 3)
        static let silent = Flags(rawValue: 1 << 4)
        static let hangUp = Flags(rawValue: 1 << 5)
    }

    struct Chunk {
        var flags: Flags
        var bytes: [UInt8]

        /// The bytes to send for `request`, or nil for silence.
        func reply(to request: [UInt8]) -> [UInt8]? {
            if flags.contains(.silent) { return nil }
            var out = flags.contains(.echo) ? request : bytes
            if flags.contains(.copyTransaction), out.count >= 2, request.count >= 2 { out[0] = request[0]; out[1] = request[1] }
            if flags.contains(.fixLength), out.count >= 6 {
                let n = out.count - 6
                out[4] = UInt8(truncatingIfNeeded: n >> 8)
                out[5] = UInt8(truncatingIfNeeded: n)
            }
            return out
        }
    }

    enum Operation: UInt8 { case poll = 0, run, stop, reset }

    var profileIndex: Int
    var operations: [Operation]
    var speedTenths: Int
    var chunks: [Chunk]

    init(_ bytes: UnsafeRawBufferPointer) {
        let b = Array(bytes)
        profileIndex = b.count > 0 ? Int(b[0]) : 0
        let ops = b.count > 1 ? b[1] : 0
        operations = (0..<4).map { Operation(rawValue: (ops >> (2 * UInt8($0))) & 3)! }
        speedTenths = b.count > 2 ? Int(b[2]) : 0
        chunks = []
        var i = 3
        while i + 1 < b.count {
            let flags = Flags(rawValue: b[i])
            let n = Int(b[i + 1])
            let end = min(b.count, i + 2 + n)
            chunks.append(Chunk(flags: flags, bytes: Array(b[(i + 2)..<end])))
            i = end
        }
    }

    /// The input bytes for a script, for the recorded seeds.
    static func encode(profileIndex: Int, operations: [Operation], speedTenths: Int, chunks: [Chunk]) -> [UInt8] {
        var ops: UInt8 = 0
        for (i, op) in operations.prefix(4).enumerated() { ops |= op.rawValue << (2 * UInt8(i)) }
        var out: [UInt8] = [UInt8(profileIndex), ops, UInt8(speedTenths)]
        for c in chunks { out += [c.flags.rawValue, UInt8(c.bytes.count)] + c.bytes }
        return out
    }
}
