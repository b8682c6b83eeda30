/// Every line the server sends; exactly one of hello / (id with result or error) / event is set.
/// Optional fields that are nil are left out of the line (a `Status` is the exception: it
/// always has every key).
public struct ServerMessage: Codable, Hashable, Sendable {
    public var hello: Hello?
    public var id: Int?
    public var result: ResultBody?
    public var error: ErrorBody?
    public var event: EventName?
    /// Set with `event`: which of the four kinds it is, so a client can act on an event it
    /// does not know by name.
    public var category: EventCategory?
    public var message: String?
    public var status: Status?

    public init(hello: Hello? = nil, id: Int? = nil, result: ResultBody? = nil, error: ErrorBody? = nil,
                event: EventName? = nil, message: String? = nil, status: Status? = nil) {
        self.hello = hello; self.id = id; self.result = result; self.error = error
        self.event = event; self.category = event?.category; self.message = message; self.status = status
    }

    public static func reply(_ id: Int?, _ result: ResultBody) -> ServerMessage { ServerMessage(id: id, result: result) }
    public static func failure(_ id: Int?, code: ErrorCode, _ message: String) -> ServerMessage {
        ServerMessage(id: id, error: ErrorBody(code: code, message: message))
    }
}
