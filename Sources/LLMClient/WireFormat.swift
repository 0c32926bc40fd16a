import Foundation
import JSON

/// The OpenAI chat-completions wire format, with the `Compatibility` work-arounds applied in both
/// directions. Pure: no I/O, so every quirk is testable on its own.
public struct WireFormat: Sendable {
    public var model: String
    public var temperature: Double
    public var compatibility: Compatibility

    public init(model: String, temperature: Double = 0, compatibility: Compatibility = .openAI) {
        self.model = model
        self.temperature = temperature
        self.compatibility = compatibility
    }

    // MARK: Request

    public func body(for request: ChatRequest) -> JSONValue {
        var body: JSONObject = ["model": .string(model), "messages": .array(messages(request.messages))]
        body["temperature"] = temperature.rounded() == temperature ? .int(Int64(temperature)) : .double(temperature)
        if !compatibility.stop.isEmpty { body["stop"] = .array(compatibility.stop.map { .string($0) }) }
        if let maxTokens = compatibility.maxTokens { body["max_tokens"] = .int(Int64(maxTokens)) }
        var tools = request.tools
        var choice = request.toolChoice
        if compatibility.finalAnswerTool, !tools.isEmpty {
            tools.append(Self.finalAnswerTool)
            // "Answer now": the only way such a server can answer is through the tool. The tool
            // list stays the same so that the server can reuse the prompt it has already read.
            if choice == .none { choice = .function(Compatibility.finalAnswerToolName) }
        }
        if !tools.isEmpty {
            body["tools"] = .array(tools.map { tool in
                let shown = compatibility.toolCallSchema ? tool.promptParameters.map { Self.compact($0) } : nil
                return ["type": "function", "function": ["name": .string(tool.name), "description": .string(tool.description),
                                                         "parameters": shown ?? parameters(of: tool)]]
            })
            if compatibility.toolCallSchema, choice != .none {
                body["tool_choice"] = "auto"
                body["response_format"] = ["type": "json_schema",
                                           "json_schema": ["name": "tool_call", "schema": callSchema(tools, choice: choice,
                                                                                                     parallel: request.parallelToolCalls)]]
            } else {
                body["tool_choice"] = Self.encode(choice)
            }
            if compatibility.sendParallelToolCalls { body["parallel_tool_calls"] = .bool(request.parallelToolCalls) }
        }
        return .object(body)
    }

    /// With `toolCallSchema`: the replies `choice` allows, as a schema. One call is
    /// `{"name": <a tool>, "arguments": <its parameters>}`; with `parallel`, a list of them too,
    /// and `.required` asks for a list (a small model asked for one call or a list wrote one);
    /// `.required` never allows the final answer.
    /// (`.none` allows no call, so it is sent as it is, without a schema.)
    private func callSchema(_ tools: [ToolDefinition], choice: ToolChoice, parallel: Bool) -> JSONValue {
        if case .sequence(let steps) = choice {
            let calls = steps.map(callShape)
            // No `"items": false`: llama.cpp's server refuses a schema that is not an object there
            // (HTTP 400); the item counts close the list as well.
            return ["type": "array", "prefixItems": .array(calls),
                    "minItems": .int(Int64(calls.count)), "maxItems": .int(Int64(calls.count))]
        }
        let allowed = switch choice {
        case .function(let name): tools.filter { $0.name == name }
        case .required: tools.filter { $0.name != Compatibility.finalAnswerToolName }  // a call, not the answer
        case .auto, .none, .sequence: tools
        }
        let calls = allowed.map(callShape)
        let one: JSONValue = calls.count == 1 ? calls[0] : ["anyOf": .array(calls)]
        let list: JSONValue = ["type": "array", "items": one, "minItems": 1]
        switch choice {
        case .auto where parallel: return ["anyOf": [one, list]]
        case .required where parallel: return list  // a list of calls, a plan: one model call for several steps
        default: return one
        }
    }

    /// One call of `tool`: `{"name": <its name>, "arguments": <its parameters>}`.
    private func callShape(_ tool: ToolDefinition) -> JSONValue {
        ["type": "object",
         "properties": ["name": ["const": .string(tool.name)], "arguments": parameters(of: tool, integerBounds: true)],
         "required": ["name", "arguments"]]
    }

    /// The schema the model is shown, with the `Compatibility` options applied. `integerBounds`:
    /// for the grammar a reply is held to, integers keep their `minimum` and `maximum` (a small
    /// manager asked for `list_products` with `limit: 0`, which the schema check then refused).
    private func parameters(of tool: ToolDefinition, integerBounds: Bool = false) -> JSONValue {
        var schema = compatibility.compactSchemas
            ? Self.compact(tool.parameters, stringCap: compatibility.maxStringLength, integerBounds: integerBounds) : tool.parameters
        if compatibility.describeToolsInParameters, case .object(let object) = schema, !tool.description.isEmpty {
            // First, so that the model reads what the tool does before its arguments.
            var described: JSONObject = ["description": .string(tool.description)]
            for (key, value) in object where key != "description" { described[key] = value }
            schema = .object(described)
        }
        return schema
    }

    /// Validation keywords the host enforces itself, and annotations the model does not need
    /// (a small model copies `examples` into its calls). `maxLength` is handled on its own.
    static let validationKeywords: Set<String> = [
        "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minItems", "maxItems", "not", "format", "examples",
    ]

    /// The shape of `schema` without its validation keywords; strings keep a `maxLength` of at
    /// most `stringCap` (their own bound, if smaller).
    static func compact(_ schema: JSONValue, stringCap: Int? = nil, integerBounds: Bool = false) -> JSONValue {
        guard case .object(let object) = schema else { return schema }
        func inner(_ value: JSONValue) -> JSONValue { compact(value, stringCap: stringCap, integerBounds: integerBounds) }
        let keepsBounds = integerBounds && object["type"]?.stringValue == "integer"
        var out = JSONObject()
        for (key, value) in object where !validationKeywords.contains(key) || (keepsBounds && ["minimum", "maximum"].contains(key)) {
            switch key {
            case "properties":
                if case .object(let properties) = value {
                    var compacted = JSONObject()
                    for (name, property) in properties { compacted[name] = inner(property) }
                    out[key] = .object(compacted)
                } else {
                    out[key] = value
                }
            case "items", "additionalProperties": out[key] = inner(value)
            case "anyOf", "oneOf", "allOf": out[key] = value.arrayValue.map { .array($0.map(inner)) } ?? value
            default: out[key] = value
            }
        }
        if let stringCap, object["type"]?.stringValue == "string", object["enum"] == nil {
            let own = object["maxLength"]?.integerValue.map(Int.init) ?? stringCap
            out["maxLength"] = .int(Int64(min(own, stringCap)))
        }
        return .object(out)
    }

    static let finalAnswerTool = ToolDefinition(
        name: Compatibility.finalAnswerToolName,
        description: "Finish: give your final answer (a short summary of what was done and its results).",
        parameters: ["type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"]])

    private static func encode(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: "auto"
        case .none: "none"
        case .required, .sequence: "required"
        case .function(let name): ["type": "function", "function": ["name": .string(name)]]
        }
    }

    private func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        var out: [JSONValue] = []
        var pendingResults: [String] = []  // tool results to repeat as one user message
        func flushResults() {
            guard !pendingResults.isEmpty else { return }
            out.append(["role": "user", "content": .string(pendingResults.joined(separator: "\n"))])
            pendingResults.removeAll()
        }
        for message in messages {
            if case .tool = message {} else { flushResults() }
            switch message {
            case .system(let text):
                out.append(["role": "system", "content": .string(text)])
            case .user(let text):
                out.append(["role": "user", "content": .string(text)])
            case .assistant(let content, let toolCalls):
                // Never `content: null`: some servers fail on it, OpenAI accepts "".
                var object: JSONObject = ["role": "assistant", "content": .string(content)]
                if !toolCalls.isEmpty {
                    object["tool_calls"] = .array(toolCalls.map { call in
                        ["id": .string(call.id), "type": "function",
                         "function": ["name": .string(call.name), "arguments": .string(echoed(call.arguments))]]
                    })
                }
                out.append(.object(object))
            case .tool(let callID, let name, let content):
                if compatibility.toolResultsAsUserMessages {
                    pendingResults.append("Result of \(name): \(content)")
                } else {
                    out.append(["role": "tool", "tool_call_id": .string(callID), "content": .string(content)])
                }
            }
        }
        flushResults()
        return out
    }

    /// With `finalAnswerTool`: the tool to force when the model chose neither a tool call nor
    /// (because the server's grammar allows none) text. An empty reply means it wanted to answer:
    /// `final_answer` (unless the request says an empty reply will do); a bare `functions.<name>:`
    /// means it wanted that tool.
    public func followUpChoice(for request: ChatRequest, after response: ChatResponse) -> ToolChoice? {
        guard compatibility.finalAnswerTool, request.toolChoice == .auto, !request.tools.isEmpty,
              response.toolCalls.isEmpty else { return nil }
        let text = response.content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return request.answerRequired ? .function(Compatibility.finalAnswerToolName) : nil }
        if text.hasPrefix("functions."), text.hasSuffix(":") {
            let name = String(text.dropFirst("functions.".count).dropLast())
            if name == Compatibility.finalAnswerToolName || request.tools.contains(where: { $0.name == name }) {
                return .function(name)
            }
        }
        return nil
    }

    /// An earlier call's arguments as the model will read them again.
    private func echoed(_ arguments: String) -> String {
        guard compatibility.plainTextData, let value = try? JSONParser.parse(arguments) else { return arguments }
        return PlainText.render(value)
    }

    // MARK: Response

    /// Reads a chat-completions response body. `offered` are the tool names of the request, for
    /// recovering tool calls written as text.
    public func response(from body: [UInt8], offered: [String]) throws(LLMError) -> ChatResponse {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw .invalidResponse("not JSON (\(error)): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        guard let choice = value["choices"]?.arrayValue?.first, let message = choice["message"]?.objectValue else {
            let detail = value["error"]?["message"]?.stringValue ?? String(decoding: body.prefix(200), as: UTF8.self)
            throw .invalidResponse("no choices[0].message: \(detail)")
        }
        var content = Self.text(of: message["content"])
        var calls: [ToolCall] = []
        for (offset, raw) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let function = raw["function"], let name = function["name"]?.stringValue else { continue }
            let arguments: String = switch function["arguments"] {
            case .string(let text)?: text
            case nil, .null?: "{}"
            case let other?: JSONWriter.string(other)
            }
            let id = raw["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(offset + 1)"
            calls.append(ToolCall(id: id, name: name, arguments: arguments))
        }
        // A legacy `function_call` field is ignored on purpose: we never offer `functions`.
        var fromText = false
        var offeredNames = Set(offered)
        if compatibility.finalAnswerTool { offeredNames.insert(Compatibility.finalAnswerToolName) }
        if calls.isEmpty, !content.isEmpty, !offeredNames.isEmpty {
            calls = TextToolCalls.parse(content, offered: offeredNames)
            if !calls.isEmpty {
                fromText = true
                content = ""
            }
        }
        if compatibility.finalAnswerTool, let final = calls.first(where: { $0.name == Compatibility.finalAnswerToolName }) {
            if calls.count == 1 {
                content = Self.answer(from: final.arguments)
                calls = []
            } else {
                calls.removeAll { $0.name == Compatibility.finalAnswerToolName }
            }
        }
        var usage: TokenUsage?
        if let reported = value["usage"]?.objectValue {
            usage = TokenUsage(prompt: Int(reported["prompt_tokens"]?.integerValue ?? 0),
                               completion: Int(reported["completion_tokens"]?.integerValue ?? 0))
        }
        return ChatResponse(content: content, toolCalls: calls, finishReason: choice["finish_reason"]?.stringValue,
                            usage: usage, toolCallsFromText: fromText)
    }

    /// `content` as text: a string, null, or a list of `{type: "text", text}` parts.
    private static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?: return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return ""
        }
    }

    private static func answer(from arguments: String) -> String {
        guard let value = try? JSONParser.parse(arguments) else {
            // Cut off (a stop sequence, a token limit): the text written so far.
            let text = arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            if let start = text.range(of: #"{"answer": ""#) ?? text.range(of: #"{"answer":""#), start.lowerBound == text.startIndex {
                return String(text[start.upperBound...])
            }
            return arguments
        }
        if let answer = value["answer"]?.stringValue { return answer }
        if let object = value.objectValue, object.count == 1, let only = object.entries.first?.value.stringValue { return only }
        return arguments
    }
}
