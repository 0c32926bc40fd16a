import TestSupport
import Foundation
import JSON
import Testing

/// JSON-RPC errors, one case per session: each bad line gets exactly one error response with the
/// right code and id, never -32603, and the server carries on (a ping after it is answered).
@Suite struct ProtocolErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let line: [UInt8]
        let code: Int64
        let id: JSONValue
        let message: String
        var data: JSONValue? = nil
        var testDescription: String { name }

        init(_ name: String, _ line: String, _ code: Int64, id: JSONValue, _ message: String, data: JSONValue? = nil) {
            self.init(name, Array(line.utf8), code, id: id, message, data: data)
        }

        init(_ name: String, _ line: [UInt8], _ code: Int64, id: JSONValue, _ message: String, data: JSONValue? = nil) {
            self.name = name
            self.line = line
            self.code = code
            self.id = id
            self.message = message
            self.data = data
        }
    }

    static let toolNames: JSONValue = ["check_stock", "update_stock", "create_order", "update_delivery_status",
                                       "get_order", "list_orders", "list_products"]

    static let parseErrorCases: [Case] = [
        Case("not JSON", "garbage", -32700, id: nil, "Parse error: unexpected character 'g' at byte 0"),
        Case("truncated object", #"{"jsonrpc":"2.0","id":1,"method":"ping""#, -32700, id: nil, "Parse error"),
        Case("trailing data", #"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#, -32700, id: nil, "Parse error"),
        Case("invalid UTF-8", Array(#"{"jsonrpc":"2.0","id":1,"method":"pi"#.utf8) + [0xFF, 0xFE] + Array(#"ng"}"#.utf8),
             -32700, id: nil, "Parse error"),
        Case("lone surrogate", #"{"jsonrpc":"2.0","id":1,"method":"\ud800"}"#, -32700, id: nil, "Parse error"),
        Case("duplicate key", #"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#, -32700, id: nil, "Parse error"),
        Case("nesting deeper than 64",
             #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"# + String(repeating: "[", count: 70)
                 + String(repeating: "]", count: 70) + "}}",
             -32700, id: nil, "Parse error"),
    ]

    static let invalidRequestCases: [Case] = [
        Case("a number", "42", -32600, id: nil, "Invalid Request: a message must be a JSON object, got integer"),
        Case("a string", #""ping""#, -32600, id: nil, "Invalid Request"),
        Case("null", "null", -32600, id: nil, "Invalid Request"),
        Case("batch outside 2025-03-26", #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, -32600, id: nil,
             "batches are not supported"),
        Case("jsonrpc 1.0", #"{"jsonrpc":"1.0","id":3,"method":"ping"}"#, -32600, id: 3, #"'jsonrpc' must be "2.0""#),
        Case("jsonrpc missing", #"{"id":4,"method":"ping"}"#, -32600, id: 4, #"'jsonrpc' must be "2.0""#),
        Case("method missing", #"{"jsonrpc":"2.0","id":7}"#, -32600, id: 7, "Invalid Request: 'method' is missing"),
        Case("method not a string", #"{"jsonrpc":"2.0","id":8,"method":42}"#, -32600, id: 8, "'method' must be a string"),
        Case("id null", #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#, -32600, id: nil, "'id' must be a string or an integer"),
        Case("id 1.5", #"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, -32600, id: nil, "'id' must be a string or an integer"),
        Case("id true", #"{"jsonrpc":"2.0","id":true,"method":"ping"}"#, -32600, id: nil, "'id' must be a string or an integer"),
        Case("id an object", #"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, -32600, id: nil, "'id' must be"),
        Case("params a string", #"{"jsonrpc":"2.0","id":9,"method":"ping","params":"x"}"#, -32600, id: 9,
             "'params' must be an object"),
        Case("string id, params a number", #"{"jsonrpc":"2.0","id":"s-1","method":"tools/list","params":5}"#, -32600,
             id: "s-1", "'params' must be an object"),
    ]

    static let unknownMethodCases: [Case] = [
        Case("unknown method", #"{"jsonrpc":"2.0","id":8,"method":"nope"}"#, -32601, id: 8, "Method not found: 'nope'"),
        Case("resources/list", #"{"jsonrpc":"2.0","id":11,"method":"resources/list"}"#, -32601, id: 11,
             "Method not found: 'resources/list'"),
        Case("prompts/list", #"{"jsonrpc":"2.0","id":12,"method":"prompts/list","params":{}}"#, -32601, id: 12,
             "Method not found: 'prompts/list'"),
        Case("logging/setLevel", #"{"jsonrpc":"2.0","id":13,"method":"logging/setLevel","params":{"level":"debug"}}"#,
             -32601, id: 13, "Method not found"),
        Case("string id", #"{"jsonrpc":"2.0","id":"abc","method":"server/discover"}"#, -32601, id: "abc", "Method not found"),
    ]

    static let invalidParamsCases: [Case] = [
        Case("tools/call without params", #"{"jsonrpc":"2.0","id":20,"method":"tools/call"}"#, -32602, id: 20,
             "'name' (the tool to call) is required"),
        Case("tools/call without name", #"{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"arguments":{}}}"#,
             -32602, id: 21, "'name' (the tool to call) is required"),
        Case("tools/call name not a string", #"{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":42}}"#,
             -32602, id: 22, "'name' must be a string"),
        Case("arguments an array",
             #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"check_stock","arguments":[1]}}"#,
             -32602, id: 9, "Invalid params: 'arguments' must be an object, got array"),
        Case("arguments a string",
             #"{"jsonrpc":"2.0","id":23,"method":"tools/call","params":{"name":"check_stock","arguments":"prod1"}}"#,
             -32602, id: 23, "'arguments' must be an object, got string"),
        Case("arguments a number",
             #"{"jsonrpc":"2.0","id":24,"method":"tools/call","params":{"name":"list_orders","arguments":5}}"#,
             -32602, id: 24, "'arguments' must be an object, got integer"),
        Case("unknown tool",
             #"{"jsonrpc":"2.0","id":25,"method":"tools/call","params":{"name":"check_stok","arguments":{}}}"#,
             -32602, id: 25, "Invalid params: unknown tool 'check_stok'; available tools: check_stock, update_stock",
             data: ["available_tools": toolNames]),
        Case("params an array", #"{"jsonrpc":"2.0","id":26,"method":"tools/call","params":["check_stock"]}"#,
             -32602, id: 26, "'params' must be an object"),
        Case("initialize without protocolVersion",
             #"{"jsonrpc":"2.0","id":27,"method":"initialize","params":{"capabilities":{}}}"#,
             -32602, id: 27, "'protocolVersion'"),
        Case("tools/list with a cursor", #"{"jsonrpc":"2.0","id":28,"method":"tools/list","params":{"cursor":"abc"}}"#,
             -32602, id: 28, "cursor"),
    ]

    /// Sends `initialize`, the bad line and a ping, then closes stdin; checks everything.
    func check(_ bad: Case) async throws {
        let database = try await TestDatabase.make("proto", products: [])
        defer { database.drop() }
        var input = Data((String.initialize + "\n").utf8)
        input.append(contentsOf: bad.line)
        input.append(contentsOf: Array(("\n" + String.request(99, "ping") + "\n").utf8))
        let session = try await SessionTranscript.run(bytes: input, arguments: database.serverArguments)

        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty, "\(session.protocolViolations)")
        #expect(session.messages.count == 3, "\(session.lines)")
        #expect(try session.response(0)["result"]?["protocolVersion"] == "2025-11-25")
        #expect(try session.response(99)["result"] == [:], "the server must go on after a bad line")
        let reply = try session.response(id: bad.id)
        #expect(reply["result"] == nil)
        #expect(reply["error"]?["code"] == .int(bad.code), "\(JSONWriter.string(reply))")
        let message = reply["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains(bad.message), "message: \(message)")
        if let data = bad.data { #expect(reply["error"]?["data"] == data) }
        #expect(!session.errorCodes.contains(-32603))
    }

    @Test("-32700: the line is not JSON; id null", arguments: parseErrorCases)
    func parseError(_ bad: Case) async throws { try await check(bad) }

    @Test("-32600: JSON that is not a request", arguments: invalidRequestCases)
    func invalidRequest(_ bad: Case) async throws { try await check(bad) }

    @Test("-32601: unknown method", arguments: unknownMethodCases)
    func methodNotFound(_ bad: Case) async throws { try await check(bad) }

    @Test("-32602: malformed params or unknown tool", arguments: invalidParamsCases)
    func invalidParams(_ bad: Case) async throws { try await check(bad) }

    @Test("notifications and stray responses are never answered")
    func notificationsGetNoResponse() async throws {
        let database = try await TestDatabase.make("proto", products: [])
        defer { database.drop() }
        let session = try await SessionTranscript.run([
            .initialize,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5,"reason":"user"}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/whatever"}"#,
            #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"check_stock","arguments":{"product_id":"prod1"}}}"#,
            #"{"jsonrpc":"2.0","id":5,"result":{}}"#,
            #"{"jsonrpc":"2.0","id":6,"error":{"code":-1,"message":"client error"}}"#,
            "",
            "   ",
            .request(99, "ping"),
        ], arguments: database.serverArguments)
        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty)
        #expect(session.messages.map { $0["id"] } == [0, 99], "\(session.lines)")
    }

    @Test("a session of client mistakes gets one error per request and never -32603")
    func manyMistakesInOneSession() async throws {
        let database = try await TestDatabase.make("proto", products: [])
        defer { database.drop() }
        let cases = Self.parseErrorCases + Self.invalidRequestCases + Self.unknownMethodCases + Self.invalidParamsCases
        var input = Data((String.initialize + "\n").utf8)
        for bad in cases {
            input.append(contentsOf: bad.line)
            input.append(UInt8(ascii: "\n"))
        }
        input.append(contentsOf: Array((String.request(99, "ping") + "\n").utf8))
        let session = try await SessionTranscript.run(bytes: input, arguments: database.serverArguments)
        #expect(session.status == 0)
        #expect(session.protocolViolations.isEmpty)
        // Control messages are answered in order: the errors come back exactly in the order sent.
        let errors = session.messages.filter { $0["error"] != nil }
        #expect(errors.count == cases.count, "\(session.lines)")
        #expect(errors.map { $0["error"]?["code"]?.integerValue } == cases.map(\.code))
        #expect(errors.map { $0["id"] } == cases.map { Optional($0.id) })
        #expect(try session.response(99)["result"] == [:])
    }
}
