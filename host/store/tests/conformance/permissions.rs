//! Permission sets (standalone and pack-owned), their grants, and their assignment to
//! identities.

use crate::support::*;

conformance_tests!(
    creates_and_replaces_a_standalone_permission_set,
    lists_permission_sets_in_ref_order_page_by_page,
    replaces_the_grants_of_a_permission_set,
    a_pack_owned_permission_set_is_changed_only_through_its_pack,
    assigns_and_unassigns_permission_sets,
    assignments_need_an_existing_identity_and_set,
    deletes_a_permission_set,
);

async fn creates_and_replaces_a_standalone_permission_set(store: &TestStore) {
    let created = store.upsert_permission_set(&permission_set("auditors")).await.unwrap();
    assert_eq!((created.r#ref.as_str(), created.pack, created.pack_ref.as_deref()), ("auditors", None, None));
    assert_eq!(created.grants, [grant("action:view,execute")]);
    assert_eq!(store.get_permission_set("auditors").await.unwrap(), created);

    let mut changed = permission_set("auditors");
    changed.label = "Auditors".into();
    changed.description = None;
    changed.grants = vec![grant("execution:view"), grant("*@core:view")];
    let replaced = store.upsert_permission_set(&changed).await.unwrap();
    assert_eq!((replaced.id, replaced.created), (created.id, created.created));
    assert_eq!((replaced.label.as_str(), replaced.description.as_deref()), ("Auditors", None));
    assert_eq!(replaced.grants, changed.grants);
    assert_eq!(store.get_permission_set("auditors").await.unwrap(), replaced);
}

async fn lists_permission_sets_in_ref_order_page_by_page(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    for set_ref in ["viewer", "admin", "operator", "editor"] {
        store.upsert_permission_set(&permission_set(set_ref)).await.unwrap();
    }
    let first = store.list_permission_sets(page(1, 3)).await.unwrap();
    assert_eq!(refs!(first), ["admin", "editor", "operator"]);
    assert_eq!((first.total, first.request), (5, page(1, 3)));
    let second = store.list_permission_sets(page(2, 3)).await.unwrap();
    assert_eq!(refs!(second), ["sample.operators", "viewer"]);
}

async fn replaces_the_grants_of_a_permission_set(store: &TestStore) {
    let created = store.upsert_permission_set(&permission_set("auditors")).await.unwrap();
    let grants = [grant("key@sample:view,modify"), grant("inquiry:respond")];
    let updated = store.set_grants("auditors", &grants).await.unwrap();
    assert_eq!(updated.grants, grants);
    assert_eq!((updated.id, updated.label.as_str()), (created.id, created.label.as_str()));
    assert_eq!(store.get_permission_set("auditors").await.unwrap().grants, grants);
    assert!(store.set_grants("auditors", &[]).await.unwrap().grants.is_empty());
    assert_not_found(store.set_grants("missing", &grants).await);
}

async fn a_pack_owned_permission_set_is_changed_only_through_its_pack(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let owned = store.get_permission_set("sample.operators").await.unwrap();
    let mut takeover = permission_set("sample.operators");
    takeover.grants = vec![grant("*:view,create,modify,delete")];
    assert_conflict(store.upsert_permission_set(&takeover).await);
    assert_eq!(store.get_permission_set("sample.operators").await.unwrap(), owned);
}

async fn assigns_and_unassigns_permission_sets(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let bob = store.create_identity(&new_identity("bob")).await.unwrap();
    for set_ref in ["viewer", "operator", "admin"] {
        store.upsert_permission_set(&permission_set(set_ref)).await.unwrap();
    }
    store.assign_permission_set(ada.id, "viewer").await.unwrap();
    store.assign_permission_set(ada.id, "operator").await.unwrap();
    // Assigning again changes nothing.
    store.assign_permission_set(ada.id, "viewer").await.unwrap();
    store.assign_permission_set(bob.id, "admin").await.unwrap();

    let held =
        |sets: Vec<attune_domain::identity::PermissionSet>| sets.into_iter().map(|s| s.r#ref).collect::<Vec<_>>();
    assert_eq!(held(store.identity_permission_sets(ada.id).await.unwrap()), ["operator", "viewer"]);
    assert_eq!(held(store.identity_permission_sets(bob.id).await.unwrap()), ["admin"]);

    assert!(store.unassign_permission_set(ada.id, "viewer").await.unwrap());
    assert!(!store.unassign_permission_set(ada.id, "viewer").await.unwrap());
    assert!(!store.unassign_permission_set(ada.id, "missing").await.unwrap());
    assert_eq!(held(store.identity_permission_sets(ada.id).await.unwrap()), ["operator"]);
    assert!(store.identity_permission_sets(i64::MAX).await.unwrap().is_empty());
}

async fn assignments_need_an_existing_identity_and_set(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    store.upsert_permission_set(&permission_set("viewer")).await.unwrap();
    assert_not_found(store.assign_permission_set(ada.id, "missing").await);
    assert_unknown_reference(store.assign_permission_set(i64::MAX, "viewer").await);
    assert!(store.identity_permission_sets(ada.id).await.unwrap().is_empty());
}

async fn deletes_a_permission_set(store: &TestStore) {
    store.upsert_permission_set(&permission_set("viewer")).await.unwrap();
    store.delete_permission_set("viewer").await.unwrap();
    assert_not_found(store.get_permission_set("viewer").await);
    assert_not_found(store.delete_permission_set("viewer").await);
    assert_eq!(store.list_permission_sets(all()).await.unwrap().total, 0);
}
