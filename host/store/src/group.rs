//! Group commit: concurrent writes share one transaction, and each is answered only once
//! the transaction holding it has committed.
//!
//! Without it every write is its own transaction, and the store pays a `BEGIN`/`COMMIT`
//! (SQLite: WAL frames written and the WAL index updated; PostgreSQL: a commit record
//! flushed) for each. Under load, writes from the API, the rules engine, the executor and
//! the workers arrive together; here they take turns on one open transaction instead:
//!
//! - A write takes the *turn* (an async mutex, first come first served) and runs its
//!   statements in the shared transaction, opening that transaction if none is open: a
//!   write of several statements inside a savepoint, rolled back if the write fails, so it
//!   leaves nothing behind and the others in the group are unaffected; a write of one
//!   statement as it is, since in SQLite a failed statement undoes itself alone.
//! - Then it looks at the writes queued behind it. If none is waiting, or the group is full
//!   ([`MAX_GROUP`] writes) or old ([`MAX_GROUP_AGE`]), it commits and tells every write of
//!   the group the outcome. Otherwise it hands the turn on and waits for the commit the
//!   last of them makes.
//!
//! So a write returns `Ok` only when it is durable in the same sense as before (committed),
//! which is what an acknowledged webhook post or execution request promises; a failed
//! commit fails every write of its group. Writes are applied in turn order, so the group is
//! equivalent to running them one after another; conditional updates stay conditional.
//!
//! Cancellation: a caller dropped while queued or in the middle of its write would leave
//! the writes already in the group waiting for a commit that no one is due to make. Both
//! cases spawn a task that takes the turn and commits when nobody else is queued (a write
//! dropped halfway has its savepoint rolled back first, by sqlx, on the connection's next
//! use).
//!
//! A writer that does not go through the group (the cold paths: pack installs, identity
//! and key administration) still takes its own connection from the pool; on SQLite, whose
//! pool holds the single write connection, it simply runs between two groups.
//!
//! PostgreSQL commits [alone](Commit::Alone): each write is its own transaction on a
//! connection of the pool, side by side with the others. The server groups concurrent
//! commits itself (one WAL flush covers every commit waiting for it), and sharing one
//! transaction would cost more than it saves there: a failed statement aborts a PostgreSQL
//! transaction, so each write would need a savepoint (two more round trips), and the
//! writes of a process would take turns on one connection instead of running side by side.
//! A write of one statement then runs without `BEGIN`/`COMMIT` at all (one round trip).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool, Transaction};
use tokio::sync::{Mutex, MutexGuard, watch};

use crate::{StoreError, StoreResult};

/// Writes in one group at most: bounds how long the first of them waits for its answer.
pub(crate) const MAX_GROUP: usize = 128;

/// Age of a group at which the write holding the turn commits, even with more queued.
pub(crate) const MAX_GROUP_AGE: Duration = Duration::from_millis(2);

/// How a group's commit went, told to each of its writes (`None` until then).
type Outcome = Option<Result<(), Arc<str>>>;

/// How a backend's writes commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Commit {
    /// Concurrent writes share transactions, taking turns on the pool's connection. Only
    /// for a database where a failed statement undoes itself and leaves the transaction
    /// usable (SQLite), so that a write of one statement needs no savepoint.
    Grouped,
    /// Each write is its own transaction on a connection of the pool (PostgreSQL).
    Alone,
}

/// The group-commit writer over one pool.
pub(crate) struct GroupWriter<DB: Database> {
    inner: Arc<Inner<DB>>,
}

impl<DB: Database> Clone for GroupWriter<DB> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

impl<DB: Database> std::fmt::Debug for GroupWriter<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupWriter")
            .field("commit", &self.inner.commit)
            .field("queued", &self.inner.queued.load(Ordering::Relaxed))
            .finish()
    }
}

struct Inner<DB: Database> {
    pool: Pool<DB>,
    commit: Commit,
    group: Mutex<Group<DB>>,
    /// Writes that asked for the turn and do not have it yet.
    queued: AtomicUsize,
}

/// The open group, if any.
struct Group<DB: Database> {
    tx: Option<Transaction<'static, DB>>,
    writes: usize,
    opened: Instant,
    outcome: Arc<watch::Sender<Outcome>>,
}

impl<DB: Database> GroupWriter<DB> {
    /// Whether every writer of the database takes its turn here, so that a write needs no
    /// row lock to keep others out while it reads and then writes. True of SQLite, whose
    /// writes are [grouped](Commit::Grouped) on its one write connection (and the
    /// database's own write lock keeps other processes out).
    pub(crate) fn writers_take_turns(&self) -> bool {
        self.inner.commit == Commit::Grouped
    }

    /// Records a write asked for at `asked` and answered now (the store write latency of
    /// `/metrics`).
    pub(crate) fn observe(&self, asked: Instant) {
        let backend = match self.inner.commit {
            Commit::Grouped => "sqlite",
            Commit::Alone => "postgres",
        };
        attune_telemetry::record::store_write(backend, asked.elapsed().as_secs_f64());
    }

    /// A writer taking its connections from `pool`, committing as `commit` says.
    pub(crate) fn new(pool: Pool<DB>, commit: Commit) -> Self {
        let group = Group { tx: None, writes: 0, opened: Instant::now(), outcome: Arc::new(watch::channel(None).0) };
        let inner = Inner { pool, commit, group: Mutex::new(group), queued: AtomicUsize::new(0) };
        Self { inner: Arc::new(inner) }
    }

    /// Where the next write runs: the turn in the shared transaction ([`Commit::Grouped`],
    /// waiting for it), or a connection of its own ([`Commit::Alone`]).
    pub(crate) async fn lane(&self) -> StoreResult<Lane<'_, DB>> {
        match self.inner.commit {
            Commit::Grouped => Ok(Lane::Turn(self.turn().await?)),
            Commit::Alone => Ok(Lane::Alone(self.inner.pool.acquire().await?)),
        }
    }

    /// Waits for the turn; the returned [`Turn`] holds the shared transaction open.
    async fn turn(&self) -> StoreResult<Turn<'_, DB>> {
        let queued = Queued::new(&self.inner);
        let mut group = self.inner.group.lock().await;
        queued.served();
        if group.tx.is_none() {
            group.tx = Some(self.inner.pool.begin().await?);
            group.writes = 0;
            group.opened = Instant::now();
            group.outcome = Arc::new(watch::channel(None).0);
        }
        Ok(Turn { inner: &self.inner, group: Some(group) })
    }
}

/// Where one write runs.
pub(crate) enum Lane<'w, DB: Database> {
    /// Its turn in the shared transaction.
    Turn(Turn<'w, DB>),
    /// A connection of its own, outside any transaction.
    Alone(PoolConnection<DB>),
}

impl<DB: Database> Lane<'_, DB> {
    /// The connection to write on. A write of several statements begins a transaction on
    /// it (`Connection::begin`): a savepoint of the shared transaction, or a transaction
    /// of its own; a write of one statement may use it as it is, since such a statement
    /// happens whole or fails undone, disturbing nobody.
    pub(crate) fn connection(&mut self) -> &mut DB::Connection {
        match self {
            Lane::Turn(turn) => turn.transaction(),
            Lane::Alone(connection) => connection,
        }
    }

    /// Ends the write: `result` once it is committed (see [`Turn::finish`]); a write of
    /// its own committed with its last statement.
    pub(crate) async fn finish<T>(self, result: StoreResult<T>) -> StoreResult<T> {
        match self {
            Lane::Turn(turn) => turn.finish(result).await,
            Lane::Alone(_) => result,
        }
    }
}

/// The turn: the right to write in the shared transaction until [`Turn::finish`].
pub(crate) struct Turn<'w, DB: Database> {
    inner: &'w Arc<Inner<DB>>,
    group: Option<MutexGuard<'w, Group<DB>>>,
}

impl<DB: Database> Turn<'_, DB> {
    /// The shared transaction.
    fn transaction(&mut self) -> &mut Transaction<'static, DB> {
        let group = self.group.as_mut().expect("a turn holds its group until it finishes");
        group.tx.as_mut().expect("a turn's group is open")
    }

    /// Ends the turn of a write whose savepoint was committed (`Ok`) or rolled back
    /// (`Err`): commits the group now or hands the turn on, and answers `result` once the
    /// group holding it is committed (a failed write is answered at once).
    pub(crate) async fn finish<T>(mut self, result: StoreResult<T>) -> StoreResult<T> {
        let mut group = self.group.take().expect("a turn finishes once");
        group.writes += 1;
        let due = self.inner.queued.load(Ordering::SeqCst) == 0
            || group.writes >= MAX_GROUP
            || group.opened.elapsed() >= MAX_GROUP_AGE;
        if due {
            let committed = commit(&mut group).await;
            return committed.and(result);
        }
        let mut outcome = group.outcome.subscribe();
        drop(group);
        let value = result?;
        let told = outcome.wait_for(Option::is_some).await.map(|told| told.clone());
        match told {
            Ok(Some(Ok(()))) => Ok(value),
            Ok(Some(Err(reason))) => Err(StoreError::NotCommitted(reason.to_string())),
            // The sender lives in the group until the next one opens, after telling.
            Ok(None) | Err(_) => Err(StoreError::NotCommitted("the write's group was dropped".into())),
        }
    }
}

impl<DB: Database> Drop for Turn<'_, DB> {
    fn drop(&mut self) {
        // Dropped before finishing (the caller was cancelled): make sure the group is
        // committed by someone.
        if self.group.take().is_some() {
            settle_later(Arc::downgrade(self.inner));
        }
    }
}

/// Commits the open group and tells its writes how it went.
async fn commit<DB: Database>(group: &mut Group<DB>) -> StoreResult<()> {
    let Some(tx) = group.tx.take() else { return Ok(()) };
    let done = tx.commit().await;
    let told = done.as_ref().map(|_| ()).map_err(|e| Arc::<str>::from(e.to_string()));
    group.outcome.send_replace(Some(told));
    Ok(done?)
}

/// Commits the open group unless a write is queued (that one will).
async fn settle<DB: Database>(inner: &Inner<DB>) {
    let mut group = inner.group.lock().await;
    if inner.queued.load(Ordering::SeqCst) == 0
        && let Err(error) = commit(&mut group).await
    {
        tracing::warn!(%error, "a group of writes whose last writer was cancelled did not commit");
    }
}

fn settle_later<DB: Database>(inner: Weak<Inner<DB>>) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Some(inner) = inner.upgrade() {
                settle(&inner).await;
            }
        });
    }
}

/// Counts a write as queued until it gets the turn; one dropped while queued settles the
/// group, since the write ahead of it may have handed the turn on to it.
struct Queued<'a, DB: Database> {
    inner: &'a Arc<Inner<DB>>,
    waiting: bool,
}

impl<'a, DB: Database> Queued<'a, DB> {
    fn new(inner: &'a Arc<Inner<DB>>) -> Self {
        inner.queued.fetch_add(1, Ordering::SeqCst);
        Self { inner, waiting: true }
    }

    fn served(mut self) {
        self.inner.queued.fetch_sub(1, Ordering::SeqCst);
        self.waiting = false;
    }
}

impl<DB: Database> Drop for Queued<'_, DB> {
    fn drop(&mut self) {
        if self.waiting {
            self.inner.queued.fetch_sub(1, Ordering::SeqCst);
            settle_later(Arc::downgrade(self.inner));
        }
    }
}

/// Runs `$body` (an expression of type `StoreResult<T>` that uses `$tx`, the write's
/// connection, as its executor via `&mut *$tx`) as one write on `$writer` (a
/// [`GroupWriter`]), and evaluates to its result once committed.
///
/// The body runs in a transaction of its own: a savepoint of the group's transaction, so
/// that a failure undoes it alone, or a real one when writes commit alone.
/// `grouped!(writer, statement |tx| ...)` marks a body whose only write is a single
/// statement, which runs as it is (no savepoint, no `BEGIN`/`COMMIT`: two round trips
/// fewer); `statement if <condition>` when that depends on the input.
macro_rules! grouped {
    ($writer:expr, |$tx:ident| $body:expr) => {
        $crate::group::grouped!($writer, statement if false, |$tx| $body)
    };
    ($writer:expr, statement |$tx:ident| $body:expr) => {
        $crate::group::grouped!($writer, statement if true, |$tx| $body)
    };
    ($writer:expr, statement if $single:expr, |$tx:ident| $body:expr) => {{
        let asked = std::time::Instant::now();
        let mut lane = $writer.lane().await?;
        let result = if $single {
            let $tx: &mut _ = lane.connection();
            let written: $crate::StoreResult<_> = async { $body }.await;
            written
        } else {
            async {
                let mut own = sqlx::Connection::begin(lane.connection()).await?;
                let $tx: &mut _ = &mut *own;
                let written: $crate::StoreResult<_> = async { $body }.await;
                match written {
                    Ok(value) => {
                        own.commit().await?;
                        Ok(value)
                    }
                    Err(error) => {
                        own.rollback().await?;
                        Err(error)
                    }
                }
            }
            .await
        };
        let finished = lane.finish(result).await;
        $writer.observe(asked);
        finished
    }};
}
pub(crate) use grouped;
