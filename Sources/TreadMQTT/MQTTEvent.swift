/// What happened on the connection during one `poll`, in order.
public enum MQTTEvent: Sendable, Equatable {
    /// CONNACK accepted; `sessionPresent` when the broker still had our session.
    case connected(sessionPresent: Bool)
    /// CONNACK refused, with the broker's reason.
    case refused(reason: String)
    /// The connection ended (the broker went away, the network, a keepalive timeout).
    case disconnected(reason: String)
    /// The broker's answer to a QoS 1 publish: PUBACK with a reason code below 128 is taken;
    /// 128 and above is a refusal (not authorised, quota exceeded, payload invalid).
    case acknowledged(mid: Int32, reasonCode: Int32)
    case message(topic: String, payload: [UInt8], retained: Bool)
    case subscribed(mid: Int32, grantedQoS: [Int32])
}
