//! Functions of no arguments that stand for a value the caller gives: a workflow's
//! `result()`, `item()`, `succeeded()`, `failed()`.
//!
//! Tera cannot read a field of what a call returns (`result().stdout` does not parse), so
//! each such call is read as a variable of its own before Tera sees the template — when a
//! template is checked and when it renders. A call the caller gave no value for fails to
//! render saying where the function is available.

use regex::Regex;

/// The functions read as values.
pub const VALUE_FUNCTIONS: &[&str] = &["result", "item", "succeeded", "failed"];

const PREFIX: &str = "__attune_value_";

fn call() -> &'static Regex {
    static CALL: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    CALL.get_or_init(|| Regex::new(r"\b(result|item|succeeded|failed)\s*\(\s*\)").expect("a valid pattern"))
}

/// The variable a value function is read as.
pub(crate) fn variable(name: &str) -> String {
    format!("{PREFIX}{name}")
}

/// `text` with every value function call written as its variable.
pub(crate) fn as_variables(text: &str) -> String {
    call().replace_all(text, |c: &regex::Captures| variable(&c[1])).into_owned()
}

/// A render error about a value function's variable, said in the template's own terms.
pub(crate) fn explain(message: String, unavailable: &[(&str, &str)]) -> String {
    if !message.contains(PREFIX) {
        return message;
    }
    for name in VALUE_FUNCTIONS {
        let variable = variable(name);
        if message.contains(&format!("`{variable}` not found")) {
            let hint = unavailable.iter().find(|(n, _)| n == name).map_or("", |(_, hint)| hint);
            return format!("{name}() is not available here{hint}");
        }
        if message.contains(&variable) {
            return message.replace(&variable, &format!("{name}()"));
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_become_variables_and_errors_speak_of_calls() {
        assert_eq!(
            as_variables("{{ result().stdout }} {{ item( ) }}"),
            "{{ __attune_value_result.stdout }} {{ __attune_value_item }}"
        );
        assert_eq!(as_variables("{{ kv(\"a\") }} {{ my_result() }}"), "{{ kv(\"a\") }} {{ my_result() }}");
        let message = "Variable `__attune_value_item` not found in context while rendering 'template'".to_owned();
        assert_eq!(
            explain(message, &[("item", ": only in a task with items")]),
            "item() is not available here: only in a task with items"
        );
    }
}
