//! The comparison operators. Each takes the value found (none when the path is missing)
//! and the criterion's pattern.

use regex::{Regex, RegexBuilder};
use serde_json::Value;

/// Applies `operator`; `Err` only for an unknown operator or an invalid pattern.
pub fn apply(operator: &str, value: Option<&Value>, pattern: &Value) -> Result<bool, String> {
    let Some(value) = value else {
        return match operator {
            "nexists" | "nequals" => Ok(true),
            known if is_known(known) => Ok(false),
            unknown => Err(unknown_operator(unknown)),
        };
    };
    let text = value.as_str();
    let pattern_text = pattern.as_str();
    let both_text = |f: &dyn Fn(&str, &str) -> bool| matches!((text, pattern_text), (Some(v), Some(p)) if f(v, p));
    Ok(match operator {
        "exists" => !value.is_null(),
        "nexists" => value.is_null(),
        "equals" => equals(value, pattern),
        "nequals" => !equals(value, pattern),
        "iequals" => both_text(&|v, p| v.to_lowercase() == p.to_lowercase()),
        "contains" => contains(value, pattern, false) == Some(true),
        "ncontains" => contains(value, pattern, false) == Some(false),
        "icontains" => contains(value, pattern, true) == Some(true),
        "incontains" => contains(value, pattern, true) == Some(false),
        "startswith" => both_text(&|v, p| v.starts_with(p)),
        "istartswith" => both_text(&|v, p| v.to_lowercase().starts_with(&p.to_lowercase())),
        "endswith" => both_text(&|v, p| v.ends_with(p)),
        "iendswith" => both_text(&|v, p| v.to_lowercase().ends_with(&p.to_lowercase())),
        "lessthan" => compare(value, pattern) == Some(std::cmp::Ordering::Less),
        "greaterthan" => compare(value, pattern) == Some(std::cmp::Ordering::Greater),
        "matchwildcard" => match text {
            Some(v) => wildcard(pattern_text.ok_or("matchwildcard needs a string pattern")?)?.is_match(v),
            None => false,
        },
        "regex" => regex_op(text, pattern_text, false, false)?,
        "iregex" => regex_op(text, pattern_text, true, false)?,
        "matchregex" => regex_op(text, pattern_text, false, true)?,
        "timediff_lt" => age_seconds(value).zip(pattern.as_f64()).is_some_and(|(age, limit)| age < limit),
        "timediff_gt" => age_seconds(value).zip(pattern.as_f64()).is_some_and(|(age, limit)| age > limit),
        "inside" => inside(value, pattern) == Some(true),
        "ninside" => inside(value, pattern) == Some(false),
        unknown => return Err(unknown_operator(unknown)),
    })
}

fn is_known(operator: &str) -> bool {
    matches!(
        operator,
        "exists"
            | "equals"
            | "iequals"
            | "contains"
            | "ncontains"
            | "icontains"
            | "incontains"
            | "startswith"
            | "istartswith"
            | "endswith"
            | "iendswith"
            | "lessthan"
            | "greaterthan"
            | "matchwildcard"
            | "regex"
            | "iregex"
            | "matchregex"
            | "timediff_lt"
            | "timediff_gt"
            | "inside"
            | "ninside"
            | "search"
    )
}

fn unknown_operator(operator: &str) -> String {
    format!("unknown operator '{operator}'")
}

/// JSON equality, with numbers compared by value (`1` equals `1.0`).
fn equals(value: &Value, pattern: &Value) -> bool {
    match (value.as_f64(), pattern.as_f64()) {
        (Some(a), Some(b)) if value.is_number() && pattern.is_number() => a == b,
        _ => value == pattern,
    }
}

/// Substring of a string, or element of a list (strings compared case-insensitively when
/// `ignore_case`); `None` when the types do not fit.
fn contains(value: &Value, pattern: &Value, ignore_case: bool) -> Option<bool> {
    let fold = |s: &str| if ignore_case { s.to_lowercase() } else { s.to_owned() };
    match value {
        Value::String(text) => pattern.as_str().map(|p| fold(text).contains(&fold(p))),
        Value::Array(items) => Some(items.iter().any(|item| match (item.as_str(), pattern.as_str()) {
            (Some(a), Some(b)) => fold(a) == fold(b),
            _ => !ignore_case && equals(item, pattern),
        })),
        _ => None,
    }
}

/// Whether `value` is inside `pattern`: an element of a list, a substring of a string, or a
/// key of a mapping; `None` when the types do not fit.
fn inside(value: &Value, pattern: &Value) -> Option<bool> {
    match pattern {
        Value::Array(items) => Some(items.iter().any(|item| equals(value, item))),
        Value::String(text) => value.as_str().map(|v| text.contains(v)),
        Value::Object(fields) => value.as_str().map(|v| fields.contains_key(v)),
        _ => None,
    }
}

/// Numbers by value, strings lexically; `None` for anything else or mixed types.
fn compare(value: &Value, pattern: &Value) -> Option<std::cmp::Ordering> {
    match (value, pattern) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Regular-expression search (`regex`, `iregex`: anywhere in the value) or match anchored
/// at the start (`matchregex`, like Python's `re.match`). `.` matches newlines, as in
/// StackStorm (`re.DOTALL`).
fn regex_op(text: Option<&str>, pattern: Option<&str>, ignore_case: bool, anchored: bool) -> Result<bool, String> {
    let pattern = pattern.ok_or("a regular expression pattern must be a string")?;
    let source = if anchored { format!(r"\A(?:{pattern})") } else { pattern.to_owned() };
    let regex = RegexBuilder::new(&source)
        .case_insensitive(ignore_case)
        .dot_matches_new_line(true)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))?;
    Ok(text.is_some_and(|t| regex.is_match(t)))
}

/// A shell wildcard (`*`, `?`, `[...]`, `[!...]`) as an anchored regular expression.
fn wildcard(pattern: &str) -> Result<Regex, String> {
    let mut source = String::from(r"\A");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => source.push_str(".*"),
            '?' => source.push('.'),
            '[' => {
                let mut class = String::from("[");
                if chars.peek() == Some(&'!') {
                    chars.next();
                    class.push('^');
                }
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == ']' {
                        closed = true;
                        break;
                    }
                    if c == '\\' || c == '[' {
                        class.push('\\');
                    }
                    class.push(c);
                }
                if !closed {
                    return Err(format!("invalid wildcard '{pattern}': unclosed '['"));
                }
                class.push(']');
                source.push_str(&class);
            }
            other => source.push_str(&regex::escape(&other.to_string())),
        }
    }
    source.push_str(r"\z");
    RegexBuilder::new(&source)
        .dot_matches_new_line(true)
        .build()
        .map_err(|e| format!("invalid wildcard '{pattern}': {e}"))
}

/// Seconds since a timestamp given as RFC 3339 text or seconds since the epoch.
fn age_seconds(value: &Value) -> Option<f64> {
    let at = match value {
        Value::String(text) => chrono::DateTime::parse_from_rfc3339(text).ok()?.to_utc(),
        Value::Number(n) => chrono::DateTime::from_timestamp_millis((n.as_f64()? * 1000.0) as i64)?,
        _ => return None,
    };
    Some((chrono::Utc::now() - at).num_milliseconds() as f64 / 1000.0)
}
