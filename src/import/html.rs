//! Visible text of an HTML page (`.html`, `.htm`), parsed with `scraper` (html5ever, the
//! browser-grade parser of the Servo project), so broken markup is read as a browser would.
//!
//! Block elements (paragraphs, headings, list items, table rows, `div`s…) start new lines and
//! `<br>` breaks one; other whitespace collapses to single spaces, except inside `<pre>`. Tabs
//! separate table cells. Nothing from `<head>`, `<script>`, `<style>`, `<noscript>`,
//! `<template>` or comments is kept, and hidden inputs carry no text.

use scraper::{Html, Node};

/// Encoding reported for text taken from HTML.
pub(crate) const ENCODING_NAME: &str = "HTML";

/// Elements whose content is never shown.
const INVISIBLE: &[&str] = &[
    "head", "script", "style", "noscript", "template", "title", "meta", "link", "iframe", "object",
    "svg", "math", "select", "datalist",
];

/// Elements that start and end a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "body",
    "html",
    "center",
];

/// The visible text of `html`, one line per block.
pub(crate) fn visible_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = Writer::default();
    walk(doc.tree.root(), &mut out, false);
    out.finish()
}

/// Accumulates text: collapses spaces and keeps at most one pending line break between
/// blocks.
#[derive(Default)]
struct Writer {
    text: String,
    /// A space is owed before the next visible character.
    space: bool,
    /// A line break is owed before the next visible character.
    newline: bool,
}

impl Writer {
    fn push_text(&mut self, s: &str, pre: bool) {
        for ch in s.chars() {
            if pre {
                if ch == '\n' {
                    self.flush_break();
                    self.text.push('\n');
                } else {
                    self.put(ch);
                }
            } else if ch.is_whitespace() && ch != '\u{a0}' {
                self.space = true;
            } else {
                self.put(ch);
            }
        }
    }

    fn put(&mut self, ch: char) {
        self.flush_break();
        if self.space && !self.text.is_empty() && !self.text.ends_with(['\n', '\t']) {
            self.text.push(' ');
        }
        self.space = false;
        self.text.push(ch);
    }

    fn flush_break(&mut self) {
        if self.newline && !self.text.is_empty() {
            self.text.push('\n');
        }
        self.newline = false;
    }

    fn block(&mut self) {
        self.newline = true;
        self.space = false;
    }

    fn line_break(&mut self) {
        self.flush_break();
        self.text.push('\n');
        self.space = false;
    }

    fn tab(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') && !self.newline {
            self.text.push('\t');
        }
        self.space = false;
    }

    fn finish(mut self) -> String {
        let trimmed = self.text.trim_end().len();
        self.text.truncate(trimmed);
        self.text
    }
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut Writer, pre: bool) {
    match node.value() {
        Node::Text(t) => out.push_text(t, pre),
        Node::Element(e) => {
            let name = e.name();
            if INVISIBLE.contains(&name) || e.attr("hidden").is_some() {
                return;
            }
            match name {
                "br" => {
                    out.line_break();
                    return;
                }
                "img" => {
                    return;
                }
                "td" | "th" => out.tab(),
                _ => {}
            }
            let block = BLOCKS.contains(&name);
            if block {
                out.block();
            }
            let pre = pre || matches!(name, "pre" | "textarea");
            for child in node.children() {
                walk(child, out, pre);
            }
            if block {
                out.block();
            }
        }
        Node::Document | Node::Fragment => {
            for child in node.children() {
                walk(child, out, pre);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_without_scripts_or_styles() {
        let html = r#"<!DOCTYPE html><html><head><title>Interview 3</title>
            <style>p { color: red }</style><script>alert("no")</script></head>
            <body><h1>Interview   P03</h1>
            <p>Interviewer: How did it
               <b>start</b>?</p><!-- a comment -->
            <p>P03: Caf&eacute; &amp; friends &#x1F600; — مرحبا 你好<br>second line</p>
            <div><div>nested</div></div><noscript>enable js</noscript>
            <ul><li>one</li><li>two</li></ul>
            <pre>  keep   this
  layout</pre>
            <table><tr><td>a</td><td>b</td></tr></table>
            <p hidden>secret</p></body></html>"#;
        assert_eq!(
            visible_text(html),
            "Interview P03\nInterviewer: How did it start?\n\
             P03: Café & friends 😀 — مرحبا 你好\nsecond line\nnested\none\ntwo\n  keep   this\n  layout\na\tb"
        );
    }

    #[test]
    fn broken_markup_is_read_as_a_browser_would() {
        assert_eq!(visible_text("<p>one<p>two</b>three"), "one\ntwothree");
        assert_eq!(visible_text("plain words"), "plain words");
        assert_eq!(visible_text(""), "");
        assert_eq!(visible_text("<script>only</script>"), "");
    }
}
