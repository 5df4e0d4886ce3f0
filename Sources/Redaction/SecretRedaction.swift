/// Removes secrets from text before it is stored or printed (pure). What reaches `backup_audit`
/// can never be purged, and organization-scoped auditors read it through the API, so every form
/// a secret takes in a command line or an error message is covered:
///
/// - URLs with a password: `postgresql://app:PW@db` → `postgresql://app:<redacted>@db`;
/// - assignments to a sensitive name, in any spelling: `PGPASSWORD=PW`, `password=PW` (libpq
///   keywords, URL query), `--repo1-cipher-pass=PW`, `"password": "PW"`, `secret: PW`;
/// - a sensitive option followed by its value: `--repo1-s3-key PW`;
/// - bearer credentials and our own tokens: `Bearer X`, `imfc_…`;
/// - `--annotation` values other than our `audit_event_id` (free text chosen by an operator).
///
/// A name is sensitive (case-insensitive) when it contains `password`, `passwd`, `passphrase`,
/// `secret`, `token`, `credential`, `apikey` or `authorization` anywhere (`PGPASSWORD`,
/// `AWS_SECRET_ACCESS_KEY`), or has `pass`, `pwd`, `key`, `keys` or `auth` as one of its parts
/// between `-`, `_` and `.` (`--repo1-cipher-pass`, `--repo1-s3-key`) — so `passed` or `keyboard`
/// are not. Redaction is idempotent, and errs toward removing too much: a harmless value under
/// such a name is lost from the record, a secret never leaks into it.
public enum SecretRedaction {
    public static let marker = "<redacted>"
    static let sensitiveAnywhere = ["password", "passwd", "passphrase", "secret", "token", "credential", "apikey", "authorization"]
    static let sensitiveParts: Set<String> = ["pass", "pwd", "key", "keys", "auth"]

    /// A command line, argument by argument: each argument as text, and the argument after a
    /// sensitive `--option` given without `=`.
    public static func arguments(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var redactNext = false
        var annotationNext = false
        for argument in arguments {
            if redactNext {
                out.append(marker)
                redactNext = false
                continue
            }
            if annotationNext {
                out.append(annotation(argument))
                annotationNext = false
                continue
            }
            if argument.hasPrefix("--annotation") {
                if let eq = argument.firstIndex(of: "=") {
                    out.append(String(argument[...eq]) + annotation(String(argument[argument.index(after: eq)...])))
                } else {
                    out.append(argument)
                    annotationNext = true
                }
                continue
            }
            if argument.hasPrefix("--"), !argument.contains("="), isSensitive(argument.dropFirst(2)) {
                out.append(argument)
                redactNext = true
                continue
            }
            out.append(text(argument))
        }
        return out
    }

    /// `key=value` of a pgBackRest annotation: our `audit_event_id` stays, any other value is
    /// an operator's free text and is removed.
    static func annotation(_ pair: String) -> String {
        guard let eq = pair.firstIndex(of: "=") else { return text(pair) }
        let key = pair[..<eq]
        if key == "audit_event_id" { return pair }
        return String(key) + "=" + marker
    }

    /// Free text (an error line, a shell command string, a message): every form above.
    public static func text(_ input: String) -> String {
        var b = Array(input.utf8)
        b = redactURLPasswords(b)
        b = redactAssignments(b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Whether an option or variable name is sensitive.
    public static func isSensitive(_ name: some StringProtocol) -> Bool {
        let lower = name.lowercased()
        if sensitiveAnywhere.contains(where: { lower.contains($0) }) { return true }
        return lower.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).contains { sensitiveParts.contains(String($0)) }
    }

    // MARK: scanning (bytes; every delimiter is ASCII, so UTF-8 sequences are never split)

    static let markerBytes = Array(marker.utf8)

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// Where an unquoted value ends.
    static func endsValue(_ c: UInt8) -> Bool {
        isSpace(c) || c == UInt8(ascii: "&") || c == UInt8(ascii: ";") || c == UInt8(ascii: ",") || c == UInt8(ascii: "\"")
            || c == UInt8(ascii: "'") || c == UInt8(ascii: ")") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")
    }

    /// `scheme://user:PASSWORD@host`: the password up to the authority's last `@`.
    static func redactURLPasswords(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            guard i + 2 < b.count, b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") else {
                out.append(b[i])
                i += 1
                continue
            }
            out += [b[i], b[i + 1], b[i + 2]]
            i += 3
            var end = i
            while end < b.count, !isSpace(b[end]), b[end] != UInt8(ascii: "/"), b[end] != UInt8(ascii: "?"), b[end] != UInt8(ascii: "#"),
                  b[end] != UInt8(ascii: "'"), b[end] != UInt8(ascii: "\"") { end += 1 }
            let authority = b[i..<end]
            if let at = authority.lastIndex(of: UInt8(ascii: "@")), let colon = authority[..<at].firstIndex(of: UInt8(ascii: ":")),
               colon + 1 < at {
                out += b[i...colon]
                out += markerBytes
                out += b[at..<end]
            } else {
                out += authority
            }
            i = end
        }
        return out
    }

    /// `name=value`, `name: value`, `"name": "value"`, `--name value`, `Bearer value`, `imfc_…`.
    static func redactAssignments(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            guard isNameByte(b[i]), i == 0 || !isNameByte(b[i - 1]) else {
                out.append(b[i])
                i += 1
                continue
            }
            var end = i
            while end < b.count, isNameByte(b[end]) { end += 1 }
            let name = String(decoding: b[i..<end], as: UTF8.self)
            out += b[i..<end]
            i = end
            if name.hasPrefix("imfc_") && name.utf8.count > 10 {
                out.removeLast(name.utf8.count)
                out += Array("imfc_".utf8) + markerBytes
                continue
            }
            let bearer = name.lowercased() == "bearer"
            guard bearer || isSensitive(name) else { continue }
            // The separator: `=`, or `:` (not `://`), maybe after a closing quote and spaces; or,
            // for an option or `Bearer`, spaces alone.
            var j = i
            if j < b.count, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") { j += 1 }
            while j < b.count, b[j] == 0x20 { j += 1 }
            var separated = false
            if j < b.count, b[j] == UInt8(ascii: "=") {
                separated = true
                j += 1
            } else if j < b.count, b[j] == UInt8(ascii: ":"), !(j + 1 < b.count && b[j + 1] == UInt8(ascii: "/")) {
                separated = true
                j += 1
            } else if (bearer || name.hasPrefix("--")) && j > i && j < b.count && b[j] != UInt8(ascii: "-") {
                separated = true
            }
            guard separated else { continue }
            while j < b.count, b[j] == 0x20 { j += 1 }
            guard j < b.count else { continue }
            // The value: up to its closing quote, or to a delimiter.
            var valueStart = j
            var valueEnd = j
            if b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") {
                let quote = b[j]
                valueStart = j + 1
                valueEnd = valueStart
                while valueEnd < b.count, b[valueEnd] != quote { valueEnd += 1 }
            } else {
                while valueEnd < b.count, !endsValue(b[valueEnd]) { valueEnd += 1 }
                // `Authorization: Bearer X`: the scheme and its credential both go.
                let word = String(decoding: b[valueStart..<valueEnd], as: UTF8.self).lowercased()
                if word == "bearer" || word == "basic" {
                    var k = valueEnd
                    while k < b.count, b[k] == 0x20 { k += 1 }
                    if k < b.count, !endsValue(b[k]) {
                        valueEnd = k
                        while valueEnd < b.count, !endsValue(b[valueEnd]) { valueEnd += 1 }
                    }
                }
            }
            guard valueEnd > valueStart else { continue }
            // Already redacted (idempotence; also a URL password redacted above).
            if b[valueStart...].starts(with: markerBytes) { continue }
            out += b[i..<valueStart]
            out += markerBytes
            i = valueEnd
        }
        return out
    }
}
