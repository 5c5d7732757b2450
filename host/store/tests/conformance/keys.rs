//! Datastore keys: one owner each (the system, an identity, a pack, an action or a sensor),
//! replaced by a second put, listed with every filter, hidden and purged once expired; and
//! the schema's own rule that a key's owner column matches its owner type.

use attune_domain::key::KeyOwner;
use attune_domain::status::KeyOwnerType;
use attune_store::KeyFilter;

use crate::support::*;

conformance_tests!(
    stores_a_key_for_every_owner_kind,
    putting_a_key_again_replaces_it_in_place,
    keys_of_unknown_owners_are_refused,
    lists_keys_in_ref_order_with_every_filter,
    keys_sharing_a_ref_are_each_listed_once_page_by_page,
    expired_keys_are_hidden_until_purged,
    deletes_a_key_of_one_owner,
    the_schema_rejects_an_owner_column_that_does_not_match_the_owner_type,
    secret_bindings_are_made_replaced_listed_and_removed_with_their_pack,
);

/// One owner of each kind: the system, identity `ada`, pack `sample`, action
/// `sample.notify` and sensor `sample.watcher`.
async fn owners(store: &TestStore) -> [KeyOwner; 5] {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let pack = store.get_pack("sample").await.unwrap();
    let notify = store.get_action("sample.notify").await.unwrap();
    let watcher = store.get_sensor("sample.watcher").await.unwrap();
    [
        KeyOwner::System,
        KeyOwner::Identity { id: ada.id, login: ada.login },
        KeyOwner::Pack { id: pack.id, r#ref: pack.r#ref },
        KeyOwner::Action { id: notify.id, r#ref: notify.r#ref },
        KeyOwner::Sensor { id: watcher.id, r#ref: watcher.r#ref },
    ]
}

async fn stores_a_key_for_every_owner_kind(store: &TestStore) {
    for owner in owners(store).await {
        let key = store.put_key(&new_key(owner.clone(), "token", "s3cret")).await.unwrap();
        assert_eq!((key.owner_type, key.owner.as_str()), (owner.owner_type(), owner.name()));
        assert_eq!((key.r#ref.clone(), key.name.as_str()), (owner.key_ref("token"), "token"));
        assert_eq!((key.value.as_str(), key.encrypted, key.expires_at), ("s3cret", false, None));
        let columns = [key.owner_identity, key.owner_pack, key.owner_action, key.owner_sensor];
        let expected = match &owner {
            KeyOwner::System => [None, None, None, None],
            KeyOwner::Identity { id, .. } => [Some(*id), None, None, None],
            KeyOwner::Pack { id, .. } => [None, Some(*id), None, None],
            KeyOwner::Action { id, .. } => [None, None, Some(*id), None],
            KeyOwner::Sensor { id, .. } => [None, None, None, Some(*id)],
        };
        assert_eq!(columns, expected, "owner columns of {owner:?}");
        assert_eq!(store.get_key(owner.owner_type(), owner.name(), "token").await.unwrap(), key);
    }
    let every_key = store.list_keys(&KeyFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(every_key), ["ada.token", "sample.notify.token", "sample.token", "sample.watcher.token", "token"]);
}

async fn putting_a_key_again_replaces_it_in_place(store: &TestStore) {
    let [_, ada, ..] = owners(store).await;
    let first = store.put_key(&new_key(ada.clone(), "token", "old")).await.unwrap();
    let mut replacement = new_key(ada.clone(), "token", "ciphertext");
    replacement.encrypted = true;
    replacement.encryption_key_hash = Some("fingerprint".into());
    replacement.expires_at = Some(now() + chrono::Duration::hours(1));

    let second = store.put_key(&replacement).await.unwrap();
    assert_eq!((second.id, second.created), (first.id, first.created));
    assert_eq!((second.value.as_str(), second.encrypted), ("ciphertext", true));
    assert_eq!(
        (second.encryption_key_hash, second.expires_at),
        (replacement.encryption_key_hash, replacement.expires_at)
    );
    assert!(second.updated >= first.updated);
    let listed = store.list_keys(&KeyFilter::default(), all()).await.unwrap();
    assert_eq!(ids(&listed.items, |k| k.id), [first.id]);
}

async fn keys_of_unknown_owners_are_refused(store: &TestStore) {
    let ghosts = [
        KeyOwner::Identity { id: i64::MAX, login: "ghost".into() },
        KeyOwner::Pack { id: i64::MAX, r#ref: "ghost".into() },
        KeyOwner::Action { id: i64::MAX, r#ref: "ghost.action".into() },
        KeyOwner::Sensor { id: i64::MAX, r#ref: "ghost.sensor".into() },
    ];
    for owner in ghosts {
        assert_unknown_reference(store.put_key(&new_key(owner, "token", "value")).await);
    }
    assert_eq!(store.list_keys(&KeyFilter::default(), all()).await.unwrap().total, 0);
}

async fn lists_keys_in_ref_order_with_every_filter(store: &TestStore) {
    let [system, ada, pack, action, _] = owners(store).await;
    let keys = [
        (&system, "token"),
        (&system, "api_url"),
        (&ada, "token"),
        (&pack, "token"),
        (&pack, "tok%en_x"),
        (&pack, "webhook_secret"),
        (&action, "token"),
    ];
    for (owner, name) in keys {
        store.put_key(&new_key(owner.clone(), name, "value")).await.unwrap();
    }
    let list = async |filter: KeyFilter| {
        let page = store.list_keys(&filter, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        refs!(page)
    };

    let every_ref = [
        "ada.token",
        "api_url",
        "sample.notify.token",
        "sample.tok%en_x",
        "sample.token",
        "sample.webhook_secret",
        "token",
    ];
    assert_eq!(list(KeyFilter::default()).await, every_ref);
    let of_packs = KeyFilter { owner_type: Some(KeyOwnerType::Pack), ..KeyFilter::default() };
    assert_eq!(list(of_packs).await, ["sample.tok%en_x", "sample.token", "sample.webhook_secret"]);
    let of_system = KeyFilter { owner_type: Some(KeyOwnerType::System), ..KeyFilter::default() };
    assert_eq!(list(of_system).await, ["api_url", "token"]);
    let of_notify = KeyFilter { owner: Some("sample.notify".into()), ..KeyFilter::default() };
    assert_eq!(list(of_notify).await, ["sample.notify.token"]);
    let named_tok = KeyFilter { prefix: Some("tok".into()), ..KeyFilter::default() };
    let tok = ["ada.token", "sample.notify.token", "sample.tok%en_x", "sample.token", "token"];
    assert_eq!(list(named_tok).await, tok);
    // A prefix is matched literally: `%` and `_` are not wildcards.
    let percent = KeyFilter { prefix: Some("tok%".into()), ..KeyFilter::default() };
    assert_eq!(list(percent).await, ["sample.tok%en_x"]);
    let underscore = KeyFilter { prefix: Some("tok_".into()), ..KeyFilter::default() };
    assert!(list(underscore).await.is_empty());
    let every_filter =
        KeyFilter { owner_type: Some(KeyOwnerType::Pack), owner: Some("sample".into()), prefix: Some("to".into()) };
    assert_eq!(list(every_filter).await, ["sample.tok%en_x", "sample.token"]);

    let third = store.list_keys(&KeyFilter::default(), page(3, 3)).await.unwrap();
    assert_eq!((third.total, third.request), (7, page(3, 3)));
    assert_eq!(refs!(third), ["token"]);
}

async fn keys_sharing_a_ref_are_each_listed_once_page_by_page(store: &TestStore) {
    let [_, _, pack, action, _] = owners(store).await;
    // Pack `sample` key `notify.token` and action `sample.notify` key `token`.
    let of_pack = store.put_key(&new_key(pack, "notify.token", "value")).await.unwrap();
    let of_action = store.put_key(&new_key(action, "token", "value")).await.unwrap();
    assert_eq!(of_pack.r#ref, of_action.r#ref);

    let mut listed = Vec::new();
    for number in 1..=3 {
        let one = store.list_keys(&KeyFilter::default(), page(number, 1)).await.unwrap();
        assert_eq!(one.total, 2);
        listed.extend(ids(&one.items, |k| k.id));
    }
    assert_eq!(listed, [of_pack.id.min(of_action.id), of_pack.id.max(of_action.id)]);
}

async fn expired_keys_are_hidden_until_purged(store: &TestStore) {
    let [system, ..] = owners(store).await;
    let expiring = |name: &str, expires_at| {
        let mut key = new_key(system.clone(), name, "value");
        key.expires_at = expires_at;
        key
    };
    let past = Some(now() - chrono::Duration::seconds(1));
    let future = Some(now() + chrono::Duration::hours(1));
    store.put_key(&expiring("expired", past)).await.unwrap();
    store.put_key(&expiring("revived", past)).await.unwrap();
    store.put_key(&expiring("later", future)).await.unwrap();
    store.put_key(&expiring("forever", None)).await.unwrap();

    assert_not_found(store.get_key(KeyOwnerType::System, "", "expired").await);
    store.get_key(KeyOwnerType::System, "", "later").await.unwrap();
    let visible = store.list_keys(&KeyFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(visible), ["forever", "later"]);
    assert_eq!(visible.total, 2);

    // Putting an expired key again brings it back.
    store.put_key(&expiring("revived", future)).await.unwrap();
    store.get_key(KeyOwnerType::System, "", "revived").await.unwrap();

    assert_eq!(store.purge_expired_keys().await.unwrap(), 1);
    assert_eq!(store.purge_expired_keys().await.unwrap(), 0);
    assert!(!store.delete_key(KeyOwnerType::System, "", "expired").await.unwrap(), "purged");
    let kept = store.list_keys(&KeyFilter::default(), all()).await.unwrap();
    assert_eq!(refs!(kept), ["forever", "later", "revived"]);
}

async fn deletes_a_key_of_one_owner(store: &TestStore) {
    let [system, ada, ..] = owners(store).await;
    store.put_key(&new_key(system, "token", "system value")).await.unwrap();
    store.put_key(&new_key(ada, "token", "ada's value")).await.unwrap();

    assert!(store.delete_key(KeyOwnerType::Identity, "ada", "token").await.unwrap());
    assert!(!store.delete_key(KeyOwnerType::Identity, "ada", "token").await.unwrap());
    assert_not_found(store.get_key(KeyOwnerType::Identity, "ada", "token").await);
    let system_key = store.get_key(KeyOwnerType::System, "", "token").await.unwrap();
    assert_eq!(system_key.value, "system value");
}

async fn the_schema_rejects_an_owner_column_that_does_not_match_the_owner_type(store: &TestStore) {
    let [_, ada, pack, action, _] = owners(store).await;
    let ada_id = match ada {
        KeyOwner::Identity { id, .. } => id,
        _ => unreachable!("owners() lists the identity second"),
    };
    let sensor_id = store.get_sensor("sample.watcher").await.unwrap().id;
    let pack_key = store.put_key(&new_key(pack, "token", "value")).await.unwrap().id;
    let action_key = store.put_key(&new_key(action, "token", "value")).await.unwrap().id;

    let mismatches: [(&str, &str, Vec<i64>); 6] = [
        ("a second owner column", "UPDATE datastore_key SET owner_identity = $1 WHERE id = $2", vec![ada_id, pack_key]),
        (
            "another kind's column",
            "UPDATE datastore_key SET owner_pack = NULL, owner_identity = $1 WHERE id = $2",
            vec![ada_id, pack_key],
        ),
        ("no owner column", "UPDATE datastore_key SET owner_pack = NULL WHERE id = $1", vec![pack_key]),
        ("a system key with an owner", "UPDATE datastore_key SET owner_type = 'system' WHERE id = $1", vec![pack_key]),
        (
            "an action key owned by a sensor",
            "UPDATE datastore_key SET owner_action = NULL, owner_sensor = $1 WHERE id = $2",
            vec![sensor_id, action_key],
        ),
        (
            "a new pack key with an identity column",
            "INSERT INTO datastore_key (ref, owner_type, owner, owner_identity, owner_pack, owner_action, \
             owner_sensor, name, encrypted, value, created, updated) \
             SELECT ref, owner_type, owner, $1, owner_pack, owner_action, owner_sensor, 'other', encrypted, \
             value, created, updated FROM datastore_key WHERE id = $2",
            vec![ada_id, pack_key],
        ),
    ];
    for (what, sql, binds) in mismatches {
        match store.execute_sql(sql, &binds).await {
            Err(sqlx::Error::Database(error)) if error.is_check_violation() => {}
            other => panic!("{what}: expected a check violation, got {other:?}"),
        }
    }
    let unchanged = store.get_key(KeyOwnerType::Pack, "sample", "token").await.unwrap();
    assert_eq!((unchanged.id, unchanged.owner_pack.is_some(), unchanged.owner_identity), (pack_key, true, None));

    // The same statements are accepted when the columns agree with the type.
    let consistent = "UPDATE datastore_key SET owner_type = 'identity', owner_pack = NULL, owner_identity = $1 \
                      WHERE id = $2";
    assert_eq!(store.execute_sql(consistent, &[ada_id, pack_key]).await.unwrap(), 1);
}

async fn secret_bindings_are_made_replaced_listed_and_removed_with_their_pack(store: &TestStore) {
    use attune_domain::key::NewSecretBinding;
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let binding = |name: &str, key: &str| NewSecretBinding {
        pack_ref: "sample".into(),
        name: name.into(),
        key_scope: KeyOwnerType::System,
        key_owner: String::new(),
        key_name: key.into(),
        created_by: None,
    };
    let made = store.put_secret_binding(&binding("db", "db_password")).await.unwrap();
    assert_eq!((made.pack_ref.as_str(), made.key_name.as_str()), ("sample", "db_password"));
    let replaced = store.put_secret_binding(&binding("db", "other_password")).await.unwrap();
    assert_eq!((replaced.id, replaced.key_name.as_str()), (made.id, "other_password"));
    store.put_secret_binding(&binding("api", "api_token")).await.unwrap();
    let names: Vec<String> = store.list_secret_bindings("sample").await.unwrap().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["api", "db"]);
    assert_eq!(
        store.find_secret_binding("sample", "db").await.unwrap().map(|b| b.key_name),
        Some("other_password".into())
    );
    assert_eq!(store.find_secret_binding("sample", "nope").await.unwrap(), None);
    let mut ghost = binding("x", "y");
    ghost.pack_ref = "ghost".into();
    assert!(matches!(store.put_secret_binding(&ghost).await, Err(attune_store::StoreError::NotFound { .. })));

    assert!(store.delete_secret_binding("sample", "api").await.unwrap());
    assert!(!store.delete_secret_binding("sample", "api").await.unwrap());
    store.delete_pack("sample").await.unwrap();
    assert!(store.list_secret_bindings("sample").await.unwrap().is_empty(), "bindings go with their pack");
}
