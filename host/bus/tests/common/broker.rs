//! Stopping and starting the local RabbitMQ application with `rabbitmqctl`, for the tests
//! that prove the bus rides out a broker restart.

use std::process::Command;

use tokio::sync::{Mutex, MutexGuard};

/// Runs `rabbitmqctl <args>`; the error carries its output.
fn rabbitmqctl(args: &[&str]) -> Result<(), String> {
    let output =
        Command::new("rabbitmqctl").args(args).output().map_err(|error| format!("cannot run rabbitmqctl: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "rabbitmqctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

async fn rabbitmqctl_async(args: &'static [&'static str]) {
    let result = tokio::task::spawn_blocking(move || rabbitmqctl(args)).await.expect("rabbitmqctl task");
    result.unwrap_or_else(|error| panic!("{error}"));
}

/// Held for the whole of a test that restarts the broker: such tests of one binary run one
/// at a time, since each one's outage would disturb the others.
pub async fn exclusive() -> MutexGuard<'static, ()> {
    static BROKER: Mutex<()> = Mutex::const_new(());
    BROKER.lock().await
}

/// The broker while it is stopped. Dropping it starts the broker again — also when a test
/// fails with the broker down, because other tests need it.
pub struct Outage {
    started: bool,
}

/// Stops the RabbitMQ application: the Erlang node stays up, but every connection is
/// dropped and the AMQP port closes, as in a broker restart.
pub async fn stop() -> Outage {
    rabbitmqctl_async(&["stop_app"]).await;
    Outage { started: false }
}

impl Outage {
    /// Starts the application again and waits until it accepts connections.
    pub async fn end(mut self) {
        self.started = true;
        rabbitmqctl_async(&["start_app"]).await;
        rabbitmqctl_async(&["await_startup"]).await;
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if !self.started {
            // Possibly unwinding from a failed assertion: report, never panic again.
            for args in [&["start_app"][..], &["await_startup"][..]] {
                if let Err(error) = rabbitmqctl(args) {
                    eprintln!("could not restore the broker: {error}");
                }
            }
        }
    }
}
