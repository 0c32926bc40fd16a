/// JSON written for a model to read rather than a parser: `{order_id: ord_1, items: [{product_id:
/// prod1, quantity: 2}]}`. No quotes, because some servers' prompt templates HTML-escape message
/// text, and a small model then reads (and copies) `&#34;` for every quote. `<` and `>` inside
/// strings become `‹` and `›`, so stored text cannot write a tag of its own.
public enum PlainText {
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .object(let object):
            out += "{"
            for (index, entry) in object.entries.enumerated() {
                if index > 0 { out += ", " }
                out += entry.key
                out += ": "
                write(entry.value, into: &out)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .string(let text):
            for character in text.unicodeScalars {
                switch character {
                case "<": out += "‹"
                case ">": out += "›"
                case "\n", "\r", "\t": out += " "
                default: out.unicodeScalars.append(character)
                }
            }
        default:
            out += JSONWriter.string(value)
        }
    }
}
