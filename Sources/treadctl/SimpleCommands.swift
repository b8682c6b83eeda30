import ArgumentParser
import TreadProtocol

/// stop, pause, resume and reset share one shape: send the request, print the answer.
protocol SimpleRequest: ParsableCommand {
    static var method: TreadProtocol.Method { get }
    var global: GlobalOptions { get }
}

extension SimpleRequest {
    func run() throws {
        try runReporting { () throws(CLIError) in
            let r = try global.connect().call(Self.method)
            print(r.message ?? "ok")
        }
    }
}
