import CGPIOD
import Glibc

/// One kernel line request on one chip: inputs with edge detection, or outputs. Released
/// when dropped; the kernel then returns the lines to their defaults, which is why the
/// enable relay must be wired so that a released line means no torque.
final class GPIOLineRequest {
    enum Kind { case inputs, outputs }

    let request: OpaquePointer
    let chipPath: String
    let lines: [ResolvedLine]
    private let events: OpaquePointer?

    static let consumer = "treadd"

    init(_ lines: [ResolvedLine], kind: Kind, eventBufferSize: Int = 64) throws(GPIOError) {
        precondition(!lines.isEmpty)
        let path = lines[0].chipPath
        let chip = try GPIOChip(path: path)
        let roles = lines.map(\.spec.role)
        guard let config = gpiod_line_config_new() else { throw .failed(path: path, errno: ENOMEM) }
        defer { gpiod_line_config_free(config) }
        for l in lines {
            guard let s = gpiod_line_settings_new() else { throw .failed(path: path, errno: ENOMEM) }
            defer { gpiod_line_settings_free(s) }
            gpiod_line_settings_set_active_low(s, l.spec.activeLow)
            switch kind {
            case .inputs:
                gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT)
                gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH)
                gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC)
                gpiod_line_settings_set_debounce_period_us(s, UInt(max(0, l.spec.debounce.nanoseconds / 1000)))
            case .outputs:
                gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT)
                // Requested de-energised: nothing is enabled until the control loop says so.
                gpiod_line_settings_set_output_value(s, GPIOD_LINE_VALUE_INACTIVE)
            }
            let bias: gpiod_line_bias
            switch l.spec.bias {
            case .asIs: bias = GPIOD_LINE_BIAS_AS_IS
            case .disabled: bias = GPIOD_LINE_BIAS_DISABLED
            case .pullUp: bias = GPIOD_LINE_BIAS_PULL_UP
            case .pullDown: bias = GPIOD_LINE_BIAS_PULL_DOWN
            }
            gpiod_line_settings_set_bias(s, bias)
            var offset = UInt32(l.offset)
            if gpiod_line_config_add_line_settings(config, &offset, 1, s) != 0 {
                throw .requestFailed(roles: [l.spec.role], chip: path, errno: cgpiod_errno())
            }
        }
        guard let rc = gpiod_request_config_new() else { throw .failed(path: path, errno: ENOMEM) }
        defer { gpiod_request_config_free(rc) }
        gpiod_request_config_set_consumer(rc, Self.consumer)
        if kind == .inputs { gpiod_request_config_set_event_buffer_size(rc, eventBufferSize) }
        guard let r = gpiod_chip_request_lines(chip.chip, rc, config) else {
            throw .requestFailed(roles: roles, chip: path, errno: cgpiod_errno())
        }
        request = r
        chipPath = path
        self.lines = lines
        events = kind == .inputs ? gpiod_edge_event_buffer_new(eventBufferSize) : nil
    }

    deinit {
        if let events { gpiod_edge_event_buffer_free(events) }
        gpiod_line_request_release(request)
    }

    var fd: Int32 { gpiod_line_request_get_fd(request) }

    /// The logical (active = true) value of one line.
    func value(_ line: ResolvedLine) throws(GPIOError) -> Bool {
        let v = gpiod_line_request_get_value(request, UInt32(line.offset))
        guard v != GPIOD_LINE_VALUE_ERROR else { throw .io(role: line.spec.role, errno: cgpiod_errno()) }
        return v == GPIOD_LINE_VALUE_ACTIVE
    }

    func set(_ line: ResolvedLine, active: Bool) throws(GPIOError) {
        if gpiod_line_request_set_value(request, UInt32(line.offset), active ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) != 0 {
            throw .io(role: line.spec.role, errno: cgpiod_errno())
        }
    }

    /// Reads the pending edge events (call when the fd is readable): offset, became active,
    /// kernel timestamp on CLOCK_MONOTONIC.
    func readEdges() throws(GPIOError) -> [(offset: Int, active: Bool, ns: UInt64)] {
        guard let events else { return [] }
        let n = gpiod_line_request_read_edge_events(request, events, gpiod_edge_event_buffer_get_capacity(events))
        guard n >= 0 else { throw .io(role: lines.map(\.spec.role).joined(separator: ", "), errno: cgpiod_errno()) }
        var out: [(Int, Bool, UInt64)] = []
        out.reserveCapacity(Int(n))
        for i in 0..<Int(n) {
            guard let e = gpiod_edge_event_buffer_get_event(events, UInt(i)) else { continue }
            out.append((Int(gpiod_edge_event_get_line_offset(e)),
                        gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE,
                        gpiod_edge_event_get_timestamp_ns(e)))
        }
        return out
    }
}
