//! Spec text made safe for rustdoc: Markdown still renders, nothing becomes a link, tag or test.
//!
//! Descriptions in a spec are Markdown written for a web page, not for rustdoc. Left as they
//! are, `[I]` is read as an intra-doc link, `<id>` as an unclosed HTML tag, a bare URL draws a
//! lint, and an indented or unlabelled code block becomes a Rust doctest that fails to compile.
//! [`escape`] parses the text with pulldown-cmark (the parser rustdoc uses, with rustdoc's
//! options) and rewrites only those places in the source, so emphasis, lists, code spans,
//! tables and real links stay as the spec's author wrote them.

use std::ops::Range;

use proc_macro2::TokenStream;
use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};
use quote::quote;

/// How many rewrite passes at most. One pass settles almost every text; a second one handles
/// text that only becomes Markdown once the first unwrapped it (an escaped HTML block that
/// holds `[x]`). The bound keeps a pathological text from looping.
const MAX_PASSES: usize = 4;

/// `#[doc = ...]` lines for text that comes from the spec, escaped with [`escape`].
pub fn spec_doc_attrs(text: &str) -> TokenStream {
    generator_doc_attrs(&escape(text))
}

/// `#[doc = ...]` lines for text the generator wrote itself (it may hold intra-doc links).
///
/// A text of several lines becomes one attribute whose lines are joined by
/// [`DOC_LINE_BREAK`]; [`expand_doc_lines`] splits it into `///` lines again after
/// formatting. The file then reads exactly as with one attribute per line, but syn parses
/// and prettyplease prints one attribute instead of one per line: docs were a fifth of
/// generation's time. Code that does not go through [`super::format_file`] must not use this.
pub fn generator_doc_attrs(text: &str) -> TokenStream {
    let lines: Vec<String> = text.lines().map(|line| format!(" {}", line.trim_end())).collect();
    if lines.len() < 2 || text.contains(DOC_LINE_BREAK) {
        let lines = lines.iter();
        return quote! { #(#[doc = #lines])* };
    }
    let joined: String = lines
        .iter()
        .flat_map(|line| [DOC_LINE_BREAK.encode_utf8(&mut [0; 4]).to_owned(), line.clone()])
        .collect();
    quote! { #[doc = #joined] }
}

/// What joins the lines of one doc attribute (see [`generator_doc_attrs`]): a control
/// character that no doc text the generator writes holds (a text that does is emitted line by line).
pub const DOC_LINE_BREAK: char = '\u{1}';

/// `text` (prettyplease's output) with every joined doc attribute, printed as one
/// `///\u{1} a\u{1} b` line, split into the `/// a`, `/// b` lines it stands for, each
/// trimmed at the end as prettyplease trims a doc line.
pub fn expand_doc_lines(text: &str) -> String {
    let marker = format!("///{DOC_LINE_BREAK}");
    if !text.contains(&marker) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let Some(at) = line.find(&marker) else {
            out.push_str(line);
            continue;
        };
        let (indent, joined) = line.split_at(at);
        let joined = joined[marker.len()..].trim_end_matches('\n');
        for part in joined.split(DOC_LINE_BREAK) {
            out.push_str(indent);
            out.push_str("///");
            out.push_str(part.trim_end_matches(' '));
            out.push('\n');
        }
    }
    out
}

/// Spec Markdown rewritten so that rustdoc renders it without warnings or doctests.
///
/// - `[` and `]` in text are escaped (`\[`), so they are never links; links written as
///   Markdown links to URLs stay links, but one whose target is no URL (rustdoc would try it
///   as a Rust path) is shown as plain text;
/// - HTML (inline and block) is shown as text (`&lt;`), never read as a tag;
/// - a bare `http(s)://` URL becomes an autolink (`<https://...>`);
/// - a code block without a language (or marked as Rust) is marked `text`, and an indented
///   code block becomes a fenced `text` block, so no spec snippet is compiled as a doctest.
pub fn escape(text: &str) -> String {
    let mut current = text.to_owned();
    for _ in 0..MAX_PASSES {
        let edits = edits(&current);
        if edits.is_empty() {
            break;
        }
        current = apply(&current, edits);
    }
    current
}

/// `text` (a wire name, enum value or URL from the spec) as a Markdown code span, whatever
/// it holds: the span's backtick run is longer than any inside (an enum value "```" in a
/// plain `` `…` `` span read as an empty Rust code block, a rustdoc error), padded with a space
/// when the text starts or ends with a backtick, and line breaks become spaces (a value with
/// a line break and a fence would otherwise open a code block, i.e. a doctest). Plain text
/// gives the plain `` `text` ``.
pub fn code_span(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// One replacement in the source text.
struct Edit {
    range: Range<usize>,
    with: String,
}

/// rustdoc's Markdown options, so the text is read here as rustdoc will read it.
fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// The rewrites one pass makes, in source order, never overlapping.
fn edits(text: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    // Inside a link or image, text is the link's label and already rendered as intended.
    let mut link_depth = 0usize;
    // An indented code block being collected: (its range, its lines).
    let mut indented: Option<(Range<usize>, String)> = None;
    let mut in_code_block = false;
    // A run of adjacent text events (pulldown-cmark splits text at special characters).
    let mut run: Option<Range<usize>> = None;
    for (event, range) in Parser::new_ext(text, rustdoc_options()).into_offset_iter() {
        if let Event::Text(_) = &event {
            if in_code_block || link_depth > 0 {
                if let (Event::Text(content), Some((_, lines))) = (&event, indented.as_mut()) {
                    lines.push_str(content);
                }
                continue;
            }
            run = match run.take() {
                Some(open) if open.end == range.start => Some(open.start..range.end),
                Some(open) => {
                    text_edits(text, open, &mut edits);
                    Some(range)
                }
                None => Some(range),
            };
            continue;
        }
        if let Some(open) = run.take() {
            text_edits(text, open, &mut edits);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                match kind {
                    CodeBlockKind::Indented => indented = Some((range, String::new())),
                    CodeBlockKind::Fenced(info) => {
                        if is_rust_info(&info) {
                            if let Some(edit) = fence_info_edit(text, range.start) {
                                edits.push(edit);
                            }
                        }
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                if let Some((block, lines)) = indented.take() {
                    edits.push(fence_indented(text, block, &lines));
                }
            }
            Event::Start(Tag::Link {
                link_type, dest_url, ..
            }) => {
                link_depth += 1;
                if link_type == LinkType::Inline && !is_url_like(&dest_url) {
                    edits.extend(unlink_inline(text, range));
                }
            }
            Event::Start(Tag::Image { .. }) => link_depth += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => link_depth = link_depth.saturating_sub(1),
            Event::Html(_) | Event::InlineHtml(_) => html_edits(text, range, &mut edits),
            _ => {}
        }
    }
    if let Some(open) = run.take() {
        text_edits(text, open, &mut edits);
    }
    edits.sort_by_key(|edit| edit.range.start);
    edits
}

/// Applies non-overlapping edits sorted by start.
fn apply(text: &str, edits: Vec<Edit>) -> String {
    let mut out = String::with_capacity(text.len() + edits.len() * 4);
    let mut at = 0;
    for edit in edits {
        // Overlapping edits cannot come out of one parse; skipping one keeps the text intact.
        if edit.range.start < at {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.with);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Bare URLs become autolinks; brackets outside them are escaped.
fn text_edits(text: &str, run: Range<usize>, edits: &mut Vec<Edit>) {
    let slice = &text[run.clone()];
    let urls = bare_urls(slice);
    let mut url_iter = urls.iter().peekable();
    for (offset, ch) in slice.char_indices() {
        while url_iter.peek().is_some_and(|url| url.end <= offset) {
            url_iter.next();
        }
        if url_iter.peek().is_some_and(|url| url.start <= offset) {
            continue;
        }
        if ch != '[' && ch != ']' {
            continue;
        }
        let at = run.start + offset;
        if text[..at].ends_with('\\') {
            continue;
        }
        edits.push(Edit {
            range: at..at + 1,
            with: format!("\\{ch}"),
        });
    }
    for url in urls {
        let start = run.start + url.start;
        let end = run.start + url.end;
        edits.push(Edit {
            range: start..end,
            with: format!("<{}>", &text[start..end]),
        });
    }
}

/// The byte ranges of bare `http://` and `https://` URLs in `text`, without the trailing
/// punctuation a sentence puts after them (GitHub's autolink rule).
fn bare_urls(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = find_scheme(&text[from..]) {
        let start = from + found;
        let preceded_by_word = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '<' || c == '/');
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(text.len() - start);
        let mut end = start + len;
        loop {
            let url = &text[start..end];
            let Some(last) = url.chars().next_back() else { break };
            let unbalanced_paren = last == ')' && url.matches(')').count() > url.matches('(').count();
            if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~') || unbalanced_paren {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let has_host = text[start..end]
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty());
        if !preceded_by_word && has_host {
            out.push(start..end);
        }
        from = end.max(start + 1);
    }
    out
}

/// Where the next `http://` or `https://` starts.
fn find_scheme(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// HTML shown as text: every `<` becomes `&lt;`.
fn html_edits(text: &str, range: Range<usize>, edits: &mut Vec<Edit>) {
    for (offset, ch) in text[range.clone()].char_indices() {
        if ch == '<' {
            let at = range.start + offset;
            edits.push(Edit {
                range: at..at + 1,
                with: "&lt;".to_owned(),
            });
        }
    }
}

/// Whether rustdoc would compile a fenced block with this info string as Rust.
fn is_rust_info(info: &str) -> bool {
    const RUST_ATTRIBUTES: &[&str] = &[
        "rust",
        "ignore",
        "should_panic",
        "no_run",
        "compile_fail",
        "test_harness",
        "standalone_crate",
    ];
    info.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|token| !token.is_empty())
        .all(|token| RUST_ATTRIBUTES.contains(&token) || token.starts_with("edition"))
}

/// Replaces a fence's info string (on the block's first line) with `text`.
fn fence_info_edit(text: &str, block_start: usize) -> Option<Edit> {
    let line_end = text[block_start..].find('\n').map_or(text.len(), |n| block_start + n);
    let line = &text[block_start..line_end];
    let fence_at = line.find(['`', '~'])?;
    let fence_char = line[fence_at..].chars().next()?;
    let fence_len = line[fence_at..].len() - line[fence_at..].trim_start_matches(fence_char).len();
    let info_start = block_start + fence_at + fence_len;
    Some(Edit {
        range: info_start..line_end,
        with: "text".to_owned(),
    })
}

/// An indented code block as a fenced `text` block with the same content.
fn fence_indented(text: &str, block: Range<usize>, content: &str) -> Edit {
    let line_start = text[..block.start].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..block.start];
    // The block's own four columns of indentation are replaced by the fence; anything before
    // them (a list item's indentation) stays, so the block stays inside its list item.
    let outer = if before.trim().is_empty() {
        before.chars().count().saturating_sub(4)
    } else {
        0
    };
    let start = if before.trim().is_empty() {
        line_start
    } else {
        block.start
    };
    let indent = " ".repeat(outer);
    let mut with = format!("{indent}```text\n");
    for line in content.lines() {
        if line.is_empty() {
            with.push('\n');
        } else {
            with.push_str(&format!("{indent}{line}\n"));
        }
    }
    with.push_str(&format!("{indent}```"));
    let trailing_newline = text[..block.end].ends_with('\n');
    if trailing_newline {
        with.push('\n');
    }
    Edit {
        range: start..block.end,
        with,
    }
}

/// Whether a link target is something a browser opens (not a Rust path rustdoc would try).
fn is_url_like(dest: &str) -> bool {
    dest.contains(':') || dest.starts_with('#') || dest.starts_with('/') || dest.starts_with('.')
}

/// `[label](Target)` shown as text: its `[` and the `]` before `(` escaped.
fn unlink_inline(text: &str, range: Range<usize>) -> Vec<Edit> {
    let source = &text[range.clone()];
    let Some(close) = source.rfind("](") else {
        return Vec::new();
    };
    if !source.starts_with('[') {
        return Vec::new();
    }
    vec![
        Edit {
            range: range.start..range.start + 1,
            with: "\\[".to_owned(),
        },
        Edit {
            range: range.start + close..range.start + close + 1,
            with: "\\]".to_owned(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::{code_span, escape, rustdoc_options};
    use pulldown_cmark::{Event, Parser};

    /// The file as it reads with one `#[doc]` attribute per line, the layout the joined
    /// attributes must reproduce.
    fn one_attribute_per_line(text: &str) -> String {
        let lines = text.lines().map(|line| format!(" {}", line.trim_end()));
        let tokens = quote::quote! {
            impl X {
                #(#[doc = #lines])*
                pub fn f() {}
            }
        };
        prettyplease::unparse(&syn::parse2(tokens).expect("valid Rust"))
    }

    fn joined(text: &str) -> String {
        let attrs = super::generator_doc_attrs(text);
        let tokens = quote::quote! {
            impl X {
                #attrs
                pub fn f() {}
            }
        };
        super::expand_doc_lines(&prettyplease::unparse(&syn::parse2(tokens).expect("valid Rust")))
    }

    #[test]
    fn joined_doc_lines_print_as_one_attribute_per_line_would() {
        for text in [
            "One line.",
            "Two\nlines.",
            "A paragraph.\n\nAnother, after an empty line.\n",
            "Trailing spaces   \n  indented\n\t tab-indented\n\n\n",
            "# Examples\n```no_run\nlet x = \"quoted \\\\ text\";\n```",
            "/// looks like a doc comment\n// and a comment */ /*",
            "Holds the separator \u{1} itself\nso it goes line by line.",
            "",
        ] {
            assert_eq!(joined(text), one_attribute_per_line(text), "{text:?}");
        }
    }

    #[test]
    fn several_lines_are_one_attribute() {
        let attrs = super::generator_doc_attrs("a\nb\nc").to_string();
        assert_eq!(attrs.matches("doc").count(), 1, "{attrs}");
        assert!(!super::expand_doc_lines("/// a\n").contains('\u{1}'));
    }

    #[test]
    fn brackets_in_text_are_escaped() {
        assert_eq!(escape("Fact [I] and [C3]."), "Fact \\[I\\] and \\[C3\\].");
    }

    #[test]
    fn brackets_in_code_spans_stay() {
        assert_eq!(escape("Send `ids[]=1` here."), "Send `ids[]=1` here.");
    }

    #[test]
    fn already_escaped_brackets_stay() {
        assert_eq!(escape("a \\[b\\] c"), "a \\[b\\] c");
    }

    #[test]
    fn markdown_links_to_urls_stay() {
        let text = "See [the docs](https://example.com/x) and <https://example.com>.";
        assert_eq!(escape(text), text);
    }

    #[test]
    fn links_to_non_urls_become_text() {
        assert_eq!(escape("See [Customer](Customer)."), "See \\[Customer\\](Customer).");
    }

    #[test]
    fn bare_urls_become_autolinks_without_trailing_punctuation() {
        assert_eq!(
            escape("Timekit API v2 (https://api.timekit.io/v2)."),
            "Timekit API v2 (<https://api.timekit.io/v2>)."
        );
        assert_eq!(
            escape("from https://app.example.com/api-reference, then"),
            "from <https://app.example.com/api-reference>, then"
        );
    }

    #[test]
    fn urls_with_braces_and_brackets_are_kept_whole() {
        assert_eq!(
            escape("at https://api.example.com/v3/{locale}?a[]=1 now"),
            "at <https://api.example.com/v3/{locale}?a[]=1> now"
        );
    }

    #[test]
    fn balanced_parentheses_stay_in_the_url() {
        assert_eq!(
            escape("see https://en.wikipedia.org/wiki/Foo_(bar) now"),
            "see <https://en.wikipedia.org/wiki/Foo_(bar)> now"
        );
    }

    #[test]
    fn inline_html_is_shown_as_text() {
        assert_eq!(
            escape("ends with the new id (\"... id <id>\")."),
            "ends with the new id (\"... id &lt;id>\")."
        );
        assert_eq!(escape("a<br>b"), "a&lt;br>b");
    }

    #[test]
    fn html_blocks_are_shown_as_text_and_then_escaped() {
        assert_eq!(escape("<div>\nsee [I]\n</div>"), "&lt;div>\nsee \\[I\\]\n&lt;/div>");
    }

    #[test]
    fn emphasis_lists_and_code_spans_are_untouched() {
        let text = "Some *emphasis*, **strong** and `code`.\n\n- one\n- two `x`\n\n| a | b |\n|---|---|\n| 1 | 2 |";
        assert_eq!(escape(text), text);
    }

    #[test]
    fn unlabelled_and_rust_code_blocks_are_marked_text() {
        assert_eq!(
            escape("Example:\n\n```\nlet x = [1];\n```"),
            "Example:\n\n```text\nlet x = [1];\n```"
        );
        assert_eq!(escape("```rust,no_run\nx\n```"), "```text\nx\n```");
    }

    #[test]
    fn code_blocks_in_other_languages_stay() {
        let text = "```json\n{\"a\": [1]}\n```";
        assert_eq!(escape(text), text);
    }

    #[test]
    fn indented_code_blocks_become_fenced_text() {
        assert_eq!(
            escape("Body:\n\n    {\"a\": [1]}\n    next\n\nAfter [x]."),
            "Body:\n\n```text\n{\"a\": [1]}\nnext\n```\n\nAfter \\[x\\]."
        );
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        let text = "Fact [I] at https://x.example/a (see <b>) and\n\n    code\n";
        let once = escape(text);
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code_span("a-b"), "`a-b`");
        assert_eq!(code_span("```"), "```` ``` ````");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("x\n```\nfn f("), "````x ``` fn f(````");
        // Each reads, as rustdoc reads it, as one code span holding the text.
        for text in ["```", "a`b", "`x`", "x\n```\nfn f("] {
            let span = code_span(text);
            let events: Vec<Event<'_>> = Parser::new_ext(&span, rustdoc_options()).collect();
            let codes: Vec<String> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Code(code) => Some(code.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(codes, [text.replace('\n', " ")], "{span}");
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        let text = "Returns the customer with this id.";
        assert_eq!(escape(text), text);
    }
}
