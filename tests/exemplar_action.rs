//! `Action::MarkExemplar`: one step each way, undone and redone exactly, named for the Edit
//! menu, refused for a coding that does not exist.
#![allow(clippy::unwrap_used)]

use weft::actions::Action;
use weft::model::{CodingId, Origin};
use weft::store::{NewDocument, Store};

#[test]
fn marking_an_exemplar_is_one_undoable_step() {
    let mut store = Store::in_memory().unwrap();
    let (a, b) = store
        .action("setup", |db| {
            let doc = db.add_document(&NewDocument {
                name: "P01".into(),
                text: "Peer work helped me a lot".into(),
                origin: Origin {
                    file_name: "p01.txt".into(),
                    format: "txt".into(),
                    encoding: "UTF-8".into(),
                    sha256: String::new(),
                },
                turns: Vec::new(),
                guid: None,
            })?;
            let me = db.ensure_coder("Ann")?;
            let (code, _) = db.ensure_code_path("Support", None, "")?;
            Ok((
                db.apply_code(doc, code, me, 0, 9, "")?,
                db.apply_code(doc, code, me, 10, 16, "")?,
            ))
        })
        .unwrap();
    let mark = |coding, exemplar| Action::MarkExemplar { coding, exemplar };
    assert_eq!(mark(a, true).label(store.db()), "Mark exemplar");
    assert_eq!(mark(a, false).label(store.db()), "Unmark exemplar");

    mark(a, true).apply(&mut store).unwrap();
    assert_eq!(store.db().exemplars().unwrap(), [a].into());
    assert!(store.db().is_exemplar(a).unwrap());
    assert!(!store.db().is_exemplar(b).unwrap());
    mark(b, true).apply(&mut store).unwrap();
    mark(a, false).apply(&mut store).unwrap();
    assert_eq!(store.db().exemplars().unwrap(), [b].into());

    assert_eq!(store.undo().unwrap().as_deref(), Some("Unmark exemplar"));
    assert_eq!(store.db().exemplars().unwrap(), [a, b].into());
    assert_eq!(store.undo().unwrap().as_deref(), Some("Mark exemplar"));
    assert_eq!(store.undo().unwrap().as_deref(), Some("Mark exemplar"));
    assert!(store.db().exemplars().unwrap().is_empty());
    assert_eq!(store.redo().unwrap().as_deref(), Some("Mark exemplar"));
    assert_eq!(store.db().exemplars().unwrap(), [a].into());

    // The mark goes with the coding and comes back with it.
    Action::RemoveCoding(a).apply(&mut store).unwrap();
    assert!(store.db().exemplars().unwrap().is_empty());
    store.undo().unwrap();
    assert_eq!(store.db().exemplars().unwrap(), [a].into());

    assert!(mark(CodingId(999), true).apply(&mut store).is_err());
    assert!(store.db().is_exemplar(CodingId(999)).is_err());
}
