//! Registering packs into a real store: all or nothing, idempotent, cross-pack references.

use std::sync::Arc;

use crate::support::{sample_files, write_pack};
use attune_domain::page::PageRequest;
use attune_packs::{PackError, register_pack, register_packs_dir};
use attune_store::{ComponentFilter, Store, StoreError};

async fn store(dir: &std::path::Path) -> Arc<dyn Store> {
    attune_store::connect(&format!("sqlite://{}/attune.db", dir.display())).await.unwrap()
}

#[tokio::test]
async fn registers_and_reregisters_idempotently() {
    let root = tempfile::tempdir().unwrap();
    let store = store(root.path()).await;
    let dir = write_pack(root.path(), "sample", &sample_files());
    let first = register_pack(store.as_ref(), &dir).await.unwrap();
    assert_eq!(first.pack_ref, "sample");
    assert_eq!((first.summary.created, first.summary.updated, first.summary.deleted), (7, 0, 0));
    let action_id = store.get_action("sample.notify").await.unwrap().id;

    let again = register_pack(store.as_ref(), &dir).await.unwrap();
    assert_eq!((again.summary.created, again.summary.updated, again.summary.deleted), (0, 7, 0));
    assert_eq!(store.get_action("sample.notify").await.unwrap().id, action_id, "updated in place");

    std::fs::remove_file(dir.join("policies/one_at_a_time.yaml")).unwrap();
    let trimmed = register_pack(store.as_ref(), &dir).await.unwrap();
    assert_eq!(trimmed.summary.deleted, 1);
    assert!(matches!(store.get_policy("sample.one_at_a_time").await, Err(StoreError::NotFound { .. })));
}

#[tokio::test]
async fn a_broken_file_stores_nothing() {
    let root = tempfile::tempdir().unwrap();
    let store = store(root.path()).await;
    let mut files = sample_files();
    files.push(("rules/dangling.yaml", "trigger: sample.alert\naction: elsewhere.missing\n"));
    let dir = write_pack(root.path(), "sample", &files);
    let error = register_pack(store.as_ref(), &dir).await.unwrap_err();
    let PackError::Invalid { problems, .. } = error else { panic!("expected invalid pack") };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, "rules/dangling.yaml");
    assert!(problems[0].message.contains("action 'elsewhere.missing' does not exist"));
    assert!(matches!(store.get_pack("sample").await, Err(StoreError::NotFound { .. })));
    let actions = store.list_actions(&ComponentFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(actions.total, 0);
}

#[tokio::test]
async fn packs_may_refer_to_each_other_in_any_order() {
    let root = tempfile::tempdir().unwrap();
    let store = store(root.path()).await;
    let packs = root.path().join("packs");
    write_pack(
        &packs,
        "aaa",
        &[("pack.yaml", "ref: aaa\nversion: 1.0.0\n"), ("rules/use_b.yaml", "trigger: bbb.tick\naction: bbb.act\n")],
    );
    write_pack(
        &packs,
        "bbb",
        &[
            ("pack.yaml", "ref: bbb\nversion: 1.0.0\n"),
            ("triggers/tick.yaml", "name: tick\n"),
            ("actions/act.yaml", "name: act\nrunner_type: shell\nentry_point: act.sh\n"),
            ("actions/act.sh", "echo\n"),
        ],
    );
    write_pack(&packs, "broken", &[("pack.yaml", "ref: broken\n")]);
    let outcomes = register_packs_dir(store.as_ref(), &packs).await.unwrap();
    let ok: Vec<String> = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok().map(|p| p.pack_ref.clone())).collect();
    assert_eq!(ok, ["bbb", "aaa"]);
    let failed: Vec<_> = outcomes.iter().filter(|(_, r)| r.is_err()).collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].0.ends_with("broken"));
    assert_eq!(store.get_rule("aaa.use_b").await.unwrap().action_ref, "bbb.act");
}

#[tokio::test]
async fn rule_parameters_are_checked_against_their_targets() {
    let root = tempfile::tempdir().unwrap();
    let store = store(root.path()).await;
    let mut files = sample_files();
    files.push((
        "rules/wrong.yaml",
        "trigger: sample.alert\ntrigger_parameters: {level: 3}\naction: sample.notify\nparameters: {colour: red}\n",
    ));
    let dir = write_pack(root.path(), "sample", &files);
    let error = register_pack(store.as_ref(), &dir).await.unwrap_err();
    let messages: Vec<String> = error.problems().iter().map(|p| p.to_string()).collect();
    assert!(messages.iter().any(|m| m.starts_with("rules/wrong.yaml: trigger_parameters: level")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("has no parameter 'colour'")), "{messages:?}");
}
