#include "view/text.hpp"

#include <vector>

namespace sabor::view {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_blank(std::string_view line) {
    for (char c : line) {
        if (!is_space(c)) return false;
    }
    return true;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (ascii_lower(s[i]) != prefix[i]) return false;
    }
    return true;
}

// Length of the http(s) URL starting at s[0], or 0 if there is none.
std::size_t url_length(std::string_view s) {
    std::size_t scheme = 0;
    if (starts_with_nocase(s, "http://")) {
        scheme = 7;
    } else if (starts_with_nocase(s, "https://")) {
        scheme = 8;
    } else {
        return 0;
    }
    std::size_t end = scheme;
    while (end < s.size() && !is_space(s[end]) && s[end] != '<' && s[end] != '>' && s[end] != '"') {
        ++end;
    }
    // Sentence punctuation right after a URL is almost never part of it.
    constexpr std::string_view k_trailing = ".,;:!?)";
    while (end > scheme && k_trailing.find(s[end - 1]) != std::string_view::npos) --end;
    return end > scheme ? end : 0;
}

void append_link(std::string& out, std::string_view url) {
    const std::string escaped = html_escape(url);
    out += "<a href=\"" + escaped + "\" rel=\"noopener nofollow\">" + escaped + "</a>";
}

// Escapes one line, turning URLs into links. A URL must not be glued to a
// preceding letter or digit ("xhttp://" is left as text).
std::string render_line(std::string_view line) {
    std::string out;
    std::size_t plain_start = 0;
    std::size_t i = 0;
    while (i < line.size()) {
        const bool boundary = i == 0 || !is_ascii_alnum(line[i - 1]);
        const std::size_t len = boundary ? url_length(line.substr(i)) : 0;
        if (len == 0) {
            ++i;
            continue;
        }
        out += html_escape(line.substr(plain_start, i - plain_start));
        append_link(out, line.substr(i, len));
        i += len;
        plain_start = i;
    }
    out += html_escape(line.substr(plain_start));
    return out;
}

// "\r\n" and lone "\r" both become "\n".
std::string normalise_newlines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r') {
            out += text[i];
        } else if (i + 1 >= text.size() || text[i + 1] != '\n') {
            out += '\n';
        }
    }
    return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            lines.push_back(text.substr(start));
            return lines;
        }
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
}

}  // namespace

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string render_description(std::string_view text) {
    const std::string normalised = normalise_newlines(text);
    std::string out;
    bool in_paragraph = false;
    // Whitespace-only lines count as blank, since they look blank to the
    // organiser who typed them.
    for (std::string_view line : split_lines(normalised)) {
        if (is_blank(line)) {
            if (in_paragraph) out += "</p>\n";
            in_paragraph = false;
            continue;
        }
        out += in_paragraph ? "<br>\n" : "<p>";
        in_paragraph = true;
        out += render_line(line);
    }
    if (in_paragraph) out += "</p>\n";
    if (!out.empty()) out.pop_back();  // no trailing newline after the last </p>
    return out;
}

}  // namespace sabor::view
