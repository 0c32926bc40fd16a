import JSON

/// Parses `text`, returning the parse error instead of throwing it.
func parseFailure(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONParseError? {
    parseFailure(Array(text.utf8), maxDepth: maxDepth)
}

func parseFailure(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// `depth` nested arrays around `1`, e.g. depth 2 is `[[1]]`.
func nestedArrays(_ depth: Int) -> String {
    String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
}

/// `depth` nested objects around `1`, e.g. depth 2 is `{"a":{"a":1}}`.
func nestedObjects(_ depth: Int) -> String {
    String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
}
