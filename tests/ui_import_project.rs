//! File ▸ Import project… driven headless by role and label: a QDPX written here is imported
//! into a new project with a typed path, which opens with its codes in the codebook.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use weft::store::Store;
use weft::ui::WeftApp;
use weft::ui::settings::Settings;

fn qdpx(path: &std::path::Path) {
    let xml = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="From NVivo" origin="NVivo 14">
 <CodeBook><Codes>
  <Code guid="c1" name="Belonging" isCodable="true" color="#4E79A7">
   <Code guid="c2" name="Peer kinship" isCodable="true"/>
  </Code>
  <Code guid="c3" name="Gatekeeping" isCodable="true"/>
 </Codes></CodeBook>
 <Sources><TextSource guid="s1" name="P01" plainTextPath="internal://s1.txt">
  <PlainTextSelection guid="x1" name="" startPosition="5" endPosition="10"><Coding guid="k1"><CodeRef targetGUID="c2"/></Coding></PlainTextSelection>
 </TextSource></Sources>
</Project>"##;
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("project.qde", opts).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.start_file("sources/s1.txt", opts).unwrap();
    z.write_all("P01: Peers are kin 😀.\r\n".as_bytes())
        .unwrap();
    z.finish().unwrap();
}

#[test]
fn import_a_qdpx_through_the_file_menu_and_see_its_codes() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("nvivo.qdpx");
    qdpx(&source);
    let target = dir.path().join("imported.weft");
    let mut store = Store::in_memory().unwrap();
    weft::demo::build(&mut store).unwrap();
    let app = WeftApp::with_store(Some(store), Settings::default());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut WeftApp| app.ui_root(ui), app);
    h.run_steps(3);
    assert!(
        h.query_all_by_label_contains("Peer kinship")
            .next()
            .is_none()
    );

    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Import project…").click();
    // The dialog's first frame only measures it.
    h.run_steps(4);
    for (field, text) in [
        ("Project to import", &source),
        ("New project file", &target),
    ] {
        h.get_by_label(field).focus();
        h.run_steps(1);
        h.get_by_label(field).type_text(text.to_str().unwrap());
        h.run_steps(1);
    }
    h.get_by_label("Import").click();
    let mut opened = false;
    for _ in 0..1000 {
        h.run_steps(1);
        if h.state().store().and_then(Store::path) == Some(target.as_path()) {
            opened = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(opened, "the new project opens when the import is done");
    h.run_steps(3);
    assert!(target.exists());
    for code in ["Belonging", "Peer kinship", "Gatekeeping"] {
        assert!(
            h.query_all_by_label_contains(code).next().is_some(),
            "the codebook shows {code}"
        );
    }
}
