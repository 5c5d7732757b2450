//! Every criteria operator, table-driven: each row is a value, a pattern and the expected
//! outcome, covering matching, non-matching and type-mismatch cases.

use attune_rule_engine::{EventView, evaluate};
use serde_json::{Value, json};

/// Evaluates one criterion `{type: operator, pattern}` on `trigger.value` = `value`.
fn check(operator: &str, value: Value, pattern: Value) -> bool {
    let event = EventView {
        id: 1,
        trigger: "t.t".into(),
        created: "2026-01-01T00:00:00Z".into(),
        payload: json!({ "value": value }),
    };
    evaluate(&json!({ "trigger.value": { "type": operator, "pattern": pattern } }), &event).unwrap()
}

/// Runs `(value, pattern, expected)` rows for an operator.
fn table(operator: &str, rows: &[(Value, Value, bool)]) {
    for (value, pattern, expected) in rows {
        assert_eq!(
            check(operator, value.clone(), pattern.clone()),
            *expected,
            "{operator}: value {value}, pattern {pattern}"
        );
    }
}

fn ago(seconds: i64) -> Value {
    json!((chrono::Utc::now() - chrono::Duration::seconds(seconds)).to_rfc3339())
}

#[test]
fn equality() {
    table(
        "equals",
        &[
            (json!("error"), json!("error"), true),
            (json!(3), json!(3.0), true),
            (json!({"a": [1]}), json!({"a": [1]}), true),
            (json!("error"), json!("warning"), false),
            (json!("3"), json!(3), false), // type mismatch
        ],
    );
    table(
        "nequals",
        &[
            (json!("error"), json!("warning"), true),
            (json!("error"), json!("error"), false),
            (json!("3"), json!(3), true), // different types are not equal
        ],
    );
    table(
        "iequals",
        &[
            (json!("ERROR"), json!("error"), true),
            (json!("error"), json!("warn"), false),
            (json!(1), json!("1"), false), // type mismatch
        ],
    );
}

#[test]
fn containment() {
    table(
        "contains",
        &[
            (json!("api-gateway"), json!("gate"), true),
            (json!(["a", "b"]), json!("b"), true),
            (json!([1, 2]), json!(2), true),
            (json!("api-gateway"), json!("db"), false),
            (json!("API"), json!("api"), false),
            (json!(42), json!("4"), false), // type mismatch
        ],
    );
    table(
        "ncontains",
        &[
            (json!("api-gateway"), json!("db"), true),
            (json!(["a"]), json!("b"), true),
            (json!("api-gateway"), json!("api"), false),
            (json!(42), json!("7"), false), // type mismatch: nothing to check
        ],
    );
    table(
        "icontains",
        &[
            (json!("API-Gateway"), json!("gateway"), true),
            (json!(["A", "B"]), json!("b"), true),
            (json!("api"), json!("db"), false),
            (json!({"K": 1}), json!("k"), true), // a mapping's keys
            (json!(7), json!("7"), false),       // type mismatch
        ],
    );
    table(
        "incontains",
        &[
            (json!("API"), json!("db"), true),
            (json!("API"), json!("api"), false),
            (json!(1.5), json!("1"), false), // type mismatch
        ],
    );
}

#[test]
fn prefixes_and_suffixes() {
    table(
        "startswith",
        &[
            (json!("api-gw"), json!("api-"), true),
            (json!("API-gw"), json!("api-"), false),
            (json!(12), json!("1"), false),
        ],
    );
    table(
        "istartswith",
        &[(json!("API-gw"), json!("api-"), true), (json!("db"), json!("api"), false), (json!(null), json!("a"), false)],
    );
    table(
        "endswith",
        &[
            (json!("main.rs"), json!(".rs"), true),
            (json!("main.RS"), json!(".rs"), false),
            (json!(["x.rs"]), json!(".rs"), false),
        ],
    );
    table(
        "iendswith",
        &[
            (json!("main.RS"), json!(".rs"), true),
            (json!("main.py"), json!(".rs"), false),
            (json!(true), json!("e"), false),
        ],
    );
}

#[test]
fn ordering() {
    table(
        "lessthan",
        &[
            (json!(3), json!(10), true),
            (json!(2.5), json!(2.6), true),
            (json!("abc"), json!("abd"), true),
            (json!(10), json!(3), false),
            (json!(3), json!(3), false),
            (json!("3"), json!(10), false), // type mismatch
        ],
    );
    table(
        "greaterthan",
        &[
            (json!(10), json!(3), true),
            (json!("b"), json!("a"), true),
            (json!(3), json!(10), false),
            (json!([5]), json!(1), false), // type mismatch
        ],
    );
}

#[test]
fn patterns() {
    table(
        "matchwildcard",
        &[
            (json!("api-gateway-7"), json!("api-*-?"), true),
            (json!("host3"), json!("host[1-4]"), true),
            (json!("host9"), json!("host[!9]"), false),
            (json!("db-1"), json!("api-*"), false),
            (json!("a.b"), json!("a?b"), true),
            (json!("axb"), json!("a.b"), false), // '.' is literal in a wildcard
            (json!("a]"), json!("a[]]"), true),  // ']' first in a class is literal, as in fnmatch
            (json!("a^"), json!("a[^x]"), true), // so is a leading '^'
            (json!("ab"), json!("a[^x]"), false),
            (json!("a[b"), json!("a[b"), true), // an unclosed '[' is literal
            (json!(7), json!("7"), false),      // type mismatch
        ],
    );
    table(
        "regex",
        &[
            (json!("error in api"), json!("api$"), true),
            (json!("error in api"), json!("^api"), false),
            (json!("line1\nline2"), json!("line1.line2"), false), // '.' stops at newlines, as in re.search
            (json!(404), json!("40"), false),                     // type mismatch
        ],
    );
    table(
        "iregex",
        &[(json!("ERROR"), json!("err"), true), (json!("ok"), json!("err"), false), (json!(false), json!("f"), false)],
    );
    table(
        "matchregex",
        &[
            (json!("api-gw"), json!("api-"), true), // anchored at the start only, like re.match
            (json!("my-api-gw"), json!("api-"), false),
            (json!("api-gw"), json!("^api-gw$"), true),
            (json!(1), json!("1"), false), // type mismatch
        ],
    );
}

#[test]
fn time_differences() {
    table(
        "timediff_lt",
        &[
            (ago(5), json!(60), true),
            (ago(120), json!(60), false),
            (json!("not a time"), json!(60), false), // type mismatch
        ],
    );
    table(
        "timediff_gt",
        &[
            (ago(120), json!(60), true),
            (ago(5), json!(60), false),
            (json!(chrono::Utc::now().timestamp() - 3600), json!(60), true), // epoch seconds
            (ago(120), json!("60"), true),                                   // seconds as text
            (
                json!(
                    (chrono::Utc::now() - chrono::Duration::seconds(120))
                        .naive_utc()
                        .format("%Y-%m-%dT%H:%M:%S")
                        .to_string()
                ),
                json!(60),
                true,
            ), // no offset: UTC
            (json!({"at": 1}), json!(60), false),                            // type mismatch
        ],
    );
}

#[test]
fn existence() {
    let event = EventView {
        id: 1,
        trigger: "t.t".into(),
        created: "2026-01-01T00:00:00Z".into(),
        payload: json!({"present": 0, "nothing": null}),
    };
    let holds = |path: &str, operator: &str| evaluate(&json!({ path: { "type": operator } }), &event).unwrap();
    assert!(holds("trigger.present", "exists"));
    assert!(!holds("trigger.absent", "exists"));
    assert!(!holds("trigger.nothing", "exists"), "null counts as absent");
    assert!(holds("trigger.absent", "nexists"));
    assert!(!holds("trigger.present", "nexists"));
    // Every other operator does not match a missing path, except plain inequality.
    assert!(!holds("trigger.absent", "equals"));
    assert!(!holds("trigger.absent", "ncontains"));
    assert!(holds("trigger.absent", "nequals"));
}

#[test]
fn membership() {
    table(
        "inside",
        &[
            (json!("b"), json!(["a", "b"]), true),
            (json!("gate"), json!("api-gateway"), true),
            (json!("k"), json!({"k": 1}), true),
            (json!("z"), json!(["a", "b"]), false),
            (json!(1), json!("123"), false), // type mismatch
        ],
    );
    table(
        "ninside",
        &[
            (json!("z"), json!(["a", "b"]), true),
            (json!("a"), json!(["a", "b"]), false),
            (json!(1), json!(7), false), // type mismatch
        ],
    );
}

#[test]
fn search_over_list_items() {
    let hosts = json!([{"name": "web-1", "cpu": 95}, {"name": "web-2", "cpu": 20}]);
    let any_hot = json!({"condition": "any", "items": {"cpu": {"type": "greaterthan", "pattern": 90}}});
    let all_hot = json!({"condition": "all", "items": {"cpu": {"type": "greaterthan", "pattern": 90}}});
    let all_web = json!({"condition": "all", "items": {"name": {"type": "startswith", "pattern": "web-"}, "cpu": {"type": "lessthan", "pattern": 100}}});
    assert!(check("search", hosts.clone(), any_hot.clone()));
    assert!(!check("search", hosts.clone(), all_hot));
    assert!(check("search", hosts.clone(), all_web));
    assert!(!check("search", json!([]), any_hot.clone()), "no item of an empty list matches");
    assert!(
        check("search", json!([]), json!({"condition": "all", "items": {"cpu": {"type": "exists"}}})),
        "like Python's all([])"
    );
    assert!(check("search", json!({"name": "web-1", "cpu": 95}), any_hot.clone()), "a mapping is one item");
    assert!(!check("search", json!("not a list"), any_hot), "type mismatch");

    // The StackStorm shape: `condition` beside `type`, the item criteria as the pattern.
    let event = EventView { id: 1, trigger: "t.t".into(), created: "c".into(), payload: json!({"hosts": hosts}) };
    let st2 = json!({"trigger.hosts": {"type": "search", "condition": "any", "pattern": {"item.cpu": {"type": "greaterthan", "pattern": 90}}}});
    assert!(evaluate(&st2, &event).unwrap());
    let st2_all = json!({"trigger.hosts": {"type": "search", "condition": "all", "pattern": {"item.cpu": {"type": "greaterthan", "pattern": 90}}}});
    assert!(!evaluate(&st2_all, &event).unwrap());
}

#[test]
fn every_criterion_must_hold_and_empty_criteria_match() {
    let event = EventView {
        id: 1,
        trigger: "t.t".into(),
        created: "c".into(),
        payload: json!({"body": {"level": "error", "service": "api-gw"}}),
    };
    let both = json!({
        "trigger.body.level": {"type": "equals", "pattern": "error"},
        "event.payload.body.service": {"type": "matchregex", "pattern": "api-"},
    });
    assert!(evaluate(&both, &event).unwrap());
    let one_fails = json!({
        "trigger.body.level": {"type": "equals", "pattern": "error"},
        "trigger.body.service": {"type": "startswith", "pattern": "db-"},
    });
    assert!(!evaluate(&one_fails, &event).unwrap());
    assert!(evaluate(&json!({}), &event).unwrap());
    assert!(evaluate(&Value::Null, &event).unwrap());
}

#[test]
fn malformed_criteria_are_errors() {
    let event = EventView { id: 1, trigger: "t.t".into(), created: "c".into(), payload: json!({"v": "x"}) };
    let cases = [
        (json!({"trigger.v": {"type": "looks_like", "pattern": 1}}), "unknown operator"),
        (json!({"trigger.v": {"type": "regex", "pattern": "("}}), "invalid regular expression"),
        (json!({"trigger.v": {"type": "matchwildcard", "pattern": 7}}), "needs a string pattern"),
        (json!({"trigger.v": {"pattern": 1}}), "needs a 'type'"),
        (json!({"trigger.v": {"type": "search", "pattern": {"condition": "some", "items": {}}}}), "'any' or 'all'"),
        (json!({"trigger.v": {"type": "search", "pattern": {"condition": "any"}}}), "needs item criteria"),
        (json!(["not", "a", "mapping"]), "must be a mapping"),
    ];
    for (criteria, fragment) in cases {
        let error = evaluate(&criteria, &event).unwrap_err();
        assert!(error.to_string().contains(fragment), "{criteria}: {error}");
    }
    // Unknown operators are errors even when the path is missing.
    assert!(evaluate(&json!({"trigger.absent": {"type": "looks_like"}}), &event).is_err());
}
