//! What the services' unit tests share: a store with the core pack, a new execution.

use std::sync::Arc;

use attune_domain::execution::NewExecution;
use attune_store::Store;
use serde_json::json;

/// A store holding the core pack, whose `core.echo` the executions run.
pub async fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = attune_store::connect(&format!("sqlite://{}/attune.db", dir.path().display())).await.unwrap();
    let core = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/core");
    attune_packs::register_pack(store.as_ref(), &core).await.unwrap();
    (dir, store)
}

/// An execution of `core.echo` with no parameters.
pub fn new_execution() -> NewExecution {
    NewExecution::of("core.echo", json!({}), json!({}))
}
