//! `weft case list|rename|delete|memo|speaker` (`add` and `assign` are in `mod.rs`).
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is this module's job

use std::collections::HashMap;

use anyhow::{Result, bail};
use serde::Serialize;

use super::{CaseCommand, names, open_for_edit, open_read_only};
use crate::actions::Action;

#[derive(Serialize)]
struct SpeakerRow {
    document: String,
    speaker: String,
}

#[derive(Serialize)]
struct AttrValue {
    value: String,
    /// `text`, `number`, `date` or `boolean`.
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct CaseRow {
    name: String,
    /// The case's GUID.
    id: String,
    documents: Vec<String>,
    speakers: Vec<SpeakerRow>,
    attributes: std::collections::BTreeMap<String, AttrValue>,
    memo: String,
}

/// Runs the `weft case` commands not handled in `mod.rs`.
pub fn run(c: CaseCommand) -> Result<()> {
    match c {
        CaseCommand::Add { .. } | CaseCommand::Assign { .. } => {
            bail!("internal: case add and assign are run by cli::run")
        }
        CaseCommand::List { project, json } => {
            let session = open_read_only(&project)?;
            let db = session.read();
            let links = db.case_links()?;
            let kinds: HashMap<String, crate::model::AttrType> = db
                .attributes()?
                .into_iter()
                .filter(|a| a.scope == crate::model::AttrScope::Case)
                .map(|a| (a.name, a.kind))
                .collect();
            let docs: HashMap<_, _> = db
                .documents()?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            let mut rows = Vec::new();
            for case in db.cases()? {
                let mut documents: Vec<String> = links
                    .doc_cases
                    .iter()
                    .filter(|(_, cs)| cs.contains(&case.id))
                    .filter_map(|(d, _)| docs.get(d).cloned())
                    .collect();
                documents.sort();
                let mut speakers: Vec<SpeakerRow> = links
                    .speaker_cases
                    .iter()
                    .filter(|(_, c)| **c == case.id)
                    .map(|((d, sp), _)| SpeakerRow {
                        document: docs.get(d).cloned().unwrap_or_default(),
                        speaker: sp.clone(),
                    })
                    .collect();
                speakers.sort_by(|a, b| (&a.document, &a.speaker).cmp(&(&b.document, &b.speaker)));
                let attributes = links
                    .case_attrs
                    .iter()
                    .filter(|((c, _), _)| *c == case.id)
                    .map(|((_, k), v)| {
                        let kind = kinds
                            .get(k)
                            .copied()
                            .unwrap_or(crate::model::AttrType::Text);
                        (
                            k.clone(),
                            AttrValue {
                                value: v.clone(),
                                kind: kind.as_str(),
                            },
                        )
                    })
                    .collect();
                rows.push(CaseRow {
                    id: case.guid,
                    name: case.name,
                    documents,
                    speakers,
                    attributes,
                    memo: case.memo,
                });
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    let mut what = r.documents.clone();
                    what.extend(
                        r.speakers
                            .iter()
                            .map(|s| format!("{} in {}", s.speaker, s.document)),
                    );
                    out!("{:<24} {}", r.name, what.join(", "));
                }
            }
        }
        CaseCommand::Rename {
            project,
            case,
            name,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = session.read().require_case(&case)?;
            session.apply(&Action::RenameCase {
                case: id,
                name: name.clone(),
            })?;
            out!("renamed case {case} to {name}");
        }
        CaseCommand::Delete { project, case } => {
            let mut session = open_for_edit(&project)?;
            let id = session.read().require_case(&case)?;
            session.apply(&Action::DeleteCase(id))?;
            out!(
                "deleted case {case} (its documents and codings stay; `weft undo` brings it back)"
            );
        }
        CaseCommand::Memo {
            project,
            case,
            memo,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = session.read().require_case(&case)?;
            session.apply(&Action::SetCaseMemo { case: id, memo })?;
            out!("memo of case {case} set");
        }
        CaseCommand::Speaker {
            project,
            case,
            doc,
            speaker,
            unmap,
        } => {
            let mut session = open_for_edit(&project)?;
            let id = session.read().require_case(&case)?;
            let doc_name = names::document_name(&session, &doc)?;
            let doc_id = session.read().require_document(&doc_name)?;
            let turns = session.read().turns(doc_id)?;
            if !unmap && !turns.iter().any(|t| t.speaker == speaker) {
                let mut labels: Vec<&str> = turns.iter().map(|t| t.speaker.as_str()).collect();
                labels.sort_unstable();
                labels.dedup();
                bail!(
                    "“{doc_name}” has no speaker “{speaker}”; its speakers are: {}",
                    labels.join(", ")
                );
            }
            session.apply(&Action::MapSpeaker {
                doc: doc_id,
                speaker: speaker.clone(),
                case: (!unmap).then_some(id),
            })?;
            if unmap {
                out!("{speaker} in {doc_name} is no longer mapped to a case");
            } else {
                out!("{speaker} in {doc_name} now counts for case {case}");
            }
        }
    }
    Ok(())
}
