import CModbus
import Foundation
import TreadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serving one Modbus request against the simulator: the unit and injection checks, the
/// reply libmodbus builds, and the writes carried over to the simulator.
extension SimulatorServer {
    private func be16(_ i: Int) -> UInt16 { UInt16(buffer[i]) << 8 | UInt16(buffer[i + 1]) }

    func serve(length: Int, fd: Int32) {
        let hl = Int(modbus_get_header_length(ctx))
        guard hl >= 1, length > hl + 2 else { return }
        if isTCP {
            let requestUnit = Int(buffer[hl - 1])
            guard requestUnit == unit || requestUnit == 0 || requestUnit == 255 else { return }
        }
        let now = Self.monotonicNow()
        simulator.advance(to: now)
        logStateIfNeeded(now)
        let fc = Int(buffer[hl])
        let address = be16(hl + 1)

        if injections.silent {
            writeLine("{\"t\":\(seconds(now)),\"kind\":\"dropped\",\"fc\":\(fc),\"address\":\(address),\"reason\":\"silent\"}")
            return
        }
        if garbler != nil {
            // What the drive would have said, taken apart; the drive itself heard nothing.
            copyRegistersToMapping()
            let correct = captureReply { modbus_reply(ctx, $0, Int32(length), mapping) }
            copyRegistersToMapping()
            let garbled = garbler!.garble(correct, headerLength: hl, rtu: !isTCP)
            writeLine("{\"t\":\(seconds(now)),\"kind\":\"dropped\",\"fc\":\(fc),\"address\":\(address),\"reason\":\"garbled\"}")
            send(garbled, to: fd, at: now)
            return
        }
        let before = simulator
        if let code = injections.exception ?? simulator.refusal(function: fc) {
            // A refused FC06 is still a well-formed request the drive heard; an injected
            // exception stands for a drive that takes nothing in.
            if injections.exception == nil { simulator.noteRequest(at: now) }
            let reply = captureReply { modbus_reply_exception(ctx, $0, UInt32(code)) }
            logRefused(now, fc: fc, address: address, exception: code, before: before)
            logStateIfNeeded(now)
            send(reply, to: fd, at: now)
            return
        }
        simulator.noteRequest(at: now)
        requestsServed += 1

        var writes: [(UInt16, UInt16)] = []
        switch fc {
        case 6 where length >= hl + 5:
            writes = [(address, be16(hl + 3))]
        case 16 where length >= hl + 6:
            let quantity = Int(be16(hl + 3))
            let bytes = Int(buffer[hl + 5])
            if (1...123).contains(quantity), bytes == 2 * quantity, Int(address) + quantity <= 65536, length >= hl + 6 + bytes {
                writes = (0..<quantity).map { (address &+ UInt16($0), be16(hl + 6 + 2 * $0)) }
            }
        default:
            break
        }

        copyRegistersToMapping()
        let reply = captureReply { modbus_reply(ctx, $0, Int32(length), mapping) }

        // FC22 (mask write) and FC23 (write and read) are applied by libmodbus to the
        // mapping; carry the result over so the simulator sees them too.
        switch fc {
        case 22 where length >= hl + 7:
            writes = [(address, mapping.pointee.tab_registers[Int(address)])]
        case 23 where length >= hl + 10:
            let writeAddress = be16(hl + 5)
            let quantity = Int(be16(hl + 7))
            let bytes = Int(buffer[hl + 9])
            if (1...121).contains(quantity), bytes == 2 * quantity, Int(writeAddress) + quantity <= 65536, length >= hl + 10 + bytes {
                writes = (0..<quantity).map { (writeAddress &+ UInt16($0), be16(hl + 10 + 2 * $0)) }
            }
        default:
            break
        }
        for (a, v) in writes { simulator.write(address: a, value: v, at: now) }
        copyRegistersToMapping()

        logRequest(now, fc: fc, address: address, values: writes.map(\.1), before: before)
        logStateIfNeeded(now)
        send(reply, to: fd, at: now)
    }

    /// Runs a libmodbus reply with the context's socket pointed at the capture pair, and
    /// returns the bytes it would have sent.
    private func captureReply(_ body: (UnsafePointer<UInt8>) -> Int32) -> [UInt8] {
        let real = modbus_get_socket(ctx)
        modbus_set_socket(ctx, capture[0])
        _ = buffer.withUnsafeBufferPointer { body($0.baseAddress!) }
        modbus_set_socket(ctx, real)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(capture[1], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// Advances the physics to now and logs the state if it moved.
    func tick() {
        let now = Self.monotonicNow()
        simulator.advance(to: now)
        copyStatusToMapping()
        logStateIfNeeded(now)
    }

    func copyRegistersToMapping() {
        let tab = mapping.pointee.tab_registers!
        for (a, v) in simulator.registers { tab[Int(a)] = v }
    }

    private func copyStatusToMapping() {
        let tab = mapping.pointee.tab_registers!
        for a in simulator.computedRegisters { tab[Int(a)] = simulator.read(address: a) }
    }
}
