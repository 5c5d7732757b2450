//! Coalescing (SQLite): concurrent writes of one kind made by one statement.
//!
//! SQLite makes its writes one at a time on one connection, and each statement is a round
//! trip to that connection's thread: the statements of the [group commit](crate::group)
//! follow each other, so under load their number, not the CPU, bounds how many events and
//! executions go through per second. The most frequent writes — an execution's status
//! changes and its output lines — arrive together from many executions at once. Here a task
//! per kind takes every write of that kind that is waiting and makes them with one
//! statement (one write of the group commit), then answers each once it is committed:
//!
//! - Status changes with the same `from` statuses and target go in one
//!   `UPDATE ... FROM (VALUES ...)`, each row with its own patch and each still
//!   conditional. An execution changed twice in one batch is changed by two statements, in
//!   the order asked, so the batch is equivalent to the writes made one after another.
//! - Output lines of several executions go in one `INSERT ... SELECT`, each execution's
//!   numbered after its last stored line.
//! - The rules engine's marks — events processed, enforcements given their status — go in
//!   one `UPDATE` per table.
//! - New events (webhook posts, sensors) go in one `INSERT ... SELECT ... ORDER BY`: the
//!   rows are inserted in the order asked, so their ids rise in that order and each caller
//!   gets its own row back.
//!
//! A statement that fails (an execution deleted meanwhile) is made again write by write,
//! so that a failure reaches only the caller it belongs to. While a batch is being
//! written the next one gathers, so a lone write waits for nobody and a crowd shares
//! statements.

use std::collections::HashMap;

use attune_domain::Id;
use attune_domain::event::{Enforcement, Event, NewEvent};
use attune_domain::execution::{Execution, ExecutionPatch};
use attune_domain::status::{EnforcementStatus, ExecutionStatus};
use sqlx::{QueryBuilder, Sqlite};
use tokio::sync::{mpsc, oneshot};

use crate::group::{GroupWriter, grouped};
use crate::{StoreError, StoreResult};

/// Writes taken into one batch at most.
const MAX_BATCH: usize = 256;

/// Status changes per statement (seven binds each).
const CHANGES_PER_STATEMENT: usize = 128;

/// Output lines per statement (four binds each); a write with more goes alone.
pub(crate) const LINES_PER_STATEMENT: usize = 1024;

/// The coalescing writers of one SQLite store.
#[derive(Debug)]
pub(crate) struct Coalesced {
    changes: mpsc::UnboundedSender<Change>,
    output: mpsc::UnboundedSender<Output>,
    processed: mpsc::UnboundedSender<Processed>,
    enforcements: mpsc::UnboundedSender<Enforced>,
    events: mpsc::UnboundedSender<Emitted>,
}

/// One status change asked for, and where its answer goes.
struct Change {
    id: Id,
    from: Vec<ExecutionStatus>,
    to: ExecutionStatus,
    patch: ExecutionPatch,
    answer: oneshot::Sender<StoreResult<Option<Execution>>>,
}

/// A new event, and where it goes once stored.
struct Emitted {
    event: NewEvent,
    answer: oneshot::Sender<StoreResult<Event>>,
}

/// An event whose rules have run, and where the answer goes.
struct Processed {
    event: Id,
    answer: oneshot::Sender<StoreResult<()>>,
}

/// An enforcement's new status and reason, and where it goes as changed.
struct Enforced {
    id: Id,
    status: EnforcementStatus,
    reason: Option<String>,
    answer: oneshot::Sender<StoreResult<Enforcement>>,
}

/// Lines of one execution to append, and where the first line's seq goes.
struct Output {
    execution: Id,
    lines: Vec<(String, String)>,
    answer: oneshot::Sender<StoreResult<i64>>,
}

impl Coalesced {
    /// Starts the writers' tasks on `group`; they end when the store is dropped.
    pub(crate) fn start(group: &GroupWriter<Sqlite>) -> Self {
        let (changes, pending) = mpsc::unbounded_channel();
        tokio::spawn(batches(pending, group.clone(), write_changes));
        let (output, pending) = mpsc::unbounded_channel();
        tokio::spawn(batches(pending, group.clone(), write_output));
        let (processed, pending) = mpsc::unbounded_channel();
        tokio::spawn(batches(pending, group.clone(), write_processed));
        let (enforcements, pending) = mpsc::unbounded_channel();
        tokio::spawn(batches(pending, group.clone(), write_enforcements));
        let (events, pending) = mpsc::unbounded_channel();
        tokio::spawn(batches(pending, group.clone(), write_events));
        Self { changes, output, processed, enforcements, events }
    }

    /// Stores `event`, with others; the event as stored.
    pub(crate) async fn create_event(&self, event: &NewEvent) -> StoreResult<Event> {
        let (answer, answered) = oneshot::channel();
        self.events.send(Emitted { event: event.clone(), answer }).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Marks `event` processed now, with others.
    pub(crate) async fn mark_event_processed(&self, event: Id) -> StoreResult<()> {
        let (answer, answered) = oneshot::channel();
        self.processed.send(Processed { event, answer }).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Sets enforcement `id`'s status and reason, with others; the enforcement as changed.
    pub(crate) async fn update_enforcement(
        &self,
        id: Id,
        status: EnforcementStatus,
        reason: Option<&str>,
    ) -> StoreResult<Enforcement> {
        let (answer, answered) = oneshot::channel();
        let enforced = Enforced { id, status, reason: reason.map(str::to_owned), answer };
        self.enforcements.send(enforced).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// `UPDATE execution SET status = to (and the patch) WHERE id = id AND status IN from`,
    /// with others; the execution as changed, or `None` when it was in none of `from`.
    pub(crate) async fn transition(
        &self,
        id: Id,
        from: &[ExecutionStatus],
        to: ExecutionStatus,
        patch: &ExecutionPatch,
    ) -> StoreResult<Option<Execution>> {
        let (answer, answered) = oneshot::channel();
        let change = Change { id, from: from.to_vec(), to, patch: patch.clone(), answer };
        self.changes.send(change).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Appends `lines` (at most [`LINES_PER_STATEMENT`]) to `execution`'s output, with
    /// others; the seq of the first.
    pub(crate) async fn append_output(&self, execution: Id, lines: &[(String, String)]) -> StoreResult<i64> {
        let (answer, answered) = oneshot::channel();
        self.output.send(Output { execution, lines: lines.to_vec(), answer }).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::NotCommitted("the store's writer has stopped".into())
}

/// Takes the writes waiting on `pending`, up to [`MAX_BATCH`] at a time, and has `write`
/// make each batch, until every sender is gone.
async fn batches<W: Send + 'static>(
    mut pending: mpsc::UnboundedReceiver<W>,
    group: GroupWriter<Sqlite>,
    write: impl AsyncFn(&GroupWriter<Sqlite>, Vec<W>),
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        write(&group, std::mem::take(&mut batch)).await;
    }
}

/// Splits `batch` into rounds in which each id appears once: an id's n-th write of the
/// batch goes in the n-th round, so that rounds made in order keep each id's writes in order.
fn rounds<W>(batch: Vec<W>, id: impl Fn(&W) -> Id) -> Vec<Vec<W>> {
    let mut rounds: Vec<Vec<W>> = Vec::new();
    let mut seen: HashMap<Id, usize> = HashMap::new();
    for write in batch {
        let round = seen.entry(id(&write)).or_insert(0);
        if rounds.len() <= *round {
            rounds.push(Vec::new());
        }
        rounds[*round].push(write);
        *round += 1;
    }
    rounds
}

/// A kind of write that many callers' writes can share one statement for.
trait Shared: Sized {
    /// What a caller is answered when its write is made.
    type Made;

    /// One statement for `writes`: what each was made into, in the order given.
    fn make(group: &GroupWriter<Sqlite>, writes: &[Self]) -> impl Future<Output = StoreResult<Vec<Self::Made>>> + Send;

    /// Tells the caller how its write went.
    fn answer(self, made: StoreResult<Self::Made>);
}

/// Makes `writes` by one statement, or, when that fails, by one statement each, so that a
/// failure reaches only its own caller.
async fn together_or_alone<W: Shared>(group: &GroupWriter<Sqlite>, writes: Vec<W>) {
    match W::make(group, &writes).await {
        Ok(made) => {
            for (write, made) in writes.into_iter().zip(made) {
                write.answer(Ok(made));
            }
        }
        Err(error) if writes.len() == 1 => {
            let write = writes.into_iter().next().expect("one write");
            write.answer(Err(error));
        }
        Err(_) => {
            for write in writes {
                let alone = W::make(group, std::slice::from_ref(&write)).await;
                write.answer(alone.and_then(|made| made.into_iter().next().ok_or_else(nothing_made)));
            }
        }
    }
}

/// A statement made for one write answered nothing for it.
fn nothing_made() -> StoreError {
    StoreError::NotCommitted("the write was not made".into())
}

/// Makes a batch of status changes: round by round, and within a round one statement per
/// kind of change.
async fn write_changes(group: &GroupWriter<Sqlite>, batch: Vec<Change>) {
    for round in rounds(batch, |change| change.id) {
        let mut kinds: Vec<Vec<Change>> = Vec::new();
        for change in round {
            match kinds.iter_mut().find(|kind| kind[0].from == change.from && kind[0].to == change.to) {
                Some(kind) if kind.len() < CHANGES_PER_STATEMENT => kind.push(change),
                _ => kinds.push(vec![change]),
            }
        }
        for kind in kinds {
            together_or_alone(group, kind).await;
        }
    }
}

impl Shared for Change {
    type Made = Option<Execution>;

    async fn make(group: &GroupWriter<Sqlite>, changes: &[Self]) -> StoreResult<Vec<Option<Execution>>> {
        let mut changed = change_together(group, changes).await?;
        Ok(changes.iter().map(|change| changed.remove(&change.id)).collect())
    }

    fn answer(self, made: StoreResult<Option<Execution>>) {
        let _ = self.answer.send(made);
    }
}

/// One statement for `changes` (same `from` and `to`, distinct executions): the executions
/// changed, by id.
async fn change_together(group: &GroupWriter<Sqlite>, changes: &[Change]) -> StoreResult<HashMap<Id, Execution>> {
    let (from, to) = (&changes[0].from, changes[0].to);
    let mut qb = QueryBuilder::<Sqlite>::new("UPDATE execution SET status = ");
    qb.push_bind(to)
        .push(
            ", worker = COALESCE(v.column2, execution.worker), result = COALESCE(v.column3, execution.result), \
             metering = COALESCE(v.column4, execution.metering), started = COALESCE(v.column5, execution.started), \
             finished = COALESCE(v.column6, execution.finished), attempt = COALESCE(v.column7, execution.attempt), \
             updated = ",
        )
        .push_bind(crate::sql::now())
        .push(" FROM (");
    qb.push_values(changes, |mut row, change| {
        let patch = &change.patch;
        row.push_bind(change.id)
            .push_bind(patch.worker)
            .push_bind(patch.result.clone())
            .push_bind(patch.metering.clone())
            .push_bind(patch.started)
            .push_bind(patch.finished)
            .push_bind(patch.attempt);
    });
    qb.push(") AS v WHERE execution.id = v.column1 AND execution.status IN (");
    let mut list = qb.separated(", ");
    for status in from {
        list.push_bind(*status);
    }
    qb.push(") RETURNING *");
    let changed: Vec<Execution> =
        grouped! {group, statement |tx| Ok(qb.build_query_as::<Execution>().fetch_all(&mut *tx).await?)}?;
    Ok(changed.into_iter().map(|execution| (execution.id, execution)).collect())
}

/// Makes a batch of output appends: as many as fit in one statement at a time.
async fn write_output(group: &GroupWriter<Sqlite>, batch: Vec<Output>) {
    let mut statement: Vec<Output> = Vec::new();
    let mut lines = 0;
    for output in batch {
        if lines + output.lines.len() > LINES_PER_STATEMENT && !statement.is_empty() {
            together_or_alone(group, std::mem::take(&mut statement)).await;
            lines = 0;
        }
        lines += output.lines.len();
        statement.push(output);
    }
    if !statement.is_empty() {
        together_or_alone(group, statement).await;
    }
}

impl Shared for Output {
    type Made = i64;

    async fn make(group: &GroupWriter<Sqlite>, outputs: &[Self]) -> StoreResult<Vec<i64>> {
        append_together(group, outputs).await
    }

    fn answer(self, first: StoreResult<i64>) {
        let execution = self.execution;
        let _ = self.answer.send(first.map_err(|error| missing(error, execution)));
    }
}

/// A line refers to an execution that does not exist (the foreign key): not found.
fn missing(error: StoreError, execution: Id) -> StoreError {
    match error {
        StoreError::UnknownReference(_) => StoreError::not_found("execution", execution),
        other => other,
    }
}

/// One statement appending `outputs`, in order (an execution may appear more than once);
/// the seq of each one's first line.
async fn append_together(group: &GroupWriter<Sqlite>, outputs: &[Output]) -> StoreResult<Vec<i64>> {
    // Each line's position among its execution's lines in this statement, from 1, and
    // where each output starts.
    let mut counted: HashMap<Id, i64> = HashMap::new();
    let mut starts = Vec::with_capacity(outputs.len());
    let mut rows = Vec::new();
    for output in outputs {
        let n = counted.entry(output.execution).or_insert(0);
        starts.push(*n + 1);
        for (stream, text) in &output.lines {
            *n += 1;
            rows.push((output.execution, *n, stream, text));
        }
    }
    if rows.is_empty() {
        return Err(StoreError::Conflict("no lines to append".into()));
    }
    // SQLite computes the whole SELECT before inserting, since it reads the table written.
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT INTO execution_output (execution, seq, stream, text, created) SELECT v.column1, \
         COALESCE((SELECT MAX(o.seq) FROM execution_output o WHERE o.execution = v.column1), 0) + v.column2, \
         v.column3, v.column4, ",
    );
    qb.push_bind(crate::sql::now()).push(" FROM (");
    qb.push_values(rows, |mut row, (execution, n, stream, text)| {
        row.push_bind(execution).push_bind(n).push_bind(stream.clone()).push_bind(text.clone());
    });
    qb.push(") AS v RETURNING execution, seq");
    let stored: Vec<(Id, i64)> = grouped! {group, statement |tx| Ok(qb.build_query_as().fetch_all(&mut *tx).await?)}?;
    // The line numbered n got seq = (the execution's last seq before) + n.
    let mut before: HashMap<Id, i64> = HashMap::new();
    for (execution, seq) in stored {
        let last = before.entry(execution).or_insert(seq - 1);
        *last = (*last).min(seq - 1);
    }
    outputs
        .iter()
        .zip(starts)
        .map(|(output, start)| {
            let last =
                before.get(&output.execution).ok_or_else(|| StoreError::not_found("execution", output.execution))?;
            Ok(last + start)
        })
        .collect()
}

/// Marks a batch of events processed, by one statement (marking twice is harmless).
async fn write_processed(group: &GroupWriter<Sqlite>, batch: Vec<Processed>) {
    let now = crate::sql::now();
    let mut qb = QueryBuilder::<Sqlite>::new("UPDATE event SET processed = ");
    qb.push_bind(now).push(", updated = ").push_bind(now).push(" WHERE id IN (");
    let mut list = qb.separated(", ");
    for processed in &batch {
        list.push_bind(processed.event);
    }
    qb.push(") RETURNING id");
    let marked: StoreResult<Vec<Id>> = async {
        grouped! {group, statement |tx| Ok(qb.build_query_scalar().fetch_all(&mut *tx).await?)}
    }
    .await;
    for processed in batch {
        let answer = match &marked {
            Ok(marked) if marked.contains(&processed.event) => Ok(()),
            Ok(_) => Err(StoreError::not_found("event", processed.event)),
            Err(error) => Err(StoreError::NotCommitted(error.to_string())),
        };
        let _ = processed.answer.send(answer);
    }
}

/// Gives a batch of enforcements their status, round by round, one statement a round.
async fn write_enforcements(group: &GroupWriter<Sqlite>, batch: Vec<Enforced>) {
    for round in rounds(batch, |enforced| enforced.id) {
        let mut qb =
            QueryBuilder::<Sqlite>::new("UPDATE enforcement SET status = v.column2, reason = v.column3, updated = ");
        qb.push_bind(crate::sql::now()).push(" FROM (");
        qb.push_values(&round, |mut row, enforced| {
            row.push_bind(enforced.id).push_bind(enforced.status).push_bind(enforced.reason.clone());
        });
        qb.push(") AS v WHERE enforcement.id = v.column1 RETURNING *");
        let changed: StoreResult<Vec<Enforcement>> = async {
            grouped! {group, statement |tx| Ok(qb.build_query_as().fetch_all(&mut *tx).await?)}
        }
        .await;
        let mut changed: StoreResult<HashMap<Id, Enforcement>> =
            changed.map(|rows| rows.into_iter().map(|enforcement| (enforcement.id, enforcement)).collect());
        for enforced in round {
            let answer = match &mut changed {
                Ok(changed) => {
                    changed.remove(&enforced.id).ok_or_else(|| StoreError::not_found("enforcement", enforced.id))
                }
                Err(error) => Err(StoreError::NotCommitted(error.to_string())),
            };
            let _ = enforced.answer.send(answer);
        }
    }
}

/// New events per statement (five binds each).
const EVENTS_PER_STATEMENT: usize = 128;

/// Stores a batch of new events, a statement per [`EVENTS_PER_STATEMENT`], or one by one
/// when a statement fails.
async fn write_events(group: &GroupWriter<Sqlite>, mut batch: Vec<Emitted>) {
    while !batch.is_empty() {
        let rest = batch.split_off(batch.len().min(EVENTS_PER_STATEMENT));
        let statement = std::mem::replace(&mut batch, rest);
        together_or_alone(group, statement).await;
    }
}

impl Shared for Emitted {
    type Made = Event;

    async fn make(group: &GroupWriter<Sqlite>, emitted: &[Self]) -> StoreResult<Vec<Event>> {
        insert_events(group, emitted).await
    }

    fn answer(self, event: StoreResult<Event>) {
        let _ = self.answer.send(event);
    }
}

/// One statement storing `emitted`, in order (every row or none): the events stored, in
/// the same order.
async fn insert_events(group: &GroupWriter<Sqlite>, emitted: &[Emitted]) -> StoreResult<Vec<Event>> {
    let now = crate::sql::now();
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT INTO event (trigger, trigger_ref, config, payload, source, source_ref, created, updated) \
         SELECT (SELECT id FROM trigger WHERE ref = v.column2), v.column2, v.column3, v.column4, \
         (SELECT id FROM sensor WHERE ref = v.column5), v.column5, ",
    );
    qb.push_bind(now).push(", ").push_bind(now).push(" FROM (");
    qb.push_values(emitted.iter().zip(0_i64..), |mut row, (emitted, n)| {
        let event = &emitted.event;
        row.push_bind(n)
            .push_bind(event.trigger_ref.clone())
            .push_bind(event.config.clone())
            .push_bind(event.payload.clone())
            .push_bind(event.source_ref.clone());
    });
    qb.push(") AS v ORDER BY v.column1 RETURNING *");
    let mut events: Vec<Event> = grouped! {group, statement |tx| Ok(qb.build_query_as().fetch_all(&mut *tx).await?)}?;
    events.sort_by_key(|event| event.id);
    Ok(events)
}
