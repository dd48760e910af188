//! Text of a PDF's text layer, page by page through the `pdf-extract` crate (on `lopdf`), then
//! cleaned the way a reader would: header and footer lines that repeat on most pages, and page
//! numbers (`7`, `Page 7`, `7/12`, `Page 7 of 12`, `- 7 -`), are dropped; a word hyphenated at
//! a line end is joined again; runs of blank lines become one. A PDF with no text layer (a scan)
//! is refused with a message that says so, as there is nothing to code until it is OCRed.

/// Encoding reported for text taken from a PDF.
pub(crate) const ENCODING_NAME: &str = "PDF text layer";

/// Fewer visible characters than this per page, on average, means a scan without text.
const MIN_CHARS_PER_PAGE: usize = 10;

/// How many lines at the top and at the bottom of a page can be a header or a footer.
const EDGE_LINES: usize = 2;

/// The cleaned text of the PDF in `bytes`, or the reason it cannot be used.
pub(crate) fn extract_text(bytes: &[u8]) -> Result<String, String> {
    if !bytes.starts_with(b"%PDF") && !bytes.get(..1024).is_some_and(|h| find(h, b"%PDF-")) {
        return Err("it does not start with %PDF, the mark of a PDF document".to_owned());
    }
    // The PDF reader is third-party code: a panic on a strange file must not take the import
    // (or the app) down with it.
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|_| "the PDF reader failed on this document; it may be damaged".to_owned())?
        .map_err(|e| match e {
            pdf_extract::OutputError::PdfError(pdf_extract::Error::Decryption(_)) => {
                "it is encrypted with a password; save an unprotected copy first".to_owned()
            }
            e => format!("it could not be read as a PDF ({e})"),
        })?;
    if pages.is_empty() {
        return Err("it has no pages".to_owned());
    }
    let visible: usize = pages
        .iter()
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if visible < MIN_CHARS_PER_PAGE * pages.len() {
        return Err(
            "it has no text layer (it looks like a scan); run text recognition (OCR) on it \
             first, then import the result"
                .to_owned(),
        );
    }
    Ok(clean_pages(&pages))
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Joins the pages' text without running headers, footers and page numbers, with hyphenated
/// line ends joined and blank runs collapsed.
pub(crate) fn clean_pages(pages: &[String]) -> String {
    let pages: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.lines().map(str::trim_end).collect())
        .collect();
    // How many pages have each line shape in each edge slot (0 = first filled line, 1 =
    // second; -1 = last, -2 = the one before).
    let mut seen: std::collections::HashMap<(i8, String), usize> = std::collections::HashMap::new();
    for page in &pages {
        for (slot, _, line) in edge_slots(page) {
            *seen.entry((slot, key(slot, line))).or_insert(0) += 1;
        }
    }
    // Running matter: the same shape in the same slot on most pages (and at least 3).
    let running = |slot: i8, l: &str| {
        let n = seen.get(&(slot, key(slot, l))).copied().unwrap_or(0);
        pages.len() >= 3 && n * 2 > pages.len() && n >= 3
    };
    let mut lines: Vec<&str> = Vec::new();
    for page in &pages {
        let mut dropped = std::collections::HashSet::new();
        // From each edge inwards, while the lines are running matter or page numbers.
        for side in [1i8, -1] {
            for (slot, i, line) in edge_slots(page).filter(|(s, ..)| (*s >= 0) == (side > 0)) {
                if is_page_number(line) || running(slot, line) {
                    dropped.insert(i);
                } else {
                    break;
                }
            }
        }
        for (i, line) in page.iter().enumerate() {
            if !dropped.contains(&i) {
                lines.push(line);
            }
        }
        // Pages end their last paragraph.
        lines.push("");
    }
    let mut out = String::new();
    let mut blank = true;
    let mut iter = lines.iter().peekable();
    while let Some(line) = iter.next() {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push('\n');
        }
        blank = false;
        // `recov-` + `ery` on the next line: one word again.
        let next_lower = iter
            .peek()
            .and_then(|n| n.trim_start().chars().next())
            .is_some_and(char::is_lowercase);
        let hyphenated = line
            .strip_suffix('-')
            .filter(|w| w.chars().last().is_some_and(char::is_alphabetic));
        match (hyphenated, next_lower) {
            (Some(head), true) => {
                out.push_str(head);
                if let Some(next) = iter.next() {
                    out.push_str(next.trim_start());
                    out.push('\n');
                }
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

/// The first two and last two filled lines of a page as `(slot, index, line)`, the top ones
/// from the top (slots 0, 1), the bottom ones from the bottom (slots -1, -2); a short page's
/// lines can be in both.
fn edge_slots<'a>(page: &'a [&'a str]) -> impl Iterator<Item = (i8, usize, &'a str)> + 'a {
    let filled: Vec<usize> = (0..page.len())
        .filter(|&i| page.get(i).is_some_and(|l| !l.trim().is_empty()))
        .collect();
    let top: Vec<(i8, usize)> = filled
        .iter()
        .take(EDGE_LINES)
        .enumerate()
        .map(|(k, &i)| (k as i8, i))
        .collect();
    let bottom: Vec<(i8, usize)> = filled
        .iter()
        .rev()
        .take(EDGE_LINES)
        .enumerate()
        .map(|(k, &i)| (-(k as i8) - 1, i))
        .collect();
    top.into_iter()
        .chain(bottom)
        .filter_map(move |(slot, i)| page.get(i).map(|l| (slot, i, *l)))
}

/// What must repeat for a line in `slot` to be running matter: on the outermost lines, the
/// shape (a page number may change inside a header); further in, the exact text.
fn key(slot: i8, line: &str) -> String {
    if slot == 0 || slot == -1 {
        shape(line)
    } else {
        line.trim().to_owned()
    }
}

/// A line with its digits blanked and spaces collapsed: "Interview 3 — page 7" and
/// "Interview 3 — page 8" have the same shape.
fn shape(line: &str) -> String {
    let mut s = String::new();
    let mut last_digit = false;
    for w in line.split_whitespace() {
        if !s.is_empty() {
            s.push(' ');
        }
        for c in w.chars() {
            if c.is_ascii_digit() {
                if !last_digit {
                    s.push('#');
                }
                last_digit = true;
            } else {
                s.push(c);
                last_digit = false;
            }
        }
        last_digit = false;
    }
    s.to_lowercase()
}

/// Whether a line is only a page number: `7`, `Page 7`, `p. 7`, `7/12`, `7 of 12`,
/// `Page 7 of 12`, `- 7 -`, `— 7 —`, `[7]`, or roman numerals `vii`.
fn is_page_number(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    let l = l
        .trim_matches(|c: char| matches!(c, '-' | '–' | '—' | '[' | ']' | '(' | ')' | ' '))
        .to_owned();
    let l = [
        "page ", "pg. ", "pg ", "p. ", "seite ", "página ", "pagina ",
    ]
    .iter()
    .find_map(|p| l.strip_prefix(p))
    .unwrap_or(&l)
    .trim();
    let number = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()))
            || (!s.is_empty() && s.len() <= 6 && s.chars().all(|c| "ivxlc".contains(c)))
    };
    if number(l) {
        return true;
    }
    for sep in ["/", " of ", " von ", " de "] {
        if let Some((a, b)) = l.split_once(sep) {
            return number(a) && number(b);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(n: usize, body: impl Fn(usize) -> String) -> Vec<String> {
        (1..=n).map(body).collect()
    }

    #[test]
    fn running_headers_footers_and_page_numbers_go() {
        let p = pages(4, |i| {
            format!(
                "Peer support study — Interview 3\nConfidential draft\n\nP03: words on page {i} are kept.\nMore talk ({i}).\n\nPage {i} of 4\n"
            )
        });
        let text = clean_pages(&p);
        assert!(!text.contains("Peer support study"), "{text}");
        assert!(!text.contains("Confidential"), "{text}");
        assert!(!text.contains("of 4"), "{text}");
        assert!(
            text.contains("P03: words on page 3 are kept.\nMore talk (3).\n"),
            "{text}"
        );
    }

    #[test]
    fn page_number_forms() {
        for l in [
            "7",
            "Page 7",
            "7/12",
            "7 / 12",
            "Page 7 of 12",
            "- 7 -",
            "— 7 —",
            "[7]",
            "p. 7",
            "vii",
        ] {
            assert!(is_page_number(l), "{l}");
        }
        for l in [
            "P07",
            "7 people came",
            "Page seven",
            "2024-2025",
            "Interviewer: 7",
        ] {
            assert!(!is_page_number(l), "{l}");
        }
    }

    #[test]
    fn a_page_number_alone_on_one_page_goes_too() {
        let text = clean_pages(&["Only page with text that is long enough.\n\n1\n".to_owned()]);
        assert_eq!(text, "Only page with text that is long enough.\n");
    }

    #[test]
    fn hyphenated_line_ends_are_joined() {
        let text = clean_pages(&[
            "P01: it helped my recov-\nery a lot, and my self-\nEsteem too.\nwell-\nknown\n"
                .to_owned(),
        ]);
        assert_eq!(
            text,
            "P01: it helped my recovery a lot, and my self-\nEsteem too.\nwellknown\n"
        );
    }

    #[test]
    fn body_lines_that_repeat_are_kept_when_not_at_the_edges() {
        let p = pages(3, |i| {
            format!("Head {i}x\nP01: Text {i}.\nInterviewer: Yes.\nP01: more {i}.\nfoot {i}x\n")
        });
        let text = clean_pages(&p);
        assert_eq!(text.matches("Interviewer: Yes.").count(), 3, "{text}");
        assert!(!text.contains("Head") && !text.contains("foot"), "{text}");
    }

    #[test]
    fn refusals() {
        assert!(extract_text(b"hello").unwrap_err().contains("%PDF"));
        assert!(extract_text(b"%PDF-1.4\n garbage").is_err());
    }
}
