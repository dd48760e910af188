//! `--where KEY=VALUE`: checked against the attributes and values the project has, so a typo
//! is refused with what exists instead of counting nothing.
#![allow(clippy::print_stderr)] // the warning for a value nobody has

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use crate::session::Session;

/// Parses and checks `--where` filters: the key must be an attribute of the project and the
/// value not empty; a value that no case or document has (compared as the report compares
/// them: trimmed, ignoring case) is warned about, with the values that exist.
pub(crate) fn parse_where(session: &Session, filters: &[String]) -> Result<Vec<(String, String)>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let db = session.read();
    let names: BTreeSet<String> = db.attributes()?.into_iter().map(|a| a.name).collect();
    let links = db.case_links()?;
    let mut checked = Vec::new();
    for f in filters {
        let Some((k, v)) = f.split_once('=') else {
            bail!("--where needs KEY=VALUE, got “{f}”; {}", known(&names));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() {
            bail!(
                "--where needs KEY=VALUE with a key, got “{f}”; {}",
                known(&names)
            );
        }
        if !names.contains(k) {
            bail!("there is no attribute “{k}”; {}", known(&names));
        }
        let values: BTreeSet<String> = links
            .case_attrs
            .iter()
            .map(|((_, n), v)| (n, v))
            .chain(links.doc_attrs.iter().map(|((_, n), v)| (n, v)))
            .filter(|(n, v)| n.as_str() == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect();
        let list = if values.is_empty() {
            format!("no case or document has a value for “{k}”")
        } else {
            format!(
                "the values of “{k}” are: {}",
                values
                    .iter()
                    .map(|v| format!("“{v}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if v.is_empty() {
            bail!("--where {k}= has no value; {list}");
        }
        if let Some(rest) = v.strip_prefix('=') {
            bail!(
                "--where {k}={v} has one “=” too many (did you mean {k}={}?); {list}",
                rest.trim()
            );
        }
        if !values.iter().any(|x| x.eq_ignore_ascii_case(v)) {
            // A value nobody has is a real question with the answer zero ("how many
            // nurses?"), so it is counted, but said out loud.
            eprintln!(
                "warning: no case or document has {k} = “{v}”, so nothing is counted; {list}"
            );
        }
        checked.push((k.to_owned(), v.to_owned()));
    }
    Ok(checked)
}

fn known(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        "the project has no attributes (set one with `weft attr set`)".into()
    } else {
        format!(
            "the attributes are: {}",
            names.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    }
}
