//! What commands print: aligned tables and YAML for people, JSON for scripts (`--json`),
//! and spinners on long waits that show only when standard error is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::Value;

/// A column of a table: its header and where its value is in each row (a JSON pointer).
pub struct Column {
    /// Header.
    pub header: &'static str,
    /// JSON pointer into a row (`/action_ref`).
    pub pointer: &'static str,
}

/// Shorthand for a list of columns.
pub const fn col(header: &'static str, pointer: &'static str) -> Column {
    Column { header, pointer }
}

/// The longest cell shown; longer values are cut with an ellipsis.
const CELL_MAX: usize = 60;

/// Renders `rows` as a table with `columns`, or says there are none.
pub fn table(columns: &[Column], rows: &[Value]) -> String {
    if rows.is_empty() {
        return "(none)\n".into();
    }
    let cells: Vec<Vec<String>> =
        rows.iter().map(|row| columns.iter().map(|c| cell(row.pointer(c.pointer))).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| r[i].chars().count()).chain([c.header.len()]).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let mut line = |values: Vec<&str>| {
        let mut text = String::new();
        for (i, value) in values.iter().enumerate() {
            if i + 1 == values.len() {
                text.push_str(value);
            } else {
                text.push_str(&format!("{value:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(columns.iter().map(|c| c.header).collect());
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// One value as a table cell: strings bare, absent values empty, the rest as compact JSON,
/// all on one line and at most [`CELL_MAX`] characters.
fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().count() > CELL_MAX {
        let cut: String = text.chars().take(CELL_MAX - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// An output line of an execution as it may be written to a terminal: control characters
/// (escape sequences an action could use to rewrite the screen, set the clipboard or the
/// window title) shown as `^[`-style text. Lines written to a pipe or file are left as they are.
pub fn terminal_safe(text: &str, terminal: bool) -> std::borrow::Cow<'_, str> {
    if !terminal || !text.chars().any(|c| c.is_control() && c != '\t') {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            '\t' => "\t".to_owned(),
            c if (c as u32) < 0x20 => format!("^{}", char::from(b'@' + c as u8)),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// Prints a value: JSON with `--json`, YAML otherwise.
pub fn show(value: &Value, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
    } else {
        print!("{}", serde_yaml_ng::to_string(value).unwrap_or_default());
    }
}

/// Prints a list answer's rows: JSON (the rows) with `--json`, a table otherwise, with the
/// total when the page holds fewer rows than the list.
pub fn list(answer: &Value, columns: &[Column], json: bool) {
    let rows = answer["data"].as_array().cloned().unwrap_or_default();
    if json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(rows)).unwrap_or_default());
        return;
    }
    print!("{}", table(columns, &rows));
    if let Some(total) = answer["pagination"]["total"].as_u64()
        && total > rows.len() as u64
    {
        println!("({} of {total} shown; --limit shows more)", rows.len());
    }
}

/// A spinner with `message` on standard error while something long runs; nothing when
/// standard error is not a terminal (a script, a pipe, CI).
pub fn spinner(message: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_table_aligns_its_columns_and_cuts_long_cells() {
        let rows = [
            json!({"id": 1, "ref": "core.echo", "meta": {"a": 1}}),
            json!({"id": 22, "ref": "x".repeat(80), "meta": null}),
        ];
        let text = table(&[col("ID", "/id"), col("REF", "/ref"), col("META", "/meta")], &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("ID  {:<60}  META", "REF"));
        assert_eq!(lines[1], format!("1   {:<60}  {{\"a\":1}}", "core.echo"));
        assert!(lines[2].starts_with("22  xxx") && lines[2].ends_with('…'), "{}", lines[2]);
        assert_eq!(table(&[col("ID", "/id")], &[]), "(none)\n");
    }

    #[test]
    fn control_characters_in_a_cell_cannot_move_the_cursor() {
        assert_eq!(cell(Some(&json!("a\u{1b}[2Jb\nc"))), "a [2Jb c");
    }

    #[test]
    fn output_lines_on_a_terminal_cannot_send_escape_sequences() {
        let hostile = "ok \u{1b}]52;c;cHduZWQ=\u{7} \u{9b}2J\tend";
        assert_eq!(terminal_safe(hostile, true), "ok ^[]52;c;cHduZWQ=^G \\u{9b}2J\tend");
        assert_eq!(terminal_safe(hostile, false), hostile);
    }
}
