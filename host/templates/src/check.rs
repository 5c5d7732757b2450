//! The constructs a template may not use, found on its parsed form.
//!
//! `include`, `extends`, `import` and blocks would reach other templates (there are none,
//! but the refusal is the point); macros allow recursion, whose depth nothing bounds; and
//! `set_global` lets a loop grow a value at every iteration (doubling a string 30 times
//! is a gigabyte). Everything else of Tera's language is allowed, under the render's
//! limits.

use serde_json::Value;
use tera::ast::{Block, Forloop, If, Node};

use crate::render::{TemplateError, is_template};

/// Parses every template string in `value` and checks it, naming the first problem and
/// where it is (`parameters.text`); `at` names `value` itself.
pub fn check_value(value: &Value, at: &str) -> Result<(), TemplateError> {
    match value {
        Value::String(text) if is_template(text) => {
            let source = crate::values::as_variables(&crate::kv::with_named_arguments(text));
            let template = tera::Template::new("template", None, &source)
                .map_err(|e| TemplateError { at: at.to_owned(), message: crate::render::describe(&e) })?;
            check_nodes(&template.ast).map_err(|message| TemplateError { at: at.to_owned(), message })
        }
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, item)| check_value(item, &format!("{at}[{i}]")))
        }
        Value::Object(fields) => fields.iter().try_for_each(|(key, field)| check_value(field, &format!("{at}.{key}"))),
        _ => Ok(()),
    }
}

/// Why `nodes` may not be rendered, if they may not.
pub(crate) fn check_nodes(nodes: &[Node]) -> Result<(), String> {
    for node in nodes {
        let refused = match node {
            Node::Extends(..) => Some("`extends`"),
            Node::Include(..) => Some("`include`"),
            Node::ImportMacro(..) => Some("`import`"),
            Node::MacroDefinition(..) => Some("macros"),
            Node::Block(..) | Node::Super => Some("blocks"),
            Node::Set(_, set) if set.global => Some("`set_global`"),
            _ => None,
        };
        if let Some(what) = refused {
            return Err(format!("{what} cannot be used in Attune templates"));
        }
        for body in bodies(node) {
            check_nodes(body)?;
        }
    }
    Ok(())
}

/// The nested bodies of `node`.
pub(crate) fn bodies(node: &Node) -> Vec<&Vec<Node>> {
    match node {
        Node::Forloop(_, Forloop { body, empty_body, .. }, _) => std::iter::once(body).chain(empty_body).collect(),
        Node::If(If { conditions, otherwise }, _) => {
            conditions.iter().map(|(_, _, body)| body).chain(otherwise.as_ref().map(|(_, body)| body)).collect()
        }
        Node::FilterSection(_, section, _) => vec![&section.body],
        Node::Block(_, Block { body, .. }, _) => vec![body],
        Node::MacroDefinition(_, definition, _) => vec![&definition.body],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn what_reaches_elsewhere_or_recurses_is_refused_and_the_rest_is_not() {
        let ok = json!({"a": "{{ event.id }}", "b": ["{% for x in [1, 2] %}{{ x }}{% endfor %}"], "c": 3});
        assert_eq!(check_value(&ok, "parameters"), Ok(()));
        let refused = [
            ("{% include \"x\" %}", "`include`"),
            ("{% extends \"base\" %}", "`extends`"),
            ("{% import \"m\" as m %}{{ m::f() }}", "`import`"),
            ("{% macro f() %}{{ self::f() }}{% endmacro f %}", "macros"),
            ("{% for i in [1] %}{% set_global s = 1 %}{% endfor %}", "`set_global`"),
        ];
        for (template, what) in refused {
            let error = check_value(&json!({"deep": [template]}), "parameters").unwrap_err();
            assert_eq!(error.at, "parameters.deep[0]", "{template}");
            assert_eq!(error.message, format!("{what} cannot be used in Attune templates"), "{template}");
        }
        let broken = check_value(&json!("{{ unclosed"), "parameters").unwrap_err();
        assert_eq!(broken.at, "parameters");
    }
}
