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
        "regex" => regex_op(text, pattern_text, RegexMode::Search)?,
        "iregex" => regex_op(text, pattern_text, RegexMode::SearchIgnoringCase)?,
        "matchregex" => regex_op(text, pattern_text, RegexMode::MatchAtStart)?,
        "timediff_lt" => age_seconds(value).zip(seconds(pattern)).is_some_and(|(age, limit)| age < limit),
        "timediff_gt" => age_seconds(value).zip(seconds(pattern)).is_some_and(|(age, limit)| age > limit),
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
        // Like Python's `in` on a dict: the keys.
        Value::Object(fields) => pattern.as_str().map(|p| fields.keys().any(|k| fold(k) == fold(p))),
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

/// How a regular-expression operator applies its pattern (as StackStorm does with
/// Python's `re`).
#[derive(Clone, Copy)]
enum RegexMode {
    /// `regex`: anywhere in the value (`re.search`).
    Search,
    /// `iregex`: anywhere, ignoring case.
    SearchIgnoringCase,
    /// `matchregex`: at the start of the value (`re.match`), `.` matching newlines
    /// (`re.DOTALL`).
    MatchAtStart,
}

fn regex_op(text: Option<&str>, pattern: Option<&str>, mode: RegexMode) -> Result<bool, String> {
    let pattern = pattern.ok_or("a regular expression pattern must be a string")?;
    let (source, ignore_case, dot_all) = match mode {
        RegexMode::Search => (pattern.to_owned(), false, false),
        RegexMode::SearchIgnoringCase => (pattern.to_owned(), true, false),
        RegexMode::MatchAtStart => (format!(r"\A(?:{pattern})"), false, true),
    };
    let regex = cached(&source, ignore_case, dot_all)
        .map_err(|e| format!("invalid regular expression (look-around and back-references are not supported): {e}"))?;
    Ok(text.is_some_and(|t| regex.is_match(t)))
}

/// Compiled patterns, shared by every evaluation: rules run for every event, and the same
/// few patterns recur. Bounded by clearing when full.
type RegexCache = std::sync::Mutex<std::collections::HashMap<(String, bool, bool), Regex>>;

fn cached(source: &str, ignore_case: bool, dot_all: bool) -> Result<Regex, regex::Error> {
    static CACHE: std::sync::OnceLock<RegexCache> = std::sync::OnceLock::new();
    const LIMIT: usize = 1024;
    let cache = CACHE.get_or_init(Default::default);
    let key = (source.to_owned(), ignore_case, dot_all);
    if let Some(regex) = cache.lock().expect("regex cache lock").get(&key) {
        return Ok(regex.clone());
    }
    let regex = RegexBuilder::new(source).case_insensitive(ignore_case).dot_matches_new_line(dot_all).build()?;
    let mut cache = cache.lock().expect("regex cache lock");
    if cache.len() >= LIMIT {
        cache.clear();
    }
    cache.insert(key, regex.clone());
    Ok(regex)
}

/// A shell wildcard as Python's `fnmatch` reads it (`*`, `?`, `[seq]`, `[!seq]`; a `]`
/// first in a class is literal, and so is a leading `^`), as an anchored expression.
fn wildcard(pattern: &str) -> Result<Regex, String> {
    let mut source = String::from(r"\A");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => source.push_str(".*"),
            '?' => source.push('.'),
            '[' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'!') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    // No closing bracket: a literal '[', as in fnmatch.
                    source.push_str(r"\[");
                } else {
                    let mut members: &[char] = &chars[i + 1..j];
                    source.push('[');
                    if members.first() == Some(&'!') {
                        source.push('^');
                        members = &members[1..];
                    }
                    for c in members {
                        // Escape what is special inside a Rust class but literal in fnmatch.
                        if matches!(c, '\\' | '[' | ']' | '^' | '&' | '~') {
                            source.push('\\');
                        }
                        source.push(*c);
                    }
                    source.push(']');
                    i = j;
                }
            }
            other => source.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    source.push_str(r"\z");
    cached(&source, false, true).map_err(|e| format!("invalid wildcard '{pattern}': {e}"))
}

/// A number of seconds, given as a number or as text.
fn seconds(pattern: &Value) -> Option<f64> {
    pattern.as_f64().or_else(|| pattern.as_str()?.trim().parse().ok())
}

/// Seconds since a timestamp given as RFC 3339 text (without an offset: UTC) or seconds since
/// the epoch.
fn age_seconds(value: &Value) -> Option<f64> {
    let at = match value {
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(at) => at.to_utc(),
            Err(_) => chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?.and_utc(),
        },
        Value::Number(n) => chrono::DateTime::from_timestamp_millis((n.as_f64()? * 1000.0) as i64)?,
        _ => return None,
    };
    Some((chrono::Utc::now() - at).num_milliseconds() as f64 / 1000.0)
}
