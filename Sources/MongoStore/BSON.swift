/// A BSON value: the subset of types this store writes, plus enough of the rest to read any
/// document a server returns (unknown types are kept as opaque bytes).
///
/// Documents are built and read in Swift and handed to libmongoc as bytes. Client input can only
/// enter a document as a typed scalar (`.string`, `.int64`), never as a sub-document, so it can
/// never be read as a query operator.
enum BSON: Sendable, Equatable {
    case double(Double)
    case string(String)
    case document(BSONDocument)
    case array([BSON])
    case bool(Bool)
    case datetime(Int64)
    case null
    case int32(Int32)
    case int64(Int64)
    /// Any other type, with its type byte and raw value bytes.
    case other(type: UInt8, bytes: [UInt8])

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var documentValue: BSONDocument? { if case .document(let d) = self { d } else { nil } }
    var arrayValue: [BSON]? { if case .array(let a) = self { a } else { nil } }
    var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    var datetimeValue: Int64? { if case .datetime(let d) = self { d } else { nil } }

    /// Any numeric type as an integer (servers may answer counts as int32, int64 or double).
    var integerValue: Int64? {
        switch self {
        case .int32(let i): Int64(i)
        case .int64(let i): i
        case .double(let d) where d.isFinite && d.rounded() == d && abs(d) < 9e18: Int64(d)
        default: nil
        }
    }
}

struct BSONDocument: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    var fields: [(key: String, value: BSON)]

    init() { fields = [] }
    init(dictionaryLiteral elements: (String, BSON)...) { fields = elements.map { ($0.0, $0.1) } }

    subscript(key: String) -> BSON? {
        get { fields.first(where: { $0.key == key })?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    static func == (lhs: BSONDocument, rhs: BSONDocument) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension BSON: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int32) { self = .int32(value) }
    init(arrayLiteral elements: BSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, BSON)...) {
        self = .document(BSONDocument(fields: elements.map { ($0.0, $0.1) }))
    }
}

extension BSONDocument {
    init(fields: [(key: String, value: BSON)]) { self.fields = fields }
}

// MARK: - Encoding

extension BSONDocument {
    /// The document's BSON bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        encode(into: &out)
        return out
    }

    func encode(into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        for field in fields { field.value.encodeElement(key: field.key, into: &out) }
        out.append(0)
        BSONDocument.patchLength(at: start, in: &out)
    }

    static func patchLength(at start: Int, in out: inout [UInt8]) {
        let length = UInt32(out.count - start)
        withUnsafeBytes(of: length.littleEndian) { raw in
            for offset in 0..<4 { out[start + offset] = raw[offset] }
        }
    }
}

extension BSON {
    var typeByte: UInt8 {
        switch self {
        case .double: 0x01
        case .string: 0x02
        case .document: 0x03
        case .array: 0x04
        case .bool: 0x08
        case .datetime: 0x09
        case .null: 0x0A
        case .int32: 0x10
        case .int64: 0x12
        case .other(let type, _): type
        }
    }

    func encodeElement(key: String, into out: inout [UInt8]) {
        out.append(typeByte)
        // Keys are the store's own constants; a NUL would end the key early, so drop any.
        out.append(contentsOf: key.utf8.filter { $0 != 0 })
        out.append(0)
        switch self {
        case .double(let d): appendLE(d.bitPattern, into: &out)
        case .string(let s):
            let utf8 = Array(s.utf8)
            appendLE(UInt32(utf8.count + 1), into: &out)
            out.append(contentsOf: utf8)
            out.append(0)
        case .document(let d): d.encode(into: &out)
        case .array(let items):
            BSONDocument(fields: items.enumerated().map { (String($0.offset), $0.element) }).encode(into: &out)
        case .bool(let b): out.append(b ? 1 : 0)
        case .datetime(let ms): appendLE(UInt64(bitPattern: ms), into: &out)
        case .null: break
        case .int32(let i): appendLE(UInt32(bitPattern: i), into: &out)
        case .int64(let i): appendLE(UInt64(bitPattern: i), into: &out)
        case .other(_, let bytes): out.append(contentsOf: bytes)
        }
    }
}

private func appendLE<T: FixedWidthInteger>(_ value: T, into out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

// MARK: - Decoding

struct BSONDecodingError: Error, CustomStringConvertible {
    let description: String
}

extension BSONDocument {
    /// Reads a document from raw BSON bytes (as returned by `bson_get_data`).
    init(bytes: UnsafeRawBufferPointer) throws(BSONDecodingError) {
        var reader = BSONReader(bytes: bytes, offset: 0)
        self = try reader.readDocument()
    }
}

private struct BSONReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    mutating func need(_ count: Int) throws(BSONDecodingError) {
        guard count >= 0, offset + count <= bytes.count else { throw BSONDecodingError(description: "truncated BSON") }
    }

    mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws(BSONDecodingError) -> T {
        try need(MemoryLayout<T>.size)
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size]))
        }
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readCString() throws(BSONDecodingError) -> String {
        var end = offset
        while end < bytes.count, bytes[end] != 0 { end += 1 }
        guard end < bytes.count else { throw BSONDecodingError(description: "unterminated key") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        offset = end + 1
        return text
    }

    mutating func readDocument() throws(BSONDecodingError) -> BSONDocument {
        let start = offset
        let length = Int(try readLE(Int32.self))
        guard length >= 5, start + length <= bytes.count else { throw BSONDecodingError(description: "bad document length") }
        let end = start + length - 1
        var fields: [(key: String, value: BSON)] = []
        while offset < end {
            let type = bytes[offset]
            offset += 1
            let key = try readCString()
            fields.append((key, try readValue(type: type)))
        }
        guard offset == end, bytes[end] == 0 else { throw BSONDecodingError(description: "bad document terminator") }
        offset = end + 1
        return BSONDocument(fields: fields)
    }

    mutating func readRaw(_ count: Int) throws(BSONDecodingError) -> [UInt8] {
        try need(count)
        let raw = Array(bytes[offset..<offset + count])
        offset += count
        return raw
    }

    mutating func readValue(type: UInt8) throws(BSONDecodingError) -> BSON {
        switch type {
        case 0x01: return .double(Double(bitPattern: try readLE(UInt64.self)))
        case 0x02:
            let length = Int(try readLE(Int32.self))
            try need(length)
            guard length >= 1 else { throw BSONDecodingError(description: "bad string length") }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length - 1]), as: UTF8.self)
            offset += length
            return .string(text)
        case 0x03: return .document(try readDocument())
        case 0x04: return .array(try readDocument().fields.map(\.value))
        case 0x08:
            try need(1)
            defer { offset += 1 }
            return .bool(bytes[offset] != 0)
        case 0x09: return .datetime(try readLE(Int64.self))
        case 0x0A, 0x06, 0x7F, 0xFF: return type == 0x0A ? .null : .other(type: type, bytes: [])
        case 0x10: return .int32(try readLE(Int32.self))
        case 0x12: return .int64(try readLE(Int64.self))
        case 0x07: return .other(type: type, bytes: try readRaw(12))
        case 0x11: return .other(type: type, bytes: try readRaw(8))
        case 0x13: return .other(type: type, bytes: try readRaw(16))
        case 0x05:
            let start = offset
            let length = Int(try readLE(Int32.self))
            offset = start
            return .other(type: type, bytes: try readRaw(4 + 1 + length))
        case 0x0D, 0x0E:
            let start = offset
            let length = Int(try readLE(Int32.self))
            offset = start
            return .other(type: type, bytes: try readRaw(4 + length))
        case 0x0F:
            let start = offset
            let length = Int(try readLE(Int32.self))
            offset = start
            return .other(type: type, bytes: try readRaw(length))
        case 0x0B:
            let start = offset
            _ = try readCString()
            _ = try readCString()
            let end = offset
            offset = start
            return .other(type: type, bytes: try readRaw(end - start))
        case 0x0C:
            let start = offset
            let length = Int(try readLE(Int32.self))
            offset = start
            return .other(type: type, bytes: try readRaw(4 + length + 12))
        default:
            throw BSONDecodingError(description: "unsupported BSON type 0x\(String(type, radix: 16))")
        }
    }
}
