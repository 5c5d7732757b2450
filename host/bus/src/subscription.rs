//! The receiving end of the notice fan-out.
//!
//! Every implementation feeds a subscription through a bounded ring (a tokio broadcast
//! channel): a subscriber that falls behind loses the oldest notices and hears how many,
//! and a publisher never waits for it.

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::DropGuard;

use crate::Notice;

/// What a subscription hears next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A notice, in the order its publisher sent it.
    Notice(Notice),
    /// The subscriber fell behind and this many notices were dropped; what follows is the
    /// oldest notice still held.
    Lagged {
        /// How many notices were dropped.
        missed: u64,
    },
}

/// Hears every notice broadcast on its bus after it was created. Dropping it unsubscribes.
pub struct Subscription {
    notices: broadcast::Receiver<Notice>,
    /// Stops whatever feeds `notices` (a broker consumer) when the subscription goes.
    _feeder: Option<DropGuard>,
}

impl Subscription {
    /// A subscription reading `notices`; `feeder`, when given, is dropped with it.
    pub(crate) fn new(notices: broadcast::Receiver<Notice>, feeder: Option<DropGuard>) -> Self {
        Self { notices, _feeder: feeder }
    }

    /// The next notice, or how many were missed; `None` once the bus is closed.
    pub async fn next(&mut self) -> Option<Received> {
        match self.notices.recv().await {
            Ok(notice) => Some(Received::Notice(notice)),
            Err(RecvError::Lagged(missed)) => Some(Received::Lagged { missed }),
            Err(RecvError::Closed) => None,
        }
    }
}
