//! A small element tree of a REFI-QDA XML file, matched by local name whatever the namespace.
//! A DTD with entity definitions is refused (never expanded, never fetched); an undefined
//! entity reference is an error of the XML parser.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Attributes the import never reads, not kept (a large project has hundreds of thousands).
const UNUSED: [&[u8]; 4] = [
    b"modifyingUser",
    b"modifiedDateTime",
    b"schemaLocation",
    b"id",
];

/// Deepest nesting accepted (codes nest, nothing else goes deep).
const MAX_DEPTH: usize = 512;

/// An element or attribute name, shared by every element that has it: a large project has
/// hundreds of thousands of elements and a few dozen names, so each name is stored once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Name(std::sync::Arc<str>);

impl Name {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.0.to_string()
    }
}

/// Names seen so far, so that each is allocated once.
#[derive(Default)]
struct Names(std::collections::HashMap<Vec<u8>, Name>);

impl Names {
    fn get(&mut self, raw: &[u8]) -> Name {
        if let Some(n) = self.0.get(raw) {
            return n.clone();
        }
        let n = Name(String::from_utf8_lossy(raw).into());
        self.0.insert(raw.to_vec(), n.clone());
        n
    }
}

/// An element: local name, attributes by local name, children, and its own text (text that
/// is only the indentation between children is not kept).
#[derive(Debug, Default)]
pub(crate) struct El {
    pub name: Name,
    pub attrs: Vec<(Name, Box<str>)>,
    pub children: Vec<El>,
    pub text: String,
}

impl El {
    /// The value of attribute `name` (local name, case-sensitive as XML is).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| &**v)
    }

    /// Children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name` (empty when absent).
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.as_str())
    }
}

/// Why the XML could not be read.
#[derive(Debug)]
pub(crate) enum XmlError {
    /// A DTD defines entities.
    Entities,
    /// Not well-formed (or nested too deep), with the parser's message.
    Malformed(String),
    /// The visitor of [`parse_reader_with`] asked to stop (it knows why).
    Stopped,
}

/// The visitor asks the parse to stop.
#[derive(Debug)]
pub(crate) struct Stop;

/// What a visitor of [`parse_reader_with`] does with a closed element near the root: it gets
/// the open ancestors (`[root]` or `[root, child]`, with their attributes and the children
/// kept so far), the element, and how many bytes of input were read; it keeps the element
/// in the tree (`Some`) or takes it (`None`).
pub(crate) type Visit<'a> = dyn FnMut(&[El], El, u64) -> Result<Option<El>, Stop> + 'a;

/// Parses `bytes` into the tree of its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<El, XmlError> {
    parse_reader(bytes)
}

/// Parses what `input` gives into the tree of its root element, reading it piece by piece.
pub(crate) fn parse_reader(input: impl std::io::BufRead) -> Result<El, XmlError> {
    parse_reader_with(input, &mut |_, el, _| Ok(Some(el)))
}

/// [`parse_reader`], handing each element whose parent is the root or a child of the root to
/// `visit` as it closes: a visitor that takes the large ones (a project's sources) keeps
/// the tree small, whatever the size of the file.
pub(crate) fn parse_reader_with(
    input: impl std::io::BufRead,
    visit: &mut Visit<'_>,
) -> Result<El, XmlError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    reader.config_mut().trim_text(false);
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let mut names = Names::default();
    let bad =
        |e: &dyn std::fmt::Display, pos: u64| XmlError::Malformed(format!("{e} (at byte {pos})"));
    loop {
        let pos = reader.buffer_position();
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(|e| bad(&e, pos))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError::Malformed(
                    "content after the root element".to_owned(),
                ));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::Malformed(format!(
                        "elements nested more than {MAX_DEPTH} deep"
                    )));
                }
                stack.push(element(&e, &mut names).map_err(|m| bad(&m, pos))?);
            }
            Event::Empty(e) => {
                let el = element(&e, &mut names).map_err(|m| bad(&m, pos))?;
                close(&mut stack, &mut root, el, visit, reader.buffer_position())?;
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".to_owned()));
                };
                el.children.shrink_to_fit();
                if el.text.trim().is_empty() {
                    el.text = String::new();
                } else {
                    el.text.shrink_to_fit();
                }
                close(&mut stack, &mut root, el, visit, reader.buffer_position())?;
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    // The indentation between children is not text anyone wrote.
                    if el.text.is_empty() && t.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    el.text.push_str(&t.unescape().map_err(|e| bad(&e, pos))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::DocType(t) => {
                let body = String::from_utf8_lossy(&t).to_ascii_uppercase();
                if body.contains("<!ENTITY") || body.contains("SYSTEM") || body.contains("PUBLIC") {
                    return Err(XmlError::Entities);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(
            "the file ends before its elements are closed".to_owned(),
        ));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".to_owned()))
}

/// Puts the closed element `el` in its parent (through `visit` near the root), or makes it
/// the root.
fn close(
    stack: &mut [El],
    root: &mut Option<El>,
    el: El,
    visit: &mut Visit<'_>,
    pos: u64,
) -> Result<(), XmlError> {
    let el = if (1..=2).contains(&stack.len()) {
        match visit(stack, el, pos).map_err(|Stop| XmlError::Stopped)? {
            Some(el) => el,
            None => return Ok(()),
        }
    } else {
        el
    };
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
    Ok(())
}

fn element(e: &quick_xml::events::BytesStart<'_>, names: &mut Names) -> Result<El, String> {
    let name = names.get(e.local_name().as_ref());
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_ref().starts_with(b"xmlns") || UNUSED.contains(&a.key.local_name().as_ref()) {
            continue;
        }
        let key = names.get(a.key.local_name().as_ref());
        let value: Box<str> = a.unescape_value().map_err(|e| e.to_string())?.into();
        attrs.push((key, value));
    }
    attrs.shrink_to_fit();
    Ok(El {
        name,
        attrs,
        ..El::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_whatever_the_namespace() {
        let el = parse(
            br#"<?xml version="1.0"?><x:CodeBook xmlns:x="urn:QDA-XML:codebook:0:4"><x:Codes><x:Code guid="A" name="a &amp; b"/></x:Codes></x:CodeBook>"#,
        )
        .unwrap();
        assert_eq!(el.name, "CodeBook");
        let code = el.child("Codes").unwrap().child("Code").unwrap();
        assert_eq!(code.attr("name"), Some("a & b"));
    }

    #[test]
    fn a_visitor_takes_elements_near_the_root_as_they_close() {
        let xml = br#"<P a="1"><H/><S><T n="1"><x/></T><T n="2"/></S><N>note</N></P>"#;
        let mut seen = Vec::new();
        let root = parse_reader_with(&xml[..], &mut |stack, el, pos| {
            let path: Vec<&str> = stack.iter().map(|e| e.name.as_str()).collect();
            seen.push(format!("{}/{}", path.join("/"), el.name));
            assert!(pos > 0 && stack[0].attr("a") == Some("1"));
            Ok(if el.name == "T" { None } else { Some(el) })
        })
        .unwrap();
        assert_eq!(seen, ["P/H", "P/S/T", "P/S/T", "P/S", "P/N"]);
        let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["H", "S", "N"]);
        assert!(
            root.child("S").unwrap().children.is_empty(),
            "the visitor took them"
        );
        let stopped = parse_reader_with(&xml[..], &mut |_, _, _| Err(Stop));
        assert!(matches!(stopped, Err(XmlError::Stopped)));
    }

    #[test]
    fn entities_are_refused_never_expanded() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><p>&b;</p>"#;
        assert!(matches!(parse(bomb), Err(XmlError::Entities)));
        let external =
            br#"<?xml version="1.0"?><!DOCTYPE p SYSTEM "http://example.com/x.dtd"><p/>"#;
        assert!(matches!(parse(external), Err(XmlError::Entities)));
        assert!(matches!(
            parse(b"<p>&undefined;</p>"),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(parse(b"<p><q></p>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<p>"), Err(XmlError::Malformed(_))));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            parse(deep.as_bytes()),
            Err(XmlError::Malformed(_))
        ));
    }
}
