//! Every app-level command, declared once: its menu label, keyboard shortcuts and when it is
//! enabled. The menus, the shortcut handler and Help ▸ Keyboard shortcuts are all drawn from
//! this list, so a new command is one new variant here plus its arm in `WeftApp::run_command`.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::WeftApp;
use crate::ui::view::Tab;

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

const fn key(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

/// The digit keys, in order: Alt+digit switches tabs, a bare digit applies a quick code.
const DIGITS: [Key; 9] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

/// Who reacts to a command's shortcut, which decides when the app's handler checks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Always, even while a text field is being edited (opening a project is never typing).
    Global,
    /// Only while no text field, quick-code box, path prompt or modal has the keys: there,
    /// Ctrl+Z undoes typing and a digit is text.
    NotTyping,
    /// egui itself (zoom keys) or a widget (the transcript's find bar): the app's handler
    /// leaves these keys alone, the registry only shows them.
    Elsewhere,
}

/// An app-level command: one menu item and/or keyboard shortcut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppCommand {
    /// File ▸ New project….
    NewProject,
    /// File ▸ Open project….
    OpenProject,
    /// File ▸ Open demo project.
    OpenDemo,
    /// File ▸ Back up now: a snapshot in the backups folder.
    BackUpNow,
    /// File ▸ Import documents….
    Import,
    /// File ▸ Import survey…: a table of open-text answers.
    ImportSurvey,
    /// File ▸ Export ▸ Frequencies.
    ExportFrequencies,
    /// File ▸ Export ▸ All coded segments.
    ExportSegments,
    /// File ▸ Quit.
    Quit,
    /// Edit ▸ Undo.
    Undo,
    /// Edit ▸ Redo.
    Redo,
    /// Find in the transcript (handled by the transcript widget; listed for the help window).
    Find,
    /// Search every document (the Search tab, its query box focused).
    SearchProject,
    /// Code ▸ Quick code: the fuzzy code box.
    QuickCode,
    /// Code ▸ Code in vivo.
    CodeInVivo,
    /// Code ▸ Remove selected coding.
    RemoveCoding,
    /// Code ▸ Apply the n-th quick code (0-based; keys 1–9).
    ApplyQuickCode(usize),
    /// View ▸ a central tab (Alt+1..4).
    ShowTab(Tab),
    /// View ▸ Light/Dark theme.
    ToggleTheme,
    /// View ▸ Show/hide the documents panel (left).
    ToggleDocumentsPanel,
    /// View ▸ Show/hide the codebook panel (right).
    ToggleCodebookPanel,
    /// View ▸ Zoom in.
    ZoomIn,
    /// View ▸ Zoom out.
    ZoomOut,
    /// View ▸ Actual size.
    ZoomReset,
    /// Help ▸ Keyboard shortcuts.
    KeyboardShortcuts,
}

impl AppCommand {
    /// Every command, in the order the shortcut handler tries them: Redo before Undo (egui
    /// matches Ctrl+Z even when Shift is held too), Alt+digit tabs before bare digits.
    pub fn all() -> Vec<AppCommand> {
        use AppCommand::*;
        let mut all = vec![
            NewProject,
            OpenProject,
            OpenDemo,
            BackUpNow,
            Import,
            ImportSurvey,
            ExportFrequencies,
            ExportSegments,
            Quit,
            ToggleTheme,
            ToggleDocumentsPanel,
            ToggleCodebookPanel,
            SearchProject,
        ];
        all.extend(Tab::ALL.iter().map(|t| ShowTab(*t)));
        all.extend([Redo, Undo, Find, QuickCode, CodeInVivo, RemoveCoding]);
        all.extend((0..DIGITS.len()).map(ApplyQuickCode));
        all.extend([ZoomIn, ZoomOut, ZoomReset, KeyboardShortcuts]);
        all
    }

    /// The fixed name, for the help window (menus may show a longer, live label).
    pub fn name(self) -> String {
        match self {
            Self::NewProject => "New project…".into(),
            Self::OpenProject => "Open project…".into(),
            Self::OpenDemo => "Open demo project".into(),
            Self::BackUpNow => "Back up now".into(),
            Self::Import => "Import documents…".into(),
            Self::ImportSurvey => "Import survey (CSV, Excel)…".into(),
            Self::ExportFrequencies => "Frequencies (CSV, JSON, Markdown, Excel)…".into(),
            Self::ExportSegments => "All coded segments (CSV, JSON, Excel)…".into(),
            Self::Quit => "Quit".into(),
            Self::Undo => "Undo".into(),
            Self::Redo => "Redo".into(),
            Self::Find => "Find in document".into(),
            Self::SearchProject => "Search all documents…".into(),
            Self::QuickCode => "Quick code…".into(),
            Self::CodeInVivo => "Code in vivo".into(),
            Self::RemoveCoding => "Remove selected coding".into(),
            Self::ApplyQuickCode(i) => format!("Apply quick code {}", i + 1),
            Self::ShowTab(t) => format!("Show {}", t.title()),
            Self::ToggleTheme => "Toggle light/dark theme".into(),
            Self::ToggleDocumentsPanel => "Show or hide the documents panel".into(),
            Self::ToggleCodebookPanel => "Show or hide the codebook panel".into(),
            Self::ZoomIn => "Zoom in".into(),
            Self::ZoomOut => "Zoom out".into(),
            Self::ZoomReset => "Actual size".into(),
            Self::KeyboardShortcuts => "Keyboard shortcuts".into(),
        }
    }

    /// The label of its menu item now (undo names what it undoes; the theme item names the
    /// other theme).
    pub fn menu_label(self, app: &WeftApp) -> String {
        match self {
            Self::Undo => match &app.view.undo_label {
                Some(l) => format!("Undo {l}"),
                None => "Undo".to_owned(),
            },
            Self::Redo => match &app.view.redo_label {
                Some(l) => format!("Redo {l}"),
                None => "Redo".to_owned(),
            },
            Self::QuickCode => "Quick code…  (Q)".into(),
            Self::RemoveCoding => "Remove selected coding  (Delete)".into(),
            Self::ApplyQuickCode(i) => match app.view.quick_code(i + 1) {
                Some(code) => format!("{}  Apply “{}”", i + 1, app.view.tree.path(code)),
                None => self.name(),
            },
            Self::ShowTab(t) => format!("{}   Alt+{}", t.title(), tab_index(t) + 1),
            Self::ToggleTheme if app.settings.dark => "Light theme".into(),
            Self::ToggleTheme => "Dark theme".into(),
            Self::ToggleDocumentsPanel if app.documents_hidden() => "Show documents panel".into(),
            Self::ToggleDocumentsPanel => "Hide documents panel".into(),
            Self::ToggleCodebookPanel if app.hide_codebook => "Show codebook panel".into(),
            Self::ToggleCodebookPanel => "Hide codebook panel".into(),
            _ => self.name(),
        }
    }

    /// Its keyboard shortcuts, the one shown in menus first.
    pub fn shortcuts(self) -> Vec<KeyboardShortcut> {
        match self {
            Self::NewProject => vec![key(CMD, Key::N)],
            Self::OpenProject => vec![key(CMD, Key::O)],
            Self::Import => vec![key(CMD_SHIFT, Key::I)],
            Self::Quit => vec![key(CMD, Key::Q)],
            Self::Undo => vec![key(CMD, Key::Z)],
            Self::Redo => vec![key(CMD_SHIFT, Key::Z), key(CMD, Key::Y)],
            Self::Find => vec![key(CMD, Key::F)],
            Self::SearchProject => vec![key(CMD_SHIFT, Key::F)],
            Self::QuickCode => vec![key(CMD, Key::K), key(Modifiers::NONE, Key::Q)],
            Self::CodeInVivo => vec![key(CMD, Key::I)],
            Self::RemoveCoding => vec![key(Modifiers::NONE, Key::Delete)],
            Self::ApplyQuickCode(i) => DIGITS
                .get(i)
                .map(|k| key(Modifiers::NONE, *k))
                .into_iter()
                .collect(),
            Self::ShowTab(t) => vec![key(Modifiers::ALT, DIGITS[tab_index(t)])],
            Self::ToggleTheme => vec![key(CMD_SHIFT, Key::L)],
            Self::ToggleDocumentsPanel => vec![key(CMD, Key::OpenBracket)],
            Self::ToggleCodebookPanel => vec![key(CMD, Key::CloseBracket)],
            Self::ZoomIn => vec![key(CMD, Key::Plus)],
            Self::ZoomOut => vec![key(CMD, Key::Minus)],
            Self::ZoomReset => vec![key(CMD, Key::Num0)],
            Self::OpenDemo
            | Self::BackUpNow
            | Self::ImportSurvey
            | Self::ExportFrequencies
            | Self::ExportSegments
            | Self::KeyboardShortcuts => Vec::new(),
        }
    }

    /// The shortcut a menu item shows beside its label. Bare keys are not shown there: the
    /// labels that have one name it already ("(Q)", "(Delete)").
    pub fn menu_shortcut(self) -> Option<KeyboardShortcut> {
        if matches!(self, Self::ShowTab(_)) {
            // The tab items carry "Alt+n" in their label.
            return None;
        }
        self.shortcuts()
            .into_iter()
            .find(|s| s.modifiers != Modifiers::NONE)
    }

    /// When the app's shortcut handler checks for this command's keys.
    pub fn scope(self) -> Scope {
        match self {
            Self::NewProject
            | Self::OpenProject
            | Self::Import
            | Self::Quit
            | Self::ToggleTheme
            | Self::ToggleDocumentsPanel
            | Self::ToggleCodebookPanel
            | Self::SearchProject
            | Self::ShowTab(_) => Scope::Global,
            Self::Find | Self::ZoomIn | Self::ZoomOut | Self::ZoomReset => Scope::Elsewhere,
            _ => Scope::NotTyping,
        }
    }

    /// Whether its menu item can be clicked now. Shortcuts run regardless, so that a command
    /// that cannot act says why in a notice.
    pub fn enabled(self, app: &WeftApp) -> bool {
        let has_project = app.session.is_some();
        let has_sel = app.selection().is_some();
        match self {
            Self::Import | Self::ImportSurvey | Self::ExportFrequencies | Self::ExportSegments => {
                has_project
            }
            Self::BackUpNow => app.view.path.is_some(),
            Self::Undo => app.view.undo_label.is_some(),
            Self::Redo => app.view.redo_label.is_some(),
            Self::QuickCode | Self::CodeInVivo | Self::ApplyQuickCode(_) => has_sel,
            Self::RemoveCoding => app.transcript.selected_coding().is_some(),
            _ => true,
        }
    }
}

fn tab_index(t: Tab) -> usize {
    Tab::ALL.iter().position(|x| *x == t).unwrap_or(0)
}
