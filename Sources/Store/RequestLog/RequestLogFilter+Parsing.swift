import Foundation
import GatewayFoundation

/// A filter expression that could not be read: the message names the token, the location its column (1-based).
public struct RequestLogFilterError: GatehouseError, Equatable {
    /// Always `invalid_filter`.
    public var errorCode: String { "invalid_filter" }
    /// What is wrong, quoting the token.
    public var message: String
    /// `column N` of the expression.
    public var location: String?
    public var description: String { formatted }

    init(_ message: String, column: Int) {
        self.message = message
        location = "column \(column)"
    }
}

extension RequestLogFilter {
    /// Reads an expression of the filter language (see ``RequestLogFilter``). An empty expression is ``all``.
    public init(parsing text: String) throws(RequestLogFilterError) {
        var parser = FilterParser(tokens: try FilterLexer.tokens(text), end: text.count + 1)
        self = try parser.expression()
        if let extra = parser.peek {
            throw RequestLogFilterError("unexpected '\(extra.text)'\(extra.text == ")" ? " (no '(' to close)" : "")", column: extra.column)
        }
    }
}

struct FilterToken: Equatable {
    enum Kind: Equatable { case word, open, close, not, or }
    var kind: Kind
    var text: String
    var column: Int
}

enum FilterLexer {
    static func tokens(_ text: String) throws(RequestLogFilterError) -> [FilterToken] {
        var out: [FilterToken] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c == "(" {
                out.append(FilterToken(kind: .open, text: "(", column: i + 1))
                i += 1
            } else if c == ")" {
                out.append(FilterToken(kind: .close, text: ")", column: i + 1))
                i += 1
            } else if c == "-", i + 1 < chars.count, !chars[i + 1].isWhitespace {
                out.append(FilterToken(kind: .not, text: "-", column: i + 1))
                i += 1
            } else {
                let start = i
                var word = ""
                var quoted = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "\"" {
                        quoted.toggle()
                        i += 1
                        continue
                    }
                    if !quoted, d.isWhitespace || d == "(" || d == ")" { break }
                    if quoted, d == "\\", i + 1 < chars.count {
                        word.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    word.append(d)
                    i += 1
                }
                if quoted { throw RequestLogFilterError("unclosed quote in '\(String(chars[start..<i]))'", column: start + 1) }
                out.append(FilterToken(kind: word == "OR" ? .or : .word, text: word, column: start + 1))
            }
        }
        return out
    }
}

struct FilterParser {
    var tokens: [FilterToken]
    var end: Int
    var index = 0

    var peek: FilterToken? { index < tokens.count ? tokens[index] : nil }

    mutating func expression() throws(RequestLogFilterError) -> RequestLogFilter {
        var alternatives = [try conjunction()]
        while peek?.kind == .or {
            let or = tokens[index]
            index += 1
            guard peek != nil, peek?.kind != .close, peek?.kind != .or else {
                throw RequestLogFilterError("'OR' needs a condition after it", column: or.column)
            }
            alternatives.append(try conjunction())
        }
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }

    mutating func conjunction() throws(RequestLogFilterError) -> RequestLogFilter {
        var terms: [RequestLogFilter] = []
        while let t = peek, t.kind != .or, t.kind != .close {
            terms.append(try unary())
        }
        if terms.isEmpty {
            if let t = peek, t.kind == .or { throw RequestLogFilterError("'OR' needs a condition before it", column: t.column) }
            return .all
        }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    mutating func unary() throws(RequestLogFilterError) -> RequestLogFilter {
        let t = tokens[index]
        index += 1
        switch t.kind {
        case .not:
            guard let next = peek, next.kind == .word || next.kind == .open || next.kind == .not else {
                throw RequestLogFilterError("'-' needs a condition right after it", column: t.column)
            }
            return .not(try unary())
        case .open:
            let inner = try expression()
            guard peek?.kind == .close else { throw RequestLogFilterError("'(' is not closed", column: t.column) }
            index += 1
            return inner
        case .word:
            return try FilterTerm.parse(t)
        case .close, .or:
            throw RequestLogFilterError("unexpected '\(t.text)'", column: t.column)
        }
    }
}
