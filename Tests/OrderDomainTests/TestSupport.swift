import JSON
import OrderDomain
import Testing

/// Parses a JSON object literal written in a test.
func jsonObject(_ text: String) throws -> JSONObject {
    try #require(try JSONParser.parse(text).objectValue, "not a JSON object: \(text)")
}

/// A product id that the test knows to be valid.
func pid(_ text: String) throws -> ProductID {
    try #require(ProductID(text), "invalid product id in test: \(text)")
}

func oid(_ text: String) throws -> OrderID {
    try #require(OrderID(text), "invalid order id in test: \(text)")
}

/// Decodes `json` as the arguments of `C` and returns the `invalidArgument` it throws; records an
/// issue (and returns nil) when it succeeds or throws anything else.
func argumentError<C: Command>(_ type: C.Type, _ json: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> (field: String, problem: String)? {
    let arguments = try jsonObject(json)
    do {
        _ = try C(arguments: arguments)
        Issue.record("\(C.self) accepted \(json)", sourceLocation: sourceLocation)
        return nil
    } catch {
        guard case .invalidArgument(let field, let problem) = error else {
            Issue.record("\(C.self) threw \(error) instead of invalidArgument for \(json)", sourceLocation: sourceLocation)
            return nil
        }
        return (field, problem)
    }
}

/// Checks that `json` is refused with `field` as the culprit and a problem containing `problem`,
/// and that the resulting message names the field.
func expectArgumentError<C: Command>(_ type: C.Type, _ json: String, field: String, problem: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard let error = try argumentError(type, json, sourceLocation: sourceLocation) else { return }
    #expect(error.field == field, "field for \(json)", sourceLocation: sourceLocation)
    #expect(error.problem.contains(problem), "problem for \(json): \(error.problem)", sourceLocation: sourceLocation)
    let message = OrderError.invalidArgument(field: error.field, problem: error.problem).message
    #expect(message.hasPrefix("invalid arguments: \(field) "), sourceLocation: sourceLocation)
}

let identifierHint = "use 1-64 characters from A-Z a-z 0-9 . _ : -"
let id64 = String(repeating: "a", count: 64)
let id65 = String(repeating: "a", count: 65)
