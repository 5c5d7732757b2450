//! Identities: created, read by id and by login, listed, patched and deleted.

use attune_store::IdentityPatch;
use serde_json::json;

use crate::support::*;

conformance_tests!(
    creates_an_enabled_identity_readable_by_id_and_login,
    a_login_already_taken_is_a_conflict,
    a_patch_changes_only_the_fields_it_names,
    lists_identities_in_login_order_page_by_page,
    orders_logins_bytewise_whatever_the_server_collation,
    deletes_an_identity,
    missing_identities_are_not_found,
);

async fn creates_an_enabled_identity_readable_by_id_and_login(store: &TestStore) {
    let declared = new_identity("ada");
    let ada = store.create_identity(&declared).await.unwrap();
    assert_eq!(ada.login, "ada");
    assert_eq!((ada.display_name.clone(), ada.password_hash.clone()), (declared.display_name, declared.password_hash));
    assert_eq!(ada.attributes, declared.attributes);
    assert!(ada.enabled);
    assert_eq!(ada.created, ada.updated);
    assert_eq!(store.get_identity(ada.id).await.unwrap(), ada);
    assert_eq!(store.get_identity_by_login("ada").await.unwrap(), ada);
}

async fn a_login_already_taken_is_a_conflict(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let mut impostor = new_identity("ada");
    impostor.display_name = Some("Not Ada".into());
    assert_conflict(store.create_identity(&impostor).await);
    assert_eq!(store.get_identity_by_login("ada").await.unwrap(), ada);
    assert_eq!(store.list_identities(all()).await.unwrap().total, 1);
}

async fn a_patch_changes_only_the_fields_it_names(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();

    let disable = IdentityPatch { enabled: Some(false), ..IdentityPatch::default() };
    let disabled = store.update_identity(ada.id, &disable).await.unwrap();
    assert!(!disabled.enabled);
    assert_eq!(
        (disabled.display_name.clone(), disabled.password_hash.clone()),
        (ada.display_name.clone(), ada.password_hash.clone())
    );
    assert_eq!(disabled.attributes, ada.attributes);
    assert!(disabled.updated >= ada.updated);

    let everything = IdentityPatch {
        display_name: Some("Ada Lovelace".into()),
        password_hash: Some("$argon2id$new".into()),
        attributes: Some(json!({"groups": ["ops"]})),
        enabled: Some(true),
    };
    let changed = store.update_identity(ada.id, &everything).await.unwrap();
    assert_eq!(changed.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(changed.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!((changed.attributes.clone(), changed.enabled), (json!({"groups": ["ops"]}), true));
    assert_eq!((changed.id, changed.login.as_str(), changed.created), (ada.id, "ada", ada.created));

    let nothing = store.update_identity(ada.id, &IdentityPatch::default()).await.unwrap();
    assert_eq!((nothing.display_name, nothing.attributes), (changed.display_name, changed.attributes));
    assert_eq!(store.get_identity(ada.id).await.unwrap().password_hash, changed.password_hash);
}

async fn lists_identities_in_login_order_page_by_page(store: &TestStore) {
    for login in ["dan", "bob", "eve", "ada", "cy"] {
        store.create_identity(&new_identity(login)).await.unwrap();
    }
    let logins = |page: attune_domain::page::Page<attune_domain::identity::Identity>| {
        page.items.into_iter().map(|i| i.login).collect::<Vec<_>>()
    };
    let first = store.list_identities(page(1, 3)).await.unwrap();
    assert_eq!((first.total, first.request), (5, page(1, 3)));
    assert_eq!(logins(first), ["ada", "bob", "cy"]);
    assert_eq!(logins(store.list_identities(page(2, 3)).await.unwrap()), ["dan", "eve"]);
    assert!(store.list_identities(page(3, 3)).await.unwrap().items.is_empty());
}

async fn orders_logins_bytewise_whatever_the_server_collation(store: &TestStore) {
    for login in ["a_b", "ab", "a.b", "a-b", "a9"] {
        store.create_identity(&new_identity(login)).await.unwrap();
    }
    let listed = store.list_identities(all()).await.unwrap();
    let logins: Vec<_> = listed.items.iter().map(|i| i.login.as_str()).collect();
    assert_eq!(logins, ["a-b", "a.b", "a9", "a_b", "ab"]);
}

async fn deletes_an_identity(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let bob = store.create_identity(&new_identity("bob")).await.unwrap();
    store.delete_identity(ada.id).await.unwrap();
    assert_not_found(store.get_identity(ada.id).await);
    assert_not_found(store.get_identity_by_login("ada").await);
    assert_eq!(store.list_identities(all()).await.unwrap().items, [bob]);
    // The login is free again.
    store.create_identity(&new_identity("ada")).await.unwrap();
}

async fn missing_identities_are_not_found(store: &TestStore) {
    assert_not_found(store.get_identity(42).await);
    assert_not_found(store.get_identity_by_login("nobody").await);
    assert_not_found(store.update_identity(42, &IdentityPatch::default()).await);
    assert_not_found(store.delete_identity(42).await);
}
