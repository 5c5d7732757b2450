//! A short-lived memo of the definitions every event and execution reads: identities and
//! their permission sets (each authenticated request, each rule's author, each execution's
//! token), packs, actions, the rules on a trigger, an action's policies and webhooks.
//!
//! Under load these reads outnumbered every other store operation, and they return the
//! same rows over and over: definitions change when someone edits them, not per event.
//!
//! Only the SQLite store memoizes: it is the embedded deployment's, where one process owns
//! the database and makes every change itself. (PostgreSQL is shared by the roles of a
//! distributed deployment, each its own process, which must see each other's changes at
//! once.)
//!
//! Freshness:
//! - Every write made through the store outside the group commit (which writes only
//!   events, enforcements, executions and output, none of them cached) holds a
//!   [`Changing`] from its start until after its commit: everything memoized is forgotten at
//!   both ends, and a read under way at either end is not kept. So a change is seen by every
//!   read that starts after it has committed, and a read that saw the row as it was is
//!   never kept past the change. (The store's `write_pool(&changing)` takes the guard, so
//!   no write can leave it out.)
//! - Each entry is dropped [`FRESH_FOR`] after it was read, which bounds how long a change
//!   made to the database by another process (an offline `attune` command) goes unseen.
//! - Only found rows are kept: a missing row is looked up again every time.
//!
//! Each kind of entry is bounded ([`MAX_ENTRIES`]); when full it starts over.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use attune_domain::Id;
use attune_domain::action::Action;
use attune_domain::identity::{Identity, PermissionSet};
use attune_domain::pack::Pack;
use attune_domain::policy::Policy;
use attune_domain::rule::Rule;
use attune_domain::webhook::Webhook;

use crate::StoreResult;

/// How long a memoized row is used at most.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

/// Entries of one kind kept at most.
const MAX_ENTRIES: usize = 4096;

/// The memoized definitions of one store.
#[derive(Debug, Default)]
pub(crate) struct Definitions {
    /// Bumped by every write that may change a definition; entries of an older generation
    /// are stale.
    generation: AtomicU64,
    pub(crate) identities: Memo<Id, Identity>,
    pub(crate) permission_sets: Memo<Id, Vec<PermissionSet>>,
    pub(crate) packs: Memo<String, Pack>,
    pub(crate) actions: Memo<String, Action>,
    pub(crate) rules_on_trigger: Memo<String, Vec<Rule>>,
    pub(crate) action_policies: Memo<String, Vec<Policy>>,
    pub(crate) webhooks: Memo<String, Webhook>,
}

/// A write that may change definitions is under way, from its start until this is dropped
/// (after its commit, or its rollback): everything memoized is forgotten at both ends, and a
/// read that overlapped either end is not kept.
pub(crate) struct Changing<'a>(Option<&'a Definitions>);

impl<'a> Changing<'a> {
    /// The change of a store whose memo is `definitions` (none: nothing to forget).
    pub(crate) fn of(definitions: Option<&'a Definitions>) -> Self {
        if let Some(definitions) = definitions {
            definitions.forget();
        }
        Self(definitions)
    }
}

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        if let Some(definitions) = self.0 {
            definitions.forget();
        }
    }
}

impl Definitions {
    fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// `key`'s value in `memo`, read with `load` unless a fresh one is memoized.
    pub(crate) async fn get<K, V>(
        &self,
        memo: &Memo<K, V>,
        key: K,
        load: impl AsyncFnOnce() -> StoreResult<V>,
    ) -> StoreResult<V>
    where
        K: Eq + Hash + Clone,
        V: Clone,
    {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(value) = memo.fresh(&key, generation) {
            return Ok(value);
        }
        let value = load().await?;
        // Keep it only if no write started meanwhile.
        if self.generation.load(Ordering::SeqCst) == generation {
            memo.keep(key, value.clone(), generation);
        }
        Ok(value)
    }
}

/// Memoized values of one kind.
#[derive(Debug)]
pub(crate) struct Memo<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

#[derive(Debug)]
struct Entry<V> {
    value: V,
    generation: u64,
    read: Instant,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    fn fresh(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.lock().expect("memo lock");
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.read.elapsed() < FRESH_FOR).then(|| entry.value.clone())
    }

    fn keep(&self, key: K, value: V, generation: u64) {
        let mut entries = self.entries.lock().expect("memo lock");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { value, generation, read: Instant::now() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;

    #[tokio::test]
    async fn a_value_is_read_once_until_a_write_starts() {
        let definitions = Definitions::default();
        let reads = AtomicU64::new(0);
        let load = async || {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, StoreError>(vec![7])
        };
        let memo: Memo<String, Vec<i32>> = Memo::default();
        assert_eq!(definitions.get(&memo, "a".into(), load).await.unwrap(), vec![7]);
        assert_eq!(definitions.get(&memo, "a".into(), load).await.unwrap(), vec![7]);
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        let change = Changing::of(Some(&definitions));
        definitions.get(&memo, "a".into(), load).await.unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 2, "a change that starts forgets");
        // Read (and kept) while the change is under way: the row as it was, forgotten once
        // the change ends.
        definitions.get(&memo, "a".into(), load).await.unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        drop(change);
        definitions.get(&memo, "a".into(), load).await.unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 3, "a change that ends forgets");
    }

    #[tokio::test]
    async fn a_read_overlapping_a_write_is_not_kept_and_misses_are_not_kept() {
        let definitions = Definitions::default();
        let memo: Memo<Id, String> = Memo::default();
        let overlapping = async || {
            drop(Changing::of(Some(&definitions)));
            Ok::<_, StoreError>("before the write".to_owned())
        };
        definitions.get(&memo, 1, overlapping).await.unwrap();
        let after = async || Ok::<_, StoreError>("after the write".to_owned());
        assert_eq!(definitions.get(&memo, 1, after).await.unwrap(), "after the write");

        let missing = async || Err::<String, _>(StoreError::not_found("identity", 2));
        assert!(definitions.get(&memo, 2, missing).await.is_err());
        let found = async || Ok::<_, StoreError>("created since".to_owned());
        assert_eq!(definitions.get(&memo, 2, found).await.unwrap(), "created since");
    }

    #[test]
    fn entries_go_stale_with_age() {
        let memo: Memo<Id, u8> = Memo::default();
        memo.entries.lock().unwrap().insert(1, Entry { value: 1, generation: 0, read: Instant::now() - FRESH_FOR });
        assert_eq!(memo.fresh(&1, 0), None);
        memo.keep(1, 2, 0);
        assert_eq!(memo.fresh(&1, 0), Some(2));
        assert_eq!(memo.fresh(&1, 1), None);
    }
}
