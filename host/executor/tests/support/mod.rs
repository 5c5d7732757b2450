//! What the executor's test suites share: a store holding the core pack and one live
//! local worker running shell actions.

use attune_domain::Id;
use attune_domain::status::WorkerStatus;
use attune_domain::worker::NewWorker;
use attune_test_support::{Backend, TestStore};

/// A store on `backend` with the core pack, and the id of a worker that just heartbeat.
pub async fn store_with_worker(backend: Backend) -> (TestStore, Id) {
    let store = TestStore::new(backend).await;
    let core = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/core");
    attune_packs::register_pack(store.store.as_ref(), &core).await.unwrap();
    let worker = store.store.register_worker(&NewWorker::local("w", &["shell"])).await.unwrap().id;
    store.store.heartbeat_worker(worker, WorkerStatus::Active).await.unwrap();
    (store, worker)
}
