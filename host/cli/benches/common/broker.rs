//! The RabbitMQ queues of one run, deleted on drop.

use attune_bus::{Queue, RabbitBus, RabbitOptions};
use std::time::Duration;

/// The queues a distributed deployment declares under its prefix: the executors', the
/// events', one per worker, and the dead-letter queue. Deleted when this is dropped, which
/// must happen after the processes consuming them are gone (a live consumer declares its
/// queue again).
pub struct QueuePrefix {
    url: String,
    prefix: String,
    workers: Vec<i64>,
}

impl QueuePrefix {
    /// The queues under `prefix` on the broker at `url`.
    pub fn new(url: String, prefix: String) -> QueuePrefix {
        QueuePrefix { url, prefix, workers: Vec::new() }
    }

    /// Includes the queue of worker `id`.
    pub fn add_worker(&mut self, id: i64) {
        self.workers.push(id);
    }

    fn queues(&self) -> Vec<Queue> {
        let mut queues = vec![Queue::Executor, Queue::Events];
        queues.extend(self.workers.iter().map(|id| Queue::Worker(*id)));
        queues
    }
}

impl Drop for QueuePrefix {
    fn drop(&mut self) {
        let (url, prefix, queues) = (self.url.clone(), self.prefix.clone(), self.queues());
        // Drop may run inside the client's runtime: use a thread with a runtime of its own.
        let deleted = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let options =
                    RabbitOptions { connect_timeout: Duration::from_secs(10), ..RabbitOptions::with_prefix(prefix) };
                let bus = RabbitBus::connect(&url, options).await.map_err(|e| e.to_string())?;
                let names: Vec<String> = queues.iter().map(|queue| bus.queue_name(queue)).collect();
                let outcome = bus.delete_queues(&queues).await.map_err(|e| format!("{e} (queues {names:?})"));
                bus.close().await;
                outcome
            })
        })
        .join();
        match deleted {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("warning: the queues under prefix '{}' were not deleted: {error}", self.prefix),
            Err(_) => eprintln!("warning: deleting the queues under prefix '{}' panicked", self.prefix),
        }
    }
}
