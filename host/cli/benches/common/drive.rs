//! How load is applied and its end seen, whatever starts the work (an execution request, a
//! webhook post): a flood of requests for throughput, a fixed number in flight for latency,
//! and one poller that tells each in-flight request when its execution has ended.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

use super::client::{Api, NOT_COMPLETED, UNFINISHED};
use super::stats::micros;

/// A future the benchmark's tasks can run.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Starts one piece of work (one request) and returns the id the API answered with.
pub type Submit = Arc<dyn Fn() -> BoxFuture<i64> + Send + Sync>;

/// Given the ids in flight with the wall clock (µs since the epoch) just before each was
/// requested, returns those whose execution has ended. Called once per poll for all of them.
pub type Probe = Arc<dyn Fn(Vec<(i64, i64)>) -> BoxFuture<Vec<i64>> + Send + Sync>;

/// How often a throughput run checks whether the work has drained.
const WATCH_EVERY: Duration = Duration::from_millis(20);
/// Longest a throughput run may take to drain, or one piece of work to end, before the
/// benchmark gives up on the deployment.
const GIVE_UP_AFTER: Duration = Duration::from_secs(600);
const ONE_GIVE_UP_AFTER: Duration = Duration::from_secs(60);

/// Executions started so far in one deployment (those matching `scope`), all of which must
/// have completed: a benchmark of failing executions measures nothing.
#[derive(Debug)]
pub struct Ledger {
    scope: String,
    submitted: u64,
}

impl Ledger {
    /// A ledger of the executions matching `scope` (query parameters ending in `&`, or
    /// empty for every execution).
    pub fn new(scope: &str) -> Ledger {
        Ledger { scope: scope.to_owned(), submitted: 0 }
    }

    /// The execution list's filter for `statuses` within the scope.
    pub fn filter(&self, statuses: &str) -> String {
        format!("{}status={statuses}", self.scope)
    }

    /// Panics, showing the newest, if any execution in scope ended other than `completed`.
    async fn no_failure(&self, api: &Api) {
        let failed = api.count(&self.filter(NOT_COMPLETED)).await;
        let newest = if failed > 0 { api.newest(&self.filter(NOT_COMPLETED)).await } else { None };
        assert_eq!(failed, 0, "{failed} executions did not complete; the newest: {newest:?}");
    }

    /// Records `count` more executions, and checks that the store holds every one recorded
    /// so far as `completed`.
    pub async fn check(&mut self, api: &Api, count: usize) {
        self.submitted += count as u64;
        self.no_failure(api).await;
        assert_eq!(
            api.count(&self.filter("completed")).await,
            self.submitted,
            "completed executions against started ones"
        );
    }
}

/// A throughput run.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// Pieces of work started.
    pub count: usize,
    /// From the first request until all had ended.
    pub elapsed: Duration,
    /// From the first request until the last one was answered.
    pub submitted_in: Duration,
}

impl Throughput {
    /// Pieces of work per second, end to end.
    pub fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    /// Requests per second the API accepted while the pipeline was also busy.
    pub fn submitted_per_second(&self) -> f64 {
        self.count as f64 / self.submitted_in.as_secs_f64()
    }
}

/// Sends `count` requests from `concurrency` client tasks as fast as the API accepts them;
/// the clock runs from the first request until the executions in the ledger's scope that
/// `completed` number every one recorded so far plus these. Counting completed ones, not
/// unfinished ones, also covers work whose execution is created after the request was
/// answered (a webhook post's). The count (indexed, a page of one) is read every 20 ms,
/// with that of failed ones: any stops the benchmark.
pub async fn throughput(
    api: &Api,
    ledger: &mut Ledger,
    count: usize,
    concurrency: usize,
    submit: &Submit,
) -> Throughput {
    let unfinished = api.count(&ledger.filter(UNFINISHED)).await;
    assert_eq!(unfinished, 0, "the deployment is idle before a run");
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut submitters = JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let (submit, next) = (submit.clone(), next.clone());
        submitters.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                submit().await;
            }
        });
    }
    while let Some(done) = submitters.join_next().await {
        done.expect("a submitting task failed");
    }
    let submitted_in = start.elapsed();
    let (completed, expected) = (ledger.filter("completed"), ledger.submitted + count as u64);
    let mut watch = tokio::time::interval(WATCH_EVERY);
    watch.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while api.count(&completed).await < expected {
        ledger.no_failure(api).await;
        assert!(start.elapsed() < GIVE_UP_AFTER, "the work has not drained after {GIVE_UP_AFTER:?}");
        watch.tick().await;
    }
    let elapsed = start.elapsed();
    ledger.check(api, count).await;
    Throughput { count, elapsed, submitted_in }
}

/// What a slot of a latency run saw of one piece of work.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The id the request was answered with.
    pub id: i64,
    /// Wall clock just before the request, in µs since the epoch.
    pub sent_wall: i64,
    /// From just before the request to its answer.
    pub answered: Duration,
    /// From just before the request to the poll that saw its execution ended.
    pub total: Duration,
    /// Wall clock when that was seen, in µs since the epoch.
    pub ended_wall: i64,
}

/// Runs `samples` pieces of work, `in_flight` at a time: each slot submits one, waits until
/// the [`Watcher`] saw it end, then submits the next, so that nothing queues and the time
/// measured is the pipeline's own.
pub async fn latency(samples: usize, in_flight: usize, submit: &Submit, probe: Probe, poll: Duration) -> Vec<Timing> {
    let next = Arc::new(AtomicUsize::new(0));
    let watcher = Watcher::start(probe, poll);
    let mut slots = JoinSet::new();
    for _ in 0..in_flight.min(samples) {
        let (submit, next, watcher) = (submit.clone(), next.clone(), watcher.clone());
        slots.spawn(async move {
            let mut taken = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < samples {
                let sent_wall = micros(SystemTime::now());
                let sent = Instant::now();
                let id = submit().await;
                let answered = sent.elapsed();
                let (ended, ended_wall) = watcher.ended(id, sent_wall).await;
                taken.push(Timing { id, sent_wall, answered, total: ended - sent, ended_wall });
            }
            taken
        });
    }
    let mut taken = Vec::with_capacity(samples);
    while let Some(done) = slots.join_next().await {
        taken.extend(done.expect("a latency task failed"));
    }
    watcher.stop.notify_one();
    taken
}

/// Tells the slots of a latency run when their work has ended: one [`Probe`] per interval
/// for every id in flight. One poller for all slots keeps the request rate at one per
/// interval whatever the number in flight, so the interval can be short and the detection
/// delay small (at most one interval plus one request).
#[derive(Clone)]
struct Watcher {
    /// Ids in flight: when each was requested, and whom to tell.
    waiting: Arc<Mutex<HashMap<i64, Waiter>>>,
    stop: Arc<Notify>,
}

/// A slot waiting for its work to end: when it was requested (wall clock, µs since the
/// epoch), and where to say when it was seen ended.
type Waiter = (i64, oneshot::Sender<(Instant, i64)>);

impl Watcher {
    fn start(probe: Probe, poll: Duration) -> Watcher {
        let watcher = Watcher { waiting: Arc::default(), stop: Arc::default() };
        let (waiting, stop) = (watcher.waiting.clone(), watcher.stop.clone());
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(poll);
            ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.notified() => return,
                    _ = ticker.tick() => {}
                }
                let registered: Vec<(i64, i64)> =
                    waiting.lock().expect("watcher lock").iter().map(|(id, (sent, _))| (*id, *sent)).collect();
                if registered.is_empty() {
                    continue;
                }
                let ended = probe(registered).await;
                let (now, now_wall) = (Instant::now(), micros(SystemTime::now()));
                let mut waiting = waiting.lock().expect("watcher lock");
                for id in ended {
                    if let Some((_, slot)) = waiting.remove(&id) {
                        let _ = slot.send((now, now_wall));
                    }
                }
            }
        });
        watcher
    }

    /// Waits until the work `id`, requested at `sent_wall`, has ended; returns when that was
    /// seen (monotonic, and wall clock in µs since the epoch).
    async fn ended(&self, id: i64, sent_wall: i64) -> (Instant, i64) {
        let (sender, receiver) = oneshot::channel();
        self.waiting.lock().expect("watcher lock").insert(id, (sent_wall, sender));
        match tokio::time::timeout(ONE_GIVE_UP_AFTER, receiver).await {
            Ok(Ok(seen)) => seen,
            Ok(Err(_)) => panic!("the watcher stopped before {id} ended"),
            Err(_) => panic!("{id} still unfinished after {ONE_GIVE_UP_AFTER:?}"),
        }
    }
}
