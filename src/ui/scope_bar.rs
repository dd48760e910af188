//! What the analysis views share: the filter bar (coder, case, attribute value) that becomes a
//! [`ScopeFilter`], number formatting for researchers ("19,234", "12.3 %") and code colour
//! chips.

use egui::{Color32, Ui};

use crate::analysis::ScopeFilter;
use crate::model::{CaseId, CoderId, Color, DocId};
use crate::ui::view::ProjectView;

/// The filter choices of one view. Empty choices match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScopeBar {
    /// Only codings by this coder.
    pub coder: Option<CoderId>,
    /// Only codings that belong to this case.
    pub case: Option<CaseId>,
    /// Only this document.
    pub doc: Option<DocId>,
    /// Attribute name chosen in the first combo.
    pub attr_name: Option<String>,
    /// Value of that attribute (only applies with a name).
    pub attr_value: Option<String>,
    /// Values present for `attr_name`, cached by `(view.version, name)`.
    values: Option<(u64, String, Vec<String>)>,
}

impl ScopeBar {
    /// The filter these choices describe.
    pub fn filter(&self) -> ScopeFilter {
        ScopeFilter {
            coder: self.coder,
            cases: self.case.map(|c| vec![c]),
            docs: self.doc.map(|d| vec![d]),
            attrs: match (&self.attr_name, &self.attr_value) {
                (Some(k), Some(v)) => vec![(k.clone(), v.clone())],
                _ => Vec::new(),
            },
        }
    }

    /// Drops choices that no longer exist in the project (a deleted case or coder).
    fn validate(&mut self, view: &ProjectView) {
        if self
            .coder
            .is_some_and(|c| !view.coders.iter().any(|x| x.id == c))
        {
            self.coder = None;
        }
        if self
            .case
            .is_some_and(|c| !view.cases.iter().any(|x| x.id == c))
        {
            self.case = None;
        }
        if self.doc.is_some_and(|d| view.document(d).is_none()) {
            self.doc = None;
        }
        if self.attr_name.is_none() {
            self.attr_value = None;
        }
    }

    /// Distinct values (compared as the filter compares them: trimmed, case-insensitive) of an
    /// attribute across cases and documents, sorted.
    fn values_of(&mut self, view: &ProjectView, name: &str) -> &[String] {
        let fresh = self
            .values
            .as_ref()
            .is_some_and(|(v, n, _)| *v == view.version && n == name);
        if !fresh {
            let mut vals: Vec<String> = view
                .links
                .case_attrs
                .iter()
                .map(|((_, k), v)| (k, v))
                .chain(view.links.doc_attrs.iter().map(|((_, k), v)| (k, v)))
                .filter(|(k, v)| k.as_str() == name && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_owned())
                .collect();
            vals.sort_by_key(|v| v.to_lowercase());
            vals.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            self.values = Some((view.version, name.to_owned(), vals));
        }
        self.values.as_ref().map_or(&[], |(_, _, v)| v.as_slice())
    }

    /// Draws the combos in a wrapping row; `salt` keeps two views' combos apart. Returns whether
    /// a choice changed.
    pub fn ui(&mut self, ui: &mut Ui, view: &ProjectView, salt: &str) -> bool {
        self.validate(view);
        let before = (
            self.coder,
            self.case,
            self.doc,
            self.attr_name.clone(),
            self.attr_value.clone(),
        );
        ui.horizontal_wrapped(|ui| {
            let coder_text = self
                .coder
                .map_or("Any coder", |c| view.coder_name(c))
                .to_owned();
            egui::ComboBox::new((salt, "coder"), "Coder")
                .selected_text(coder_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.coder, None, "Any coder");
                    for c in &view.coders {
                        ui.selectable_value(&mut self.coder, Some(c.id), c.name.as_str());
                    }
                });
            let doc_text = self
                .doc
                .and_then(|d| view.document(d))
                .map_or("Any document", |d| d.name.as_str())
                .to_owned();
            egui::ComboBox::new((salt, "document"), "Document")
                .selected_text(doc_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.doc, None, "Any document");
                    for d in &view.documents {
                        ui.selectable_value(&mut self.doc, Some(d.id), d.name.as_str());
                    }
                });
            let case_text = self
                .case
                .map_or("Any case", |c| view.case_name(c))
                .to_owned();
            egui::ComboBox::new((salt, "case"), "Case")
                .selected_text(case_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.case, None, "Any case");
                    for c in &view.cases {
                        ui.selectable_value(&mut self.case, Some(c.id), c.name.as_str());
                    }
                });
            let name_text = self
                .attr_name
                .clone()
                .unwrap_or_else(|| "Any attribute".into());
            egui::ComboBox::new((salt, "attr"), "Attribute")
                .selected_text(name_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.attr_name, None, "Any attribute");
                    let mut names: Vec<&str> =
                        view.attributes.iter().map(|a| a.name.as_str()).collect();
                    // A case and a document attribute may share a name; the filter matches both.
                    names.sort_unstable();
                    names.dedup();
                    for name in names {
                        ui.selectable_value(&mut self.attr_name, Some(name.to_owned()), name);
                    }
                });
            if self.attr_name != before.3 {
                self.attr_value = None;
            }
            if let Some(name) = self.attr_name.clone() {
                let value_text = self
                    .attr_value
                    .clone()
                    .unwrap_or_else(|| "Any value".into());
                let mut chosen = self.attr_value.clone();
                egui::ComboBox::new((salt, "value"), "Value")
                    .selected_text(value_text)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut chosen, None, "Any value");
                        for v in self.values_of(view, &name) {
                            ui.selectable_value(&mut chosen, Some(v.clone()), v.as_str());
                        }
                    });
                self.attr_value = chosen;
            }
        });
        before
            != (
                self.coder,
                self.case,
                self.doc,
                self.attr_name.clone(),
                self.attr_value.clone(),
            )
    }
}

/// `19234` as `19,234`.
pub fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A share `0.123` as `12.3 %` (a dash for a share that cannot be computed).
pub fn fmt_percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.1} %", share * 100.0)
    } else {
        "–".to_owned()
    }
}

/// `1 document`, `2 documents`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", fmt_count(n), if n == 1 { one } else { many })
}

/// A code colour for painting.
pub fn color32(c: Color) -> Color32 {
    Color32::from_rgb(c.0[0], c.0[1], c.0[2])
}

/// A small square in a code's colour, inline with text.
pub fn color_chip(ui: &mut Ui, color: Color32) {
    let size = egui::vec2(10.0, 10.0);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
    ui.painter().rect_stroke(
        rect,
        2.0,
        ui.visuals().widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_report() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1000), "1,000");
        assert_eq!(fmt_count(19234), "19,234");
        assert_eq!(fmt_count(1234567), "1,234,567");
        assert_eq!(fmt_percent(0.123), "12.3 %");
        assert_eq!(fmt_percent(f64::NAN), "–");
        assert_eq!(plural(1, "case", "cases"), "1 case");
        assert_eq!(plural(12, "case", "cases"), "12 cases");
    }
}
