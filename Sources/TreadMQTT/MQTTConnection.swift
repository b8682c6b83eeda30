import CMosquitto
import Glibc

/// One MQTT 5 connection through libmosquitto, driven by its owner's own thread: every call
/// and every callback (which run inside `poll`) happen on that thread, so the owner's state
/// needs no lock, and nothing here ever runs on Swift's cooperative pool (connect and poll
/// block on the network).
///
/// libmosquitto keeps QoS 1 messages it has sent but not yet seen acknowledged, and sends
/// them again itself after a reconnect within the same process; the owner republishes only
/// what a new process finds unacknowledged.
public final class MQTTConnection {
    public let settings: MQTTSettings
    private let mosq: OpaquePointer
    private let inbox: Inbox
    public private(set) var isConnected = false

    /// Filled by the C callbacks during `poll`; drained by it.
    final class Inbox {
        var events: [MQTTEvent] = []
    }

    public init(_ settings: MQTTSettings) throws(MQTTError) {
        Self.initialiseLibrary
        self.settings = settings
        inbox = Inbox()
        let user = Unmanaged.passUnretained(inbox).toOpaque()
        // clean_session false: the broker keeps our session (v5: clean start off, with an expiry).
        guard let m = mosquitto_new(settings.clientID, false, user) else {
            throw .library(call: "mosquitto_new", code: -1, message: String(cString: strerror(errno)))
        }
        mosq = m
        try MQTTError.check(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, cmosq_protocol_v5()), "protocol version 5")
        if let u = settings.username {
            try MQTTError.check(mosquitto_username_pw_set(m, u, settings.password), "username")
        }
        if let ca = settings.caFile {
            try MQTTError.check(mosquitto_tls_set(m, ca, nil, settings.certFile, settings.keyFile, nil), "TLS (\(ca))")
        }
        mosquitto_connect_v5_callback_set(m) { _, user, rc, flags, _ in
            let inbox = Unmanaged<Inbox>.fromOpaque(user!).takeUnretainedValue()
            if rc == 0 {
                inbox.events.append(.connected(sessionPresent: flags & 1 == 1))
            } else {
                inbox.events.append(.refused(reason: String(cString: mosquitto_reason_string(rc))))
            }
        }
        mosquitto_disconnect_v5_callback_set(m) { _, user, rc, _ in
            let inbox = Unmanaged<Inbox>.fromOpaque(user!).takeUnretainedValue()
            inbox.events.append(.disconnected(reason: rc == 0 ? "closed by us" : MQTTError.text(rc)))
        }
        mosquitto_publish_v5_callback_set(m) { _, user, mid, reason, _ in
            let inbox = Unmanaged<Inbox>.fromOpaque(user!).takeUnretainedValue()
            inbox.events.append(.acknowledged(mid: mid, reasonCode: reason))
        }
        mosquitto_message_v5_callback_set(m) { _, user, msg, _ in
            guard let msg else { return }
            let inbox = Unmanaged<Inbox>.fromOpaque(user!).takeUnretainedValue()
            let m = msg.pointee
            let bytes = m.payloadlen > 0 && m.payload != nil
                ? Array(UnsafeRawBufferPointer(start: m.payload, count: Int(m.payloadlen))) : []
            inbox.events.append(.message(topic: String(cString: m.topic), payload: bytes, retained: m.retain))
        }
        mosquitto_subscribe_v5_callback_set(m) { _, user, mid, count, granted, _ in
            let inbox = Unmanaged<Inbox>.fromOpaque(user!).takeUnretainedValue()
            let qos = (0..<Int(count)).map { granted![$0] }
            inbox.events.append(.subscribed(mid: mid, grantedQoS: qos))
        }
    }

    deinit { mosquitto_destroy(mosq) }

    private static let initialiseLibrary: Void = { _ = mosquitto_lib_init() }()

    /// Opens the TCP (or TLS) connection and sends CONNECT; the broker's answer comes as an
    /// event from `poll`. Blocks for the TCP connect.
    public func connect() throws(MQTTError) {
        var props: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&props) }
        let expiry = UInt32(clamping: settings.sessionExpiry.components.seconds)
        try MQTTError.check(mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), expiry),
                            "session expiry")
        let keepalive = Int32(clamping: settings.keepalive.components.seconds)
        let rc = mosquitto_connect_bind_v5(mosq, settings.host, Int32(settings.port), keepalive, nil, props)
        guard rc == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw .unreachable(host: settings.host, port: settings.port, message: MQTTError.text(rc))
        }
    }

    /// Connects again with the same settings (and the same session), after a disconnect.
    public func reconnect() throws(MQTTError) {
        let rc = mosquitto_reconnect(mosq)
        guard rc == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw .unreachable(host: settings.host, port: settings.port, message: MQTTError.text(rc))
        }
    }

    /// Publishes; returns the message id its acknowledgement will carry.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { buf in
            mosquitto_publish_v5(mosq, &mid, topic, Int32(buf.count), buf.baseAddress, qos, retain, nil)
        }
        try MQTTError.check(rc, "publish to \(topic)")
        return mid
    }

    /// Subscribes; the broker's grant comes as `.subscribed` from `poll`.
    public func subscribe(_ pattern: String, qos: Int32 = 1) throws(MQTTError) {
        try MQTTError.check(mosquitto_subscribe_v5(mosq, nil, pattern, qos, 0, nil), "subscribe to \(pattern)")
    }

    public func disconnect() {
        _ = mosquitto_disconnect_v5(mosq, 0, nil)
        isConnected = false
    }

    /// Reads and writes what is due, waiting up to `timeout` for the network, and returns what
    /// happened. A dead connection comes back as `.disconnected` (once).
    public func poll(timeout: Duration) -> [MQTTEvent] {
        let ms = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let rc = mosquitto_loop(mosq, ms, 1)
        var events = inbox.events
        inbox.events.removeAll()
        if rc != Int32(MOSQ_ERR_SUCCESS.rawValue), isConnected, !events.contains(where: { if case .disconnected = $0 { true } else { false } }) {
            events.append(.disconnected(reason: MQTTError.text(rc)))
        }
        for e in events {
            switch e {
            case .connected: isConnected = true
            case .refused, .disconnected: isConnected = false
            case .acknowledged, .message, .subscribed: break
            }
        }
        return events
    }
}
