//! Document names as people type them: `--doc interview_001.txt` finds `interview_001` (the
//! name an import gives, without its extension), and a name that matches nothing is refused
//! with the close names that exist.

use anyhow::{Result, bail};

use crate::session::Session;

/// Extensions an import strips from a file name to make the document name.
const EXTENSIONS: [&str; 4] = ["txt", "md", "docx", "rtf"];

/// The stored name of the document `typed` means: exactly that name, else that name without
/// a known extension, else the one name equal to it ignoring case. Otherwise an error naming
/// close names (sharing a prefix, or contained in one another).
pub(crate) fn document_name(session: &Session, typed: &str) -> Result<String> {
    let names: Vec<String> = session
        .read()
        .documents()?
        .into_iter()
        .map(|d| d.name)
        .collect();
    resolve(&names, typed)
}

fn resolve(names: &[String], typed: &str) -> Result<String> {
    if names.iter().any(|n| n == typed) {
        return Ok(typed.to_owned());
    }
    let stem = match typed.rsplit_once('.') {
        Some((stem, ext)) if EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)) => stem,
        _ => typed,
    };
    if names.iter().any(|n| n == stem) {
        return Ok(stem.to_owned());
    }
    let folded: Vec<&String> = names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case(stem.trim()))
        .collect();
    if let [one] = folded.as_slice() {
        return Ok((*one).clone());
    }
    let want = stem.trim().to_lowercase();
    let prefix: String = want.chars().take(3).collect();
    let close: Vec<String> = names
        .iter()
        .filter(|n| {
            let n = n.to_lowercase();
            n.contains(&want) || want.contains(&n) || (!prefix.is_empty() && n.starts_with(&prefix))
        })
        .take(5)
        .map(|n| format!("“{n}”"))
        .collect();
    if close.is_empty() {
        bail!("there is no document “{typed}” (`weft docs` lists them)");
    }
    bail!(
        "there is no document “{typed}”; did you mean {}?",
        close.join(" or ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_case_and_suggestions() {
        let names = vec!["interview_001".to_owned(), "P01 interview".to_owned()];
        assert_eq!(
            resolve(&names, "interview_001.txt").unwrap(),
            "interview_001"
        );
        assert_eq!(
            resolve(&names, "INTERVIEW_001.docx").unwrap(),
            "interview_001"
        );
        assert_eq!(resolve(&names, "P01 interview").unwrap(), "P01 interview");
        let err = resolve(&names, "interview_01").unwrap_err().to_string();
        assert!(err.contains("did you mean “interview_001”"), "{err}");
        let err = resolve(&names, "zzz").unwrap_err().to_string();
        assert!(err.contains("weft docs"), "{err}");
    }
}
