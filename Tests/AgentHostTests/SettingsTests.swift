import TestSupport
import JSON
import LLMClient
import Testing

@Suite struct ProviderSettingsTests {
    func resolve(_ model: String?, base: String? = nil, keyEnv: String? = nil, _ env: [String: String] = [:]) throws -> LLMEndpoint {
        try LLMSettings(model: model, baseURLFlag: base, apiKeyVariable: keyEnv, environment: env).resolve()
    }

    @Test func providerPrefixesPickBaseURLAndKey() throws {
        let ollama = try resolve("ollama/qwen2.5-coder:1.5b")
        #expect(ollama.baseURL.absoluteString == "http://127.0.0.1:11434/v1")
        #expect(ollama.model == "qwen2.5-coder:1.5b")
        #expect(ollama.apiKey == nil)
        let deepseek = try resolve("deepseek/deepseek-chat", ["DEEPSEEK_API_KEY": "k1", "OPENAI_API_KEY": "k2"])
        #expect(deepseek.baseURL.absoluteString == "https://api.deepseek.com/v1")
        #expect(deepseek.apiKey == "k1")
        let router = try resolve("openrouter/meta-llama/llama-3.1-8b-instruct", ["OPENROUTER_API_KEY": "k"])
        #expect(router.model == "meta-llama/llama-3.1-8b-instruct")
        #expect(router.baseURL.absoluteString == "https://openrouter.ai/api/v1")
        let openai = try resolve("openai/gpt-4o-mini", ["OPENAI_API_KEY": "k"])
        #expect(openai.baseURL.absoluteString == "https://api.openai.com/v1" && openai.model == "gpt-4o-mini")
    }

    @Test func missingKeysNameTheVariable() {
        #expect(throws: LLMError.self) { try resolve("deepseek/deepseek-chat") }
        do { _ = try resolve(nil, ["LLM_MODEL": "gpt-4o"]) } catch { #expect("\(error)".contains("set OPENAI_API_KEY")) }
        do { _ = try resolve("gpt-4o", keyEnv: "MY_KEY") } catch { #expect("\(error)".contains("MY_KEY")) }
    }

    @Test func liteLLMProxyAndFlagsOverride() throws {
        let proxy = try resolve(nil, ["LLM_MODEL": "claude-3-haiku", "OPENAI_BASE_URL": "http://127.0.0.1:4000", "OPENAI_API_KEY": "sk-1234"])
        #expect(proxy.completionsURL.absoluteString == "http://127.0.0.1:4000/chat/completions")
        #expect(proxy.model == "claude-3-haiku" && proxy.apiKey == "sk-1234")
        // With an explicit base URL the name goes to it as is: LiteLLM's own provider/model names.
        let flag = try resolve("ollama/llama3.1", base: "http://10.1.2.3:4000/v1/")
        #expect(flag.completionsURL.absoluteString == "http://10.1.2.3:4000/v1/chat/completions")
        #expect(flag.model == "ollama/llama3.1")
        let viaProxy = try resolve(nil, ["LLM_MODEL": "deepseek/deepseek-chat", "OPENAI_BASE_URL": "http://127.0.0.1:4000"])
        #expect(viaProxy.baseURL.absoluteString == "http://127.0.0.1:4000" && viaProxy.model == "deepseek/deepseek-chat")
        #expect(viaProxy.keySetting == "OPENAI_API_KEY")
        let custom = try resolve("m", keyEnv: "MY_KEY", ["MY_KEY": "secret"])
        #expect(custom.apiKey == "secret" && custom.keySetting == "MY_KEY")
        // A local server with no model name needs no key and gets a placeholder name.
        let local = try resolve(nil, ["OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"])
        #expect(local.model == "default" && local.apiKey == nil)
        #expect(throws: LLMError.self) { try resolve("m", base: "ftp://x") }
    }
}

@Suite struct SchemaDocumentTests {
    let schema = SchemaDocument([
        "type": "object",
        "properties": [
            "items": ["type": "array", "minItems": 1, "maxItems": 2, "items": [
                "type": "object", "properties": ["product_id": ["type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"],
                                                  "quantity": ["type": "integer", "minimum": 1, "maximum": 100000]],
                "required": ["product_id", "quantity"], "additionalProperties": false,
            ]],
            "status": ["type": "string", "enum": ["pending", "in_transit"]],
            "note": ["type": "string", "minLength": 1, "maxLength": 5],
            "delta": ["type": "integer", "not": ["const": 0]],
        ],
        "required": ["items"],
        "additionalProperties": false,
    ])

    func check(_ value: JSONValue) -> String? { schema.validate(value).map(\.description) }

    @Test func validArgumentsPass() {
        #expect(check(["items": [["product_id": "prod1", "quantity": 2]], "status": "pending", "note": "hi", "delta": -3]) == nil)
        #expect(check(["items": [["product_id": "prod1", "quantity": 2.0]]]) == nil)  // 2.0 is an integer
    }

    @Test func eachKeywordIsChecked() {
        #expect(check("x") == "must be an object, got string 'x'")
        #expect(check([:]) == "items: is required but missing")
        #expect(check(["items": [], "x": 1]) == "x: unknown field 'x'; allowed fields: 'items', 'status', 'note', 'delta'")
        #expect(check(["items": []]) == "items: must have at least 1 item(s), got 0")
        let three: JSONValue = ["items": .array(Array(repeating: ["product_id": "p", "quantity": 1], count: 3))]
        #expect(check(three) == "items: must have at most 2 items, got 3")
        #expect(check(["items": [["product_id": "p", "quantity": 0]]]) == "items[0].quantity: must be from 1 to 100000, got 0")
        #expect(check(["items": [["product_id": "p", "quantity": 1.5]]]) == "items[0].quantity: must be an integer, got number 1.5")
        #expect(check(["items": [["product_id": ["$gt": ""], "quantity": 1]]])
            == #"items[0].product_id: must be a string, got object {"$gt":""}"#)
        #expect(check(["items": [["product_id": "a b", "quantity": 1]]])
            == "items[0].product_id: 'a b' does not match the pattern ^[A-Za-z0-9._:-]{1,64}$")
        #expect(check(["items": [["product_id": "p"]]]) == "items[0].quantity: is required but missing")
        #expect(check(["items": [["product_id": "p", "quantity": 1]], "status": "lost"])
            == "status: must be one of 'pending', 'in_transit', got string 'lost'")
        #expect(check(["items": [["product_id": "p", "quantity": 1]], "note": ""]) == "note: must not be empty")
        #expect(check(["items": [["product_id": "p", "quantity": 1]], "note": "toolong"])
            == "note: must be at most 5 characters long, got 7")
        #expect(check(["items": [["product_id": "p", "quantity": 1]], "delta": 0]) == "delta: must not be 0")
    }
}
